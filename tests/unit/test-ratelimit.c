/* test-ratelimit.c - the per-client token buckets (http/ratelimit.c), on a given clock. */
#include "ratelimit.h"
#include "test.h"

int main(void)
{
	struct ratelimit *rl = NULL, *off = NULL;
	double t = 1000.0;
	int i, allowed = 0, wait;

	CHECK_OK(ratelimit_new(120, &rl));   /* 2 a second, bursts of 61 */
	for (i = 0; i < 100; i++)
		if (ratelimit_check_at(rl, "10.0.0.1", t) == 0)
			allowed++;
	CHECK_INT(allowed, 61);
	/* the next one waits, and says how long (one token at 2 a second: 1 s, rounded up) */
	wait = ratelimit_check_at(rl, "10.0.0.1", t);
	CHECK(wait >= 1 && wait <= 2);
	/* another client has its own budget */
	CHECK_INT(ratelimit_check_at(rl, "10.0.0.2", t), 0);
	/* tokens come back at the rate: after 1.5 s, three requests pass and the fourth waits */
	t += 1.5;
	CHECK_INT(ratelimit_check_at(rl, "10.0.0.1", t), 0);
	CHECK_INT(ratelimit_check_at(rl, "10.0.0.1", t), 0);
	CHECK_INT(ratelimit_check_at(rl, "10.0.0.1", t), 0);
	CHECK(ratelimit_check_at(rl, "10.0.0.1", t) > 0);
	/* never more than the burst, however long the client was away */
	t += 3600;
	for (allowed = 0, i = 0; i < 100; i++)
		if (ratelimit_check_at(rl, "10.0.0.1", t) == 0)
			allowed++;
	CHECK_INT(allowed, 61);
	ratelimit_free(rl);

	/* 0 turns the limit off; a NULL limiter admits everything */
	CHECK_OK(ratelimit_new(0, &off));
	for (allowed = 0, i = 0; i < 1000; i++)
		if (ratelimit_check_at(off, "10.0.0.1", t) == 0)
			allowed++;
	CHECK_INT(allowed, 1000);
	ratelimit_free(off);
	CHECK_INT(ratelimit_check(NULL, "x"), 0);
	ratelimit_free(NULL);
	TEST_DONE();
}
