/* db-auth.h - tokens, their agencies, browser sessions, and the audit log. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define DB_TOKEN_MAX_AGENCIES 64
#define DB_CODE_MAX 33          /* agency codes: 32 bytes and a NUL */

struct db_token {
	int id;
	char role[16];                                     /* admin, team, analyst */
	char name[128];
	uint8_t secret_hash[32];
	bool revoked;
	size_t nagencies;
	char agencies[DB_TOKEN_MAX_AGENCIES][DB_CODE_MAX];  /* agency codes (team scope) */
};

/* Stores a new token with the SHA-256 of its secret; agencies are codes that must exist.
 * Returns the new id (> 0), -ENOENT when an agency is unknown (its code in c's error),
 * -EINVAL for a bad role, or another negative errno. Audited in the same transaction. */
int db_token_create(struct db_conn *c, const char *role, const char *name,
		    const uint8_t secret_hash[32], const char *const *agencies, size_t nagencies);
/* Reads token id (revoked ones included, with revoked set). Returns 0, -ENOENT or an errno. */
int db_token_get(struct db_conn *c, int id, struct db_token *out);
/* Revokes token id; returns 0, -ENOENT when there is no such live token, or an errno. Audited. */
int db_token_revoke(struct db_conn *c, int id, const char *actor);

/* Appends an audit record; detail_json may be NULL ("{}"). Returns 0 or a negative errno. */
int db_audit(struct db_conn *c, int token_id, const char *actor, const char *action,
	     int survey_id, const char *detail_json);

/* Creates a browser session for token_id valid for ttl_s seconds, keyed by the SHA-256 of the
 * cookie value, with its CSRF secret. Returns 0 or a negative errno. */
int db_session_create(struct db_conn *c, const uint8_t id_hash[32], int token_id,
		      const char *csrf, int ttl_s);
/* Finds a live session; writes its token id and CSRF secret (csrf_len bytes incl. NUL).
 * Returns 0, -ENOENT (unknown or expired) or an errno. */
int db_session_get(struct db_conn *c, const uint8_t id_hash[32], int *token_id, char *csrf, size_t csrf_len);
/* Deletes a session; returns 0 or a negative errno. */
int db_session_delete(struct db_conn *c, const uint8_t id_hash[32]);
