/* auth.c - API tokens and browser sessions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "db-auth.h"
#include "db.h"
#include "random.h"
#include "round-views.h"
#include "sha256.h"
#include "token-cache.h"

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int auth_secret_generate(char hex[65], uint8_t hash[32])
{
	uint8_t raw[32];
	int r = random_bytes(raw, sizeof raw);

	if (r < 0)
		return r;
	to_hex(raw, sizeof raw, hex);
	sha256_digest(hex, 64, hash);
	return 0;
}

int auth_token_generate(int id, char out[AUTH_TOKEN_LEN], uint8_t hash[32])
{
	char hex[65];
	int r = auth_secret_generate(hex, hash);

	if (r < 0)
		return r;
	snprintf(out, AUTH_TOKEN_LEN, "sipas_%d_%s", id, hex);
	return 0;
}

/* Splits "sipas_<id>_<64 hex>" into id and secret; returns 0 or -EPERM. */
static int token_parse(const char *t, int *id, const char **secret)
{
	char *end;
	long v;
	size_t i;

	if (strncmp(t, "sipas_", 6) != 0)
		return -EPERM;
	v = strtol(t + 6, &end, 10);
	if (end == t + 6 || *end != '_' || v <= 0 || v > 0x7fffffff)
		return -EPERM;
	end++;
	if (strlen(end) != 64)
		return -EPERM;
	for (i = 0; i < 64; i++)
		if (!((end[i] >= '0' && end[i] <= '9') || (end[i] >= 'a' && end[i] <= 'f')))
			return -EPERM;
	*id = (int)v;
	*secret = end;
	return 0;
}

/* The roles by name, as tokens store them and the API names them. */
static const struct {
	int bit;
	const char *name;
} roles[] = {
	{ ROLE_ADMIN, "admin" },
	{ ROLE_TEAM, "team" },
	{ ROLE_ANALYST, "analyst" },
};

static int role_bit(const char *role)
{
	size_t i;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (!strcmp(role, roles[i].name))
			return roles[i].bit;
	return 0;
}

const char *auth_role_name(int role)
{
	size_t i;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (roles[i].bit == role)
			return roles[i].name;
	return "anonymous";
}

static void auth_fill(struct http_auth *out, const struct db_token *t)
{
	size_t i;

	out->token_id = t->id;
	out->role = role_bit(t->role);
	snprintf(out->name, sizeof out->name, "%s", t->name);
	out->nagencies = t->nagencies;
	for (i = 0; i < t->nagencies && i < 64; i++)
		snprintf(out->agencies[i], sizeof out->agencies[i], "%s", t->agencies[i]);
}

/* Checks token's secret against row t; fills out. Returns 0 or -EPERM. */
static int token_matches(const struct db_token *t, const char *secret, struct http_auth *out)
{
	uint8_t h[32];

	sha256_digest(secret, 64, h);
	if (consttime_memcmp(h, t->secret_hash, 32) != 0 || t->revoked)
		return -EPERM;
	auth_fill(out, t);
	return 0;
}

int auth_check_token(struct db_conn *c, const char *token, struct http_auth *out)
{
	struct db_token t;
	const char *secret;
	int id, r;

	if ((r = token_parse(token, &id, &secret)) < 0)
		return r;
	r = db_token_get(c, id, &t);
	if (r == -ENOENT)
		return -EPERM;
	if (r < 0)
		return r;
	return token_matches(&t, secret, out);
}

/* auth_check_token with the tokens the process keeps (token-cache.h): a kept token costs no
 * query; another is read with a pooled connection (*c, taken when NULL) and kept. */
static int token_check(struct app *app, struct db_conn **c, const char *token, struct http_auth *out)
{
	unsigned long long heard;
	struct db_token t;
	const char *secret;
	int id, r;

	if ((r = token_parse(token, &id, &secret)) < 0)
		return r;
	heard = round_views_heard(app->rounds);
	if (token_cache_get(app->tokens, id, heard, &t) == 0)
		return token_matches(&t, secret, out);
	if (!*c && (r = app_db(app, c)) < 0)
		return r;
	r = db_token_get(*c, id, &t);
	if (r == -ENOENT)
		return -EPERM;
	if (r < 0)
		return r;
	token_cache_put(app->tokens, heard, &t);
	return token_matches(&t, secret, out);
}


static int session_check(struct db_conn *c, const char *cookie, struct http_auth *out)
{
	struct db_token t;
	uint8_t h[32];
	int token_id, r;

	if (strlen(cookie) != 64)
		return -EPERM;
	sha256_digest(cookie, 64, h);
	r = db_session_get(c, h, &token_id, out->csrf, sizeof out->csrf);
	if (r == -ENOENT)
		return -EPERM;
	if (r < 0)
		return r;
	if ((r = db_token_get(c, token_id, &t)) < 0)
		return r == -ENOENT ? -EPERM : r;
	if (t.revoked)
		return -EPERM;
	auth_fill(out, &t);
	out->via_session = true;
	return 0;
}

int auth_resolve(struct http_req *req)
{
	const char *h = http_header(req, "Authorization");
	const char *cookie = http_cookie(req, AUTH_SESSION_COOKIE);
	int who = req->route->who, r = -EPERM;
	struct db_conn *c = NULL;

	if (!h && !cookie)
		return (who & ROLE_PUBLIC) ? 0 : -EPERM;
	if (h && strncasecmp(h, "Bearer ", 7) != 0)
		return (who & ROLE_PUBLIC) ? 0 : -EPERM;
	if (h) {
		r = token_check(req->app, &c, h + 7, &req->auth);
	} else {
		r = app_db(req->app, &c);
		if (r == 0)
			r = session_check(c, cookie, &req->auth);
	}
	db_release(c);
	if (who & ROLE_PUBLIC) {
		if (r < 0)
			memset(&req->auth, 0, sizeof req->auth);   /* public: bad credentials are ignored */
		return 0;
	}
	if (r < 0)
		return r;
	return (req->auth.role & who) ? 0 : -EACCES;
}

int auth_may_agency(const struct http_auth *a, const char *agency)
{
	size_t i;

	if (a->role == ROLE_ADMIN || a->role == ROLE_ANALYST)
		return 1;
	if (a->role != ROLE_TEAM)
		return 0;
	for (i = 0; i < a->nagencies; i++)
		if (strcmp(a->agencies[i], agency) == 0)
			return 1;
	return 0;
}
