/* db-responses.h - storing one citizen's response (web form or JSON API), idempotently. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define DB_UUID_LEN 37     /* 36 characters and a NUL */

struct db_response {
	int survey_id;
	const char *client_id;        /* a UUID (the client's, or one we made); never NULL */
	const char *agency;           /* agency code; NULL takes the invitation's agency */
	const char *channel;          /* a channel code (survey-forms/channel.h): web or api here */
	const int16_t *codes;         /* the coded answers in slot order (FORM_NO_ANSWER = none) */
	size_t ncodes;
	const char *answers;          /* the answers codes does not hold, as a JSON object, or NULL */
	uint8_t content_hash[32];     /* SHA-256 of the normalised answers and the agency */
	const uint8_t *invite;        /* SHA-256 of the invitation code, or NULL */
};

enum {
	DB_RESPONSE_CREATED = 0,      /* stored and committed */
	DB_RESPONSE_REPLAY = 1,       /* this client id with this content was stored before */
};

/* Stores a response; with an invitation, marks it used in the same transaction (a
 * conditional UPDATE, so of two concurrent uses exactly one succeeds). Returns
 * DB_RESPONSE_CREATED or DB_RESPONSE_REPLAY after COMMIT; or
 *   -EEXIST     this client id was stored with other content
 *   -ESHUTDOWN  the round is closed
 *   -ENOENT     the round is gone
 *   -ENXIO      the agency is unknown or not covered by the round
 *   -EACCES     no such invitation for this round, or it belongs to another agency
 *   -EALREADY   the invitation was used
 *   another negative errno from the database. */
int db_response_insert(struct db_conn *c, const struct db_response *r);

#define DB_RESPONSE_BATCH_MAX 256

/* Stores up to DB_RESPONSE_BATCH_MAX responses without invitations in one statement (one
 * transaction, one commit: group commit). Rows must have distinct (survey, client id) pairs.
 * Returns 0 with inserted[i] telling which rows were stored; a row not stored (a resend, a
 * closed round, an unknown agency) is to be explained by db_response_insert alone. Returns a
 * negative errno when the statement failed (nothing stored). */
int db_responses_insert_batch(struct db_conn *c, const struct db_response *const *rows, size_t n,
			      bool *inserted);
