/* db.h - the database module: a pool of PostgreSQL connections and the migrations.
 *
 * libpq lives only in sql/. The rest of the program sees struct db_pool and
 * struct db_conn (opaque) and the query functions of sql/db-*.h, which all return
 * 0 (or a count) on success and a negative errno on failure:
 *   -ECONNREFUSED  the database is unreachable (HTTP 503)
 *   -EEXIST        a unique constraint refused the change (HTTP 409)
 *   -ENOENT        no such row (HTTP 404)
 *   -EINVAL        a check constraint or a value refused by the database (HTTP 422)
 *   -EIO           anything else (HTTP 500); the detail is in db_conn_error().
 *
 * Threading: a pool may be used from any thread; a connection belongs to one thread
 * between db_acquire and db_release. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct db_pool;
struct db_conn;

/* Creates a pool of at most size connections to conninfo (a libpq string or URI); connects
 * lazily. Returns 0 and *out (free with db_pool_free), or -ENOMEM / -EINVAL. */
int db_pool_new(const char *conninfo, unsigned size, struct db_pool **out);
/* Closes every connection and frees the pool; p may be NULL. No connection may be held. */
void db_pool_free(struct db_pool *p);
/* Takes a connection, waiting up to timeout_ms for a free one and connecting if needed.
 * Returns 0 and *out, -ETIMEDOUT when none became free, -ECONNREFUSED when the database is
 * unreachable. */
int db_acquire(struct db_pool *p, unsigned timeout_ms, struct db_conn **out);
/* Gives a connection back; a broken one, or one left inside a transaction, is closed. */
void db_release(struct db_conn *c);

/* Opens one connection outside any pool (the CLI); returns 0 and *out or -ECONNREFUSED with
 * the reason in errbuf. Free with db_conn_close. */
int db_connect(const char *conninfo, struct db_conn **out, char *errbuf, size_t errlen);
/* Closes a connection made by db_connect; c may be NULL. */
void db_conn_close(struct db_conn *c);
/* Returns the last error message of this connection ("" when none); owned by the connection. */
const char *db_conn_error(const struct db_conn *c);

/* Runs SELECT 1; returns 0 or -ECONNREFUSED. */
int db_ping(struct db_conn *c);
/* BEGIN / COMMIT / ROLLBACK. Return 0 or a negative errno. */
int db_begin(struct db_conn *c);
int db_commit(struct db_conn *c);
int db_rollback(struct db_conn *c);
#define DB_PIPELINE_BATCH 256   /* statements sent before their results are read */
/* Pipeline mode (libpq's), for many statements without results in a row: until db_pipeline_end,
 * the statements run through the db-*.c calls that read no result are sent without waiting for
 * each reply, in batches of DB_PIPELINE_BATCH. Returns 0 or a negative errno. */
int db_pipeline_begin(struct db_conn *c);
/* Waits for every statement sent since db_pipeline_begin and leaves pipeline mode (always,
 * even after a failure). Returns 0 or the first statement's failure, a negative errno, with its
 * message in db_conn_error. */
int db_pipeline_end(struct db_conn *c);

/* Applies pending migrations (embedded in the program, or read from folder dir when it is not
 * NULL) under an advisory lock, each in its own transaction. Returns the number applied,
 * -EBADMSG when an applied migration was edited (the name is in errbuf), or another negative
 * errno with the reason in errbuf. */
int db_migrate(struct db_conn *c, const char *dir, char *errbuf, size_t errlen);
