/* db-invites.h - one-time invitation codes of invite-only rounds (stored as SHA-256). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Stores n code hashes for round survey_code and agency_code in one transaction (audited).
 * Returns n; -ENOENT when the round or the agency is unknown, -EINVAL when the round does
 * not cover the agency (the reason in db_conn_error); or another negative errno. */
int db_invites_add(struct db_conn *c, const char *survey_code, const char *agency_code,
		   const uint8_t (*hashes)[32], size_t n);
/* Looks up an invitation of round survey_id: writes its agency's code and name (NUL-terminated,
 * truncated to the sizes given). Returns 0, -ENOENT (no such code for this round), -EALREADY
 * (already used), or another negative errno. */
int db_invite_peek(struct db_conn *c, int survey_id, const uint8_t hash[32],
		   char *agency, size_t agency_len, char *name, size_t name_len);
