/* token-cache.c - a fixed table of tokens with least-recently-used replacement (see
 * token-cache.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "token-cache.h"

struct entry {
	unsigned long long heard;    /* 0: a free slot */
	unsigned long long used;
	struct db_token t;
};

struct token_cache {
	pthread_mutex_t mu;
	unsigned long long tick;
	struct entry e[TOKEN_CACHE_SIZE];
};

int token_cache_new(struct token_cache **out)
{
	struct token_cache *tc = calloc(1, sizeof *tc);

	if (!tc)
		return -ENOMEM;
	pthread_mutex_init(&tc->mu, NULL);
	*out = tc;
	return 0;
}

void token_cache_free(struct token_cache *tc)
{
	if (!tc)
		return;
	pthread_mutex_destroy(&tc->mu);
	free(tc);
}

int token_cache_get(struct token_cache *tc, int id, unsigned long long heard, struct db_token *out)
{
	int r = -ENOENT;
	size_t i;

	if (!heard)
		return r;
	pthread_mutex_lock(&tc->mu);
	for (i = 0; i < TOKEN_CACHE_SIZE; i++) {
		struct entry *e = &tc->e[i];

		if (e->heard == heard && e->t.id == id) {
			e->used = ++tc->tick;
			*out = e->t;
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&tc->mu);
	return r;
}

void token_cache_put(struct token_cache *tc, unsigned long long heard, const struct db_token *t)
{
	struct entry *slot = &tc->e[0];
	size_t i;

	if (!heard)
		return;
	pthread_mutex_lock(&tc->mu);
	for (i = 0; i < TOKEN_CACHE_SIZE; i++) {
		struct entry *e = &tc->e[i];

		if (e->t.id == t->id || e->heard != heard) {      /* the same token, or one heard of before */
			slot = e;
			break;
		}
		if (e->used < slot->used)
			slot = e;
	}
	slot->heard = heard;
	slot->used = ++tc->tick;
	slot->t = *t;
	pthread_mutex_unlock(&tc->mu);
}
