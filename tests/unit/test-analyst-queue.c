/* test-analyst-queue.c - the analysts' bounded queue (store/analyst-queue.c): a full queue
 * refuses at once, waiting jobs with the same key are handed to one run, a stopped queue runs
 * what waits and refuses the rest, and when it is under load. The worker is held on a gate,
 * never timed. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "analyst-queue.h"
#include "test.h"

struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started, open;
};

static struct gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false };

struct tjob {
	struct analyst_job job;      /* first */
	const char *name;
	bool hold;                   /* wait at the gate */
	int runs, followers, parked;
	char order[16];              /* the names of the followers it was handed */
};

static char log_[64];            /* the names of the jobs run, in order */
static struct analyst_queue *the_queue;
static int alone_busy = -1;      /* analyst_queue_busy(self) as the held job began, alone */

static void run(struct analyst_job *job, struct analyst_job *followers)
{
	struct tjob *t = (struct tjob *)(void *)job;
	struct analyst_job *f;

	if (t->hold)
		alone_busy = analyst_queue_busy(the_queue, true);
	pthread_mutex_lock(&gate.mu);
	if (t->hold) {
		gate.started = true;
		pthread_cond_broadcast(&gate.cv);
		while (!gate.open)
			pthread_cond_wait(&gate.cv, &gate.mu);
	}
	strcat(log_, t->name);
	t->runs++;
	for (f = followers; f; f = f->next) {
		t->followers++;
		strcat(t->order, ((struct tjob *)(void *)f)->name);
	}
	pthread_mutex_unlock(&gate.mu);
}

static void park(void *waiter)
{
	((struct tjob *)waiter)->parked++;
}

static void init(struct tjob *t, const char *name, const char *key, bool hold)
{
	memset(t, 0, sizeof *t);
	t->job.run = run;
	t->job.key = key;
	t->name = name;
	t->hold = hold;
}

int main(void)
{
	struct analyst_queue *q = NULL;
	struct tjob hold, a1, b, a2, c, late, spare;
	unsigned waiting = 9, running = 9;

	CHECK_INT(analyst_queue_new(0, 1, &q), -EINVAL);
	CHECK_INT(analyst_queue_new(1, 0, &q), -EINVAL);
	CHECK_OK(analyst_queue_new(1, 3, &q));
	the_queue = q;
	CHECK(!analyst_queue_busy(q, false));       /* nothing ever ran */

	/* the one worker is held inside a job */
	init(&hold, "H", NULL, true);
	CHECK_OK(analyst_queue_submit(q, &hold.job, park, &hold));
	pthread_mutex_lock(&gate.mu);
	while (!gate.started)
		pthread_cond_wait(&gate.cv, &gate.mu);
	pthread_mutex_unlock(&gate.mu);
	CHECK_INT(alone_busy, 0);                   /* one job, alone: no load */
	CHECK(analyst_queue_busy(q, false));        /* another's job runs: load */

	/* three wait; the fourth is refused at once, without being parked */
	init(&a1, "a", "same", false);
	init(&b, "b", "other", false);
	init(&a2, "A", "same", false);
	init(&c, "c", NULL, false);
	CHECK_OK(analyst_queue_submit(q, &a1.job, park, &a1));
	CHECK_OK(analyst_queue_submit(q, &b.job, park, &b));
	CHECK_OK(analyst_queue_submit(q, &a2.job, park, &a2));
	CHECK_INT(analyst_queue_submit(q, &c.job, park, &c), -EAGAIN);
	CHECK_INT(c.parked, 0);
	CHECK_INT(a1.parked + b.parked + a2.parked, 3);
	analyst_queue_load(q, &waiting, &running);
	CHECK_INT(waiting, 3);
	CHECK_INT(running, 1);

	/* stop while held: what waits still runs, then new work is refused */
	pthread_mutex_lock(&gate.mu);
	gate.open = true;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
	analyst_queue_stop(q);
	init(&late, "L", NULL, false);
	CHECK_INT(analyst_queue_submit(q, &late.job, park, &late), -ESHUTDOWN);
	CHECK_INT(late.parked, 0);

	/* "a" ran once and was handed "A" (same key, waiting behind "b"); "b" ran alone */
	CHECK_STR(log_, "Hab");
	CHECK_INT(a1.runs, 1);
	CHECK_INT(a1.followers, 1);
	CHECK_STR(a1.order, "A");
	CHECK_INT(a2.runs, 0);
	CHECK_INT(b.runs, 1);
	CHECK_INT(b.followers, 0);
	analyst_queue_load(q, &waiting, &running);
	CHECK_INT(waiting, 0);
	CHECK_INT(running, 0);
	{       /* all done: the load is forgotten a moment later (ANALYST_QUEUE_BUSY_MS) */
		struct timespec step = { 0, 10 * 1000000L };
		int i;

		for (i = 0; i < 3000 && analyst_queue_busy(q, false); i++)
			nanosleep(&step, NULL);
		CHECK(!analyst_queue_busy(q, false));
	}
	analyst_queue_free(q);

	/* jobs without a key are never shared */
	CHECK_OK(analyst_queue_new(2, 8, &q));
	init(&spare, "s", NULL, false);
	CHECK_OK(analyst_queue_submit(q, &spare.job, park, &spare));
	analyst_queue_free(q);
	CHECK_INT(spare.runs, 1);
	CHECK_INT(spare.followers, 0);
	TEST_DONE();
}
