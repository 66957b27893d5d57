/* ratelimit.c - a fixed table of token buckets keyed by a hash of the client address.
 * Collisions share a bucket (strictness errs on the side of the server); memory is fixed. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ratelimit.h"

#define BUCKETS 8192

struct bucket {
	uint64_t key;
	double tokens;
	double last;      /* seconds, monotonic */
};

struct ratelimit {
	pthread_mutex_t lock;
	unsigned per_minute;
	struct bucket table[BUCKETS];
};

int ratelimit_new(unsigned per_minute, struct ratelimit **out)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);

	if (!rl)
		return -ENOMEM;
	pthread_mutex_init(&rl->lock, NULL);
	rl->per_minute = per_minute;
	*out = rl;
	return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h | 1;   /* never 0: 0 marks an empty bucket */
}

int ratelimit_check(struct ratelimit *rl, const char *client)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ratelimit_check_at(rl, client, (double)ts.tv_sec + ts.tv_nsec / 1e9);
}

int ratelimit_check_at(struct ratelimit *rl, const char *client, double now)
{
	double rate, burst;
	struct bucket *b;
	uint64_t key;
	int wait = 0;

	if (!rl || rl->per_minute == 0)
		return 0;
	rate = rl->per_minute / 60.0;
	burst = rl->per_minute / 2 + 1;
	key = fnv1a(client);
	pthread_mutex_lock(&rl->lock);
	b = &rl->table[key % BUCKETS];
	if (b->key != key) {
		b->key = key;
		b->tokens = burst;
		b->last = now;
	}
	b->tokens += (now - b->last) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last = now;
	if (b->tokens >= 1)
		b->tokens -= 1;
	else
		wait = (int)((1 - b->tokens) / rate) + 1;
	pthread_mutex_unlock(&rl->lock);
	return wait;
}
