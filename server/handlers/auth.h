/* auth.h - who is calling: API tokens (Bearer) and browser sessions (cookie).
 *
 * A token reads "sipas_<id>_<64 hex digits>". Only the SHA-256 of the secret part is
 * stored; the check compares hashes in constant time. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define AUTH_TOKEN_LEN 96
#define AUTH_SESSION_COOKIE "sipas_session"
#define AUTH_SESSION_TTL_S (8 * 3600)

struct db_conn;

/* Makes a new random token for id into out (AUTH_TOKEN_LEN bytes) and the hash to store.
 * Returns 0 or a negative errno (no randomness). */
int auth_token_generate(int id, char out[AUTH_TOKEN_LEN], uint8_t hash[32]);
/* Makes a fresh random secret (for before the id is known): 64 hex digits and its hash. */
int auth_secret_generate(char hex[65], uint8_t hash[32]);
/* Fills req->auth from the Authorization header or the session cookie, and checks the
 * route's roles. Returns 0, -EPERM (no valid credentials: 401), -EACCES (wrong role: 403)
 * or -ECONNREFUSED / -ETIMEDOUT (database unavailable: 503). */
int auth_resolve(struct http_req *req);
/* Checks a token string with a held connection and fills *out. Returns 0 or -EPERM. */
int auth_check_token(struct db_conn *c, const char *token, struct http_auth *out);
/* The name of a ROLE_* bit ("admin", "team", "analyst"; "anonymous" for none). */
const char *auth_role_name(int role);
/* True when the caller may act on agency code: admins and analysts always, team tokens for
 * their own agencies, anonymous callers never. */
int auth_may_agency(const struct http_auth *a, const char *agency);
