/* csrf.c - double-submit tokens for anonymous forms, the session secret for logged-in ones. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "random.h"
#include "csrf.h"
#include "sha256.h"

static int is_token(const char *s)
{
	size_t i;

	if (!s || strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int csrf_token(struct http_req *req, char out[65])
{
	const char *cookie;
	char set[160];
	uint8_t hash[32];
	int r;

	if (req->auth.via_session && is_token(req->auth.csrf)) {
		memcpy(out, req->auth.csrf, 65);
		return 0;
	}
	cookie = http_cookie(req, CSRF_COOKIE);
	if (is_token(cookie)) {
		memcpy(out, cookie, 65);
		return 0;
	}
	if ((r = auth_secret_generate(out, hash)) < 0)
		return r;
	snprintf(set, sizeof set, CSRF_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", out);
	return http_add_header(req, "Set-Cookie", set);
}

int csrf_compare(const char *expected, const char *submitted)
{
	if (!is_token(submitted) || !is_token(expected))
		return -EACCES;
	return consttime_memcmp(submitted, expected, 64) == 0 ? 0 : -EACCES;
}

int csrf_check(struct http_req *req, const char *submitted)
{
	if (!submitted)
		submitted = http_header(req, CSRF_HEADER);
	return csrf_compare(req->auth.via_session ? req->auth.csrf : http_cookie(req, CSRF_COOKIE), submitted);
}
