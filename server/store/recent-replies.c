/* recent-replies.c - a fixed table of kept replies (see recent-replies.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "recent-replies.h"

struct entry {
	char *key;                   /* NULL: a free slot */
	int64_t began_ns;
	int64_t refresh_ns;          /* when a request was let through to compute it again; 0: none */
	unsigned long long used;
	struct http_kept *reply;
};

struct recent_replies {
	pthread_mutex_t mu;
	unsigned long long tick;
	struct entry e[RECENT_REPLIES_SIZE];
};

int recent_replies_new(struct recent_replies **out)
{
	struct recent_replies *rr = calloc(1, sizeof *rr);

	if (!rr)
		return -ENOMEM;
	pthread_mutex_init(&rr->mu, NULL);
	*out = rr;
	return 0;
}

void recent_replies_free(struct recent_replies *rr)
{
	size_t i;

	if (!rr)
		return;
	for (i = 0; i < RECENT_REPLIES_SIZE; i++) {
		free(rr->e[i].key);
		http_kept_free(rr->e[i].reply);
	}
	pthread_mutex_destroy(&rr->mu);
	free(rr);
}

int recent_replies_replay(struct recent_replies *rr, const char *key, int64_t now_ns, int64_t max_age_ns,
			  struct http_req *req)
{
	int status = 0;
	size_t i;

	pthread_mutex_lock(&rr->mu);
	for (i = 0; i < RECENT_REPLIES_SIZE; i++) {
		struct entry *e = &rr->e[i];
		int64_t age = now_ns - e->began_ns;

		if (!e->key || age >= max_age_ns || strcmp(e->key, key))
			continue;
		if (age >= max_age_ns / 2 && (!e->refresh_ns || now_ns - e->refresh_ns >= max_age_ns)) {
			e->refresh_ns = now_ns;   /* this one computes it again */
			break;
		}
		e->used = ++rr->tick;
		status = http_replay(req, e->reply);
		break;
	}
	pthread_mutex_unlock(&rr->mu);
	return status;
}

void recent_replies_put(struct recent_replies *rr, const char *key, int64_t began_ns, struct http_kept *k)
{
	struct entry *slot = NULL, old;
	char *copy;
	size_t i;

	if (!k)
		return;
	if (strlen(key) >= RECENT_REPLIES_KEY_MAX || !(copy = strdup(key))) {
		http_kept_free(k);
		return;
	}
	pthread_mutex_lock(&rr->mu);
	for (i = 0; i < RECENT_REPLIES_SIZE; i++) {
		struct entry *e = &rr->e[i];

		if (e->key && !strcmp(e->key, key)) {
			slot = e;
			break;
		}
		if (!slot || !e->key || (slot->key && e->used < slot->used))
			slot = e;
	}
	if (slot->key && slot->began_ns > began_ns && !strcmp(slot->key, key)) {
		pthread_mutex_unlock(&rr->mu);      /* a later computation's reply is kept already */
		free(copy);
		http_kept_free(k);
		return;
	}
	old = *slot;
	*slot = (struct entry){ .key = copy, .began_ns = began_ns, .used = ++rr->tick, .reply = k };
	pthread_mutex_unlock(&rr->mu);
	free(old.key);
	http_kept_free(old.reply);
}
