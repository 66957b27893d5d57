/* intake-writer.h - group commit for citizens' responses.
 *
 * A handler hands a checked response (without an invitation) to a small set of writer
 * threads and parks its request (http_suspend), so its HTTP thread serves other connections
 * meanwhile; a writer takes everything queued (up to DB_RESPONSE_BATCH_MAX rows), inserts it
 * in one statement - one transaction, one commit, one WAL flush - and wakes each request
 * (http_resume) after the COMMIT. A row the batch did not store (a resend, a closed round, an
 * unknown agency) and every row of a failed batch go through db_response_insert alone, so
 * the replies are exactly those of the one-row path. Writers start on first use with their
 * own connections (SIPAS_WRITERS, default 2; 0 turns group commit off) and stop at exit. */
#pragma once

#include "db-responses.h"

struct http_req;

/* A response on its way through the queue; keep it in the request's state. */
struct intake_ticket {
	const struct db_response *r;
	struct http_req *req;
	int state;                     /* private */
	struct intake_ticket *next;    /* private */
};

/* Starts storing r for req (r must stay valid until the outcome is known: keep it, like the
 * ticket, in req->state). Returns HTTP_SUSPENDED when the row went to the queue: the route's
 * handler runs again later (req->resumed) and takes the outcome from intake_writer_result.
 * Otherwise (an invitation, no writers) it stores r on a pooled connection at once and
 * returns as db_response_insert. */
int intake_writer_begin(struct http_req *req, const struct db_response *r, struct intake_ticket *t);
/* The outcome of a queued row, as db_response_insert returns it after COMMIT; a row the batch
 * did not store is stored (or explained) alone here, on a pooled connection. */
int intake_writer_result(struct http_req *req, struct intake_ticket *t);
