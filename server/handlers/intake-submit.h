/* intake-submit.h - storing a citizen's response from a handler: through the group-commit
 * writers when the process has them (the request is parked meanwhile), else at once. */
#pragma once

#include "intake-writer.h"

struct http_req;

/* Starts storing r for req (r and t must stay valid until the outcome is known: keep them in
 * req->state). Returns HTTP_SUSPENDED when the row went to the writers: the route's handler
 * runs again later (req->resumed) and takes the outcome from intake_submit_result. Otherwise
 * (an invitation, no writers) it stores r on a pooled connection at once and returns as
 * db_response_insert. */
int intake_submit(struct http_req *req, const struct db_response *r, struct intake_ticket *t);
/* The outcome of a queued row, as db_response_insert returns it after COMMIT; a row the batch
 * did not store is stored (or explained) alone here, on a pooled connection. */
int intake_submit_result(struct http_req *req, struct intake_ticket *t);
