/* token-cache.h - API tokens as the database holds them (role, scope, revocation, the hash of
 * the secret), kept in memory while nothing was heard (round-views.h: tokens and their agencies
 * announce every change with NOTIFY sipas_rounds), so that a request's token check costs no
 * query. The secret is still checked against the hash on every request. Thread-safe; at most
 * TOKEN_CACHE_SIZE tokens. */
#pragma once

#include "db-auth.h"

#define TOKEN_CACHE_SIZE 64

struct token_cache;

/* Makes an empty cache. Returns 0 and *out (token_cache_free), or -ENOMEM. */
int token_cache_new(struct token_cache **out);
/* Frees tc; NULL is fine. */
void token_cache_free(struct token_cache *tc);
/* Copies token id's row into out when it was kept at heard (round_views_heard now, not 0).
 * Returns 0 or -ENOENT. */
int token_cache_get(struct token_cache *tc, int id, unsigned long long heard, struct db_token *out);
/* Keeps a copy of t, read after round_views_heard gave heard (0: keeps nothing). */
void token_cache_put(struct token_cache *tc, unsigned long long heard, const struct db_token *t);
