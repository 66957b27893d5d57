/* reply-cache.c - a fixed table of computed replies with least-recently-used replacement. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gzip.h"
#include "reply-cache.h"
#include "strbuf.h"

struct entry {
	int survey_id;
	char *key;                                /* NULL: a free slot */
	char version[REPLY_CACHE_VERSION_MAX];
	char *body;
	size_t len;
	char *gz;                                 /* body's gzip coding, or NULL */
	size_t gzlen;
	unsigned long long used;
};

struct reply_cache {
	pthread_mutex_t mu;
	struct entry e[REPLY_CACHE_SIZE];
	unsigned long long tick;
};

int reply_cache_new(struct reply_cache **out)
{
	struct reply_cache *rc = calloc(1, sizeof *rc);

	if (!rc)
		return -ENOMEM;
	pthread_mutex_init(&rc->mu, NULL);
	*out = rc;
	return 0;
}

void reply_cache_free(struct reply_cache *rc)
{
	size_t i;

	if (!rc)
		return;
	for (i = 0; i < REPLY_CACHE_SIZE; i++) {
		free(rc->e[i].key);
		free(rc->e[i].body);
		free(rc->e[i].gz);
	}
	pthread_mutex_destroy(&rc->mu);
	free(rc);
}

int reply_cache_get(struct reply_cache *rc, int survey_id, const char *key, const char *version, bool gzip,
		    struct strbuf *out, bool *gzipped)
{
	int r = 0;
	size_t i;

	pthread_mutex_lock(&rc->mu);
	for (i = 0; i < REPLY_CACHE_SIZE; i++) {
		struct entry *e = &rc->e[i];

		if (e->key && e->survey_id == survey_id && !strcmp(e->key, key) && !strcmp(e->version, version)) {
			e->used = ++rc->tick;
			strbuf_reset(out);
			*gzipped = gzip && e->gz;
			r = strbuf_append(out, *gzipped ? e->gz : e->body, *gzipped ? e->gzlen : e->len) < 0 ? -ENOMEM : 1;
			break;
		}
	}
	pthread_mutex_unlock(&rc->mu);
	return r;
}

void reply_cache_put(struct reply_cache *rc, int survey_id, const char *key, const char *version,
		     const char *body, size_t len)
{
	struct entry *victim = NULL;
	struct strbuf gz;
	char *k, *b;
	size_t i;

	if (len > REPLY_CACHE_MAX_BYTES)
		return;
	strbuf_init(&gz, 0);
	if (len >= REPLY_CACHE_GZIP_MIN && gzip_compress(body, len, &gz) < 0)
		strbuf_done(&gz);                 /* kept without its gzip coding */
	k = strdup(key);
	b = malloc(len ? len : 1);
	if (!k || !b) {
		free(k);
		free(b);
		strbuf_done(&gz);
		return;
	}
	memcpy(b, body, len);
	pthread_mutex_lock(&rc->mu);
	for (i = 0; i < REPLY_CACHE_SIZE; i++) {
		struct entry *e = &rc->e[i];

		if (e->key && e->survey_id == survey_id && !strcmp(e->key, key)) {
			victim = e;           /* an older version of the same reply */
			break;
		}
		if (!victim || !e->key || (victim->key && e->used < victim->used))
			victim = e;
	}
	free(victim->key);
	free(victim->body);
	free(victim->gz);
	victim->gzlen = gz.len;
	victim->gz = gz.len ? strbuf_steal(&gz) : NULL;
	victim->survey_id = survey_id;
	victim->key = k;
	snprintf(victim->version, sizeof victim->version, "%s", version);
	victim->body = b;
	victim->len = len;
	victim->used = ++rc->tick;
	pthread_mutex_unlock(&rc->mu);
	strbuf_done(&gz);
}
