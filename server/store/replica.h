/* replica.h - a PostgreSQL streaming replica for the analysts' reads (SIPAS_READ_DATABASE_URL).
 *
 * A pool of connections to the replica that knows when the replica is down: a failed connection
 * marks it down for REPLICA_RETRY_S seconds, during which callers are told at once to read from
 * the primary instead; the next call after that tries the replica again. */
#pragma once

#include <stdbool.h>

#define REPLICA_RETRY_S 5

struct db_conn;
struct replica;

/* Makes the replica's pool of at most size connections to url (connects lazily). Returns 0 and
 * *out (replica_free), or a negative errno. */
int replica_new(const char *url, unsigned size, struct replica **out);
/* Closes the replica's connections; rp may be NULL. No connection may be held. */
void replica_free(struct replica *rp);
/* Takes a connection to the replica that has just answered (waiting up to wait_ms for a free
 * one). Returns 0 and *out (db_release); -ECONNREFUSED when the replica is down or marked down;
 * -ETIMEDOUT when every connection stayed busy. */
int replica_acquire(struct replica *rp, unsigned wait_ms, struct db_conn **out);
/* The replica's lag behind the primary in seconds (db_replica_lag). Returns 0, or
 * -ECONNREFUSED when it is down, or another negative errno. */
int replica_lag(struct replica *rp, unsigned wait_ms, double *lag_s);
