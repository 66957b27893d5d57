/* csrf.h - protection of state-changing form posts.
 *
 * Anonymous pages use a double-submit token: a random HttpOnly, SameSite=Strict cookie
 * (sipas_csrf) and the same value in a hidden field. Pages of a logged-in session use the
 * session's own CSRF secret, sent back as a hidden field or an X-CSRF-Token header. */
#pragma once

#include "http.h"

#define CSRF_COOKIE "sipas_csrf"
#define CSRF_FIELD "csrf"
#define CSRF_HEADER "X-CSRF-Token"

/* Writes the value a form on this page must send back (64 hex digits), setting the cookie
 * when the request has none. Returns 0 or a negative errno. */
int csrf_token(struct http_req *req, char out[65]);
/* Checks a submitted value (a field, or NULL to read the X-CSRF-Token header) in constant
 * time. Returns 0 or -EACCES. */
int csrf_check(struct http_req *req, const char *submitted);
/* Compares a submitted value with the expected one in constant time; both must be tokens (64
 * lowercase hex digits; NULL is none). Returns 0 or -EACCES. */
int csrf_compare(const char *expected, const char *submitted);
