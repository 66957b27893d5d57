/* intake-writer.h - group commit for citizens' responses.
 *
 * A caller hands a checked response to a small set of writer threads and parks its waiter
 * (the HTTP layer parks the request, so its thread serves other connections meanwhile); a
 * writer takes everything queued (up to DB_RESPONSE_BATCH_MAX rows), inserts it in one
 * statement - one transaction, one commit, one WAL flush - and wakes each waiter after the
 * COMMIT. A row the batch did not store (a resend, a closed round, an unknown agency) and
 * every row of a failed batch are left for the caller to store alone, so the replies are
 * exactly those of the one-row path. Each writer owns one database connection. */
#pragma once

#include <stdbool.h>

#include "db-responses.h"

#define INTAKE_WRITERS_MAX 16

struct intake_writers;

/* A response on its way through the queue; keep it, and r, alive until the waiter is woken. */
struct intake_ticket {
	const struct db_response *r;
	void (*wake)(void *waiter);    /* called once, from a writer thread, after the row's batch */
	void *waiter;
	int state;                     /* private */
	struct intake_ticket *next;    /* private */
};

/* Starts n writers (1 to INTAKE_WRITERS_MAX), each connecting to database_url. Returns 0 and
 * *out (intake_writers_free), -EINVAL, or a negative errno. */
int intake_writers_new(const char *database_url, unsigned n, struct intake_writers **out);
/* Stores what is queued, stops and joins the writers, and frees w; NULL is fine. */
void intake_writers_free(struct intake_writers *w);
/* Queues t (its r, wake and waiter set), calling park(t->waiter) before any writer can see it.
 * Returns 0, or -ESHUTDOWN when the writers are stopping (nothing queued, park not called). */
int intake_writers_submit(struct intake_writers *w, struct intake_ticket *t, void (*park)(void *waiter));
/* After the wake: true when the batch stored the row; else the caller stores it alone. */
bool intake_ticket_stored(const struct intake_ticket *t);
