/* ratelimit.c - a fixed table of token buckets keyed by a hash of the client address.
 * Collisions share a bucket (strictness errs on the side of the server); memory is fixed. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "ratelimit.h"

#define BUCKETS 8192

struct bucket {
	uint64_t key;
	double tokens;
	double last;      /* seconds, monotonic */
};

static struct bucket table[BUCKETS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned rate_per_minute = 120;

void ratelimit_configure(unsigned per_minute)
{
	rate_per_minute = per_minute;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h | 1;   /* never 0: 0 marks an empty bucket */
}

int ratelimit_check(struct app *app, const char *client)
{
	double rate, burst, now;
	struct timespec ts;
	struct bucket *b;
	uint64_t key;
	int wait = 0;

	(void)app;
	if (rate_per_minute == 0)
		return 0;
	rate = rate_per_minute / 60.0;
	burst = rate_per_minute / 2 + 1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	key = fnv1a(client);
	pthread_mutex_lock(&lock);
	b = &table[key % BUCKETS];
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
	pthread_mutex_unlock(&lock);
	return wait;
}
