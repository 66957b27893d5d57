/* intake-writer.h - group commit for citizens' responses.
 *
 * Handler threads hand a checked response (without an invitation) to a small set of writer
 * threads and wait; a writer takes everything queued (up to DB_RESPONSE_BATCH_MAX rows),
 * inserts it in one statement - one transaction, one commit, one WAL flush - and wakes each
 * waiter after the COMMIT. A row the batch did not store (a resend, a closed round, an
 * unknown agency) and every row of a failed batch go through db_response_insert alone, so
 * the replies are exactly those of the one-row path. Writers start on first use with their
 * own connections (SIPAS_WRITERS, default 2; 0 turns group commit off) and stop at exit. */
#pragma once

#include "db-responses.h"

struct app;

/* Stores r (r->invite must be NULL) and returns as db_response_insert, after COMMIT. Uses a
 * pooled connection of app only when the row must be explained or retried alone. */
int intake_writer_store(struct app *app, const struct db_response *r);
