/* analyst-queue.h - the analysts' own bounded queue and worker threads.
 *
 * Analysts' computations (estimates, comparisons, exports, the dashboard, the report,
 * published results, progress) take seconds of CPU and database time; run on the HTTP
 * threads they would make citizens' posts and form pages wait. A caller parks its waiter
 * (the HTTP layer suspends the request, so no HTTP thread is held) and queues a job; one of
 * a few worker threads runs it and the job itself wakes the waiter. The queue is bounded: a
 * full queue refuses the job at once (the caller answers 503 with Retry-After) rather than
 * letting requests pile up. */
#pragma once

#include <stdbool.h>

#define ANALYST_WORKERS_MAX 64

struct analyst_queue;

/* A job on its way through the queue; keep it alive until run has been called. Jobs with the
 * same key (not NULL) asking for the same answer, a worker that takes one takes every other
 * waiting job of that key with it: run gets the first and the others as a list (followers,
 * linked by next), all of which arrived before the run began, so one computation answers
 * them all. */
struct analyst_job {
	void (*run)(struct analyst_job *job, struct analyst_job *followers);  /* once, on a worker */
	const char *key;                        /* what the answer depends on, or NULL: never shared */
	struct analyst_job *next;               /* private until run */
};

/* Starts workers (1 to ANALYST_WORKERS_MAX) threads for a queue of at most depth waiting jobs
 * (1 or more). Returns 0 and *out (analyst_queue_free), -EINVAL, or a negative errno. */
int analyst_queue_new(unsigned workers, unsigned depth, struct analyst_queue **out);
/* Runs what is queued, then stops and joins the workers; later submits get -ESHUTDOWN. */
void analyst_queue_stop(struct analyst_queue *q);
/* analyst_queue_stop, then frees q; NULL is fine. */
void analyst_queue_free(struct analyst_queue *q);
/* Queues job, calling park(waiter) before any worker can see it. Returns 0, -EAGAIN when
 * depth jobs already wait (nothing queued, park not called), or -ESHUTDOWN when stopping. */
int analyst_queue_submit(struct analyst_queue *q, struct analyst_job *job, void (*park)(void *waiter),
			 void *waiter);
/* Jobs waiting (not yet taken by a worker) and workers running jobs now, for the log. */
void analyst_queue_load(struct analyst_queue *q, unsigned *waiting, unsigned *running);
/* How long a moment of load counts (analyst_queue_busy). */
#define ANALYST_QUEUE_BUSY_MS 100

/* Whether the analysts are under load: a job other than the caller's (self: the caller runs on
 * a worker) waits or runs now, or did less than ANALYST_QUEUE_BUSY_MS ago. A steady stream of
 * requests is load even when each finds the queue empty; one analyst's requests one after
 * another, each sent after the last reply, are not (their gaps are longer). */
bool analyst_queue_busy(struct analyst_queue *q, bool self);
