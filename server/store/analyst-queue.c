/* analyst-queue.c - a mutex, a condition variable, a FIFO of jobs and the worker threads. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyst-queue.h"
#include "monotime.h"
#include "threads.h"

struct analyst_queue {
	pthread_mutex_t mu;
	pthread_cond_t work;        /* workers wait for jobs */
	struct analyst_job *head, *tail;
	unsigned waiting, running, depth;
	int64_t busy_ns;            /* when a job last found another waiting or running */
	bool stop, joined;
	unsigned nworkers;
	pthread_t threads[ANALYST_WORKERS_MAX];
};

/* Unlinks the waiting jobs with this key (q->mu held; the caller fixes q->tail) and returns
 * them as a list in their order; NULL when key is NULL or none. */
static struct analyst_job *take_same(struct analyst_queue *q, const char *key)
{
	struct analyst_job **pp = &q->head, *it, *first = NULL, **last = &first;

	if (!key)
		return NULL;
	while ((it = *pp)) {
		if (!it->key || strcmp(it->key, key) != 0) {
			pp = &it->next;
			continue;
		}
		*pp = it->next;
		q->waiting--;
		it->next = NULL;
		*last = it;
		last = &it->next;
	}
	return first;
}

static void *worker_main(void *arg)
{
	struct analyst_queue *q = arg;
	struct analyst_job *job, *followers, *it;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->work, &q->mu);
		if (!q->head)
			break;               /* stopping, and nothing left to run */
		job = q->head;
		q->head = job->next;
		q->waiting--;
		followers = take_same(q, job->key);
		q->tail = NULL;
		for (it = q->head; it; it = it->next)
			q->tail = it;
		q->running++;
		pthread_mutex_unlock(&q->mu);
		job->run(job, followers);    /* may free the jobs */
		pthread_mutex_lock(&q->mu);
		q->running--;
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

void analyst_queue_stop(struct analyst_queue *q)
{
	unsigned i;

	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->work);
	if (q->joined) {
		pthread_mutex_unlock(&q->mu);
		return;
	}
	q->joined = true;
	pthread_mutex_unlock(&q->mu);
	for (i = 0; i < q->nworkers; i++)
		pthread_join(q->threads[i], NULL);
}

void analyst_queue_free(struct analyst_queue *q)
{
	if (!q)
		return;
	analyst_queue_stop(q);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	free(q);
}

int analyst_queue_new(unsigned workers, unsigned depth, struct analyst_queue **out)
{
	struct analyst_queue *q;
	int r;

	if (workers == 0 || workers > ANALYST_WORKERS_MAX || depth == 0)
		return -EINVAL;
	if (!(q = calloc(1, sizeof *q)))
		return -ENOMEM;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	q->depth = depth;
	if ((r = threads_start(q->threads, workers, "sipas-analyst", THREADS_NICE_ANALYSTS, worker_main, q,
				 &q->nworkers)) < 0) {
		analyst_queue_free(q);
		return r;
	}
	*out = q;
	return 0;
}

int analyst_queue_submit(struct analyst_queue *q, struct analyst_job *job, void (*park)(void *waiter),
			 void *waiter)
{
	pthread_mutex_lock(&q->mu);
	if (q->stop) {
		pthread_mutex_unlock(&q->mu);
		return -ESHUTDOWN;
	}
	if (q->waiting >= q->depth) {
		pthread_mutex_unlock(&q->mu);
		return -EAGAIN;
	}
	if (q->waiting || q->running)
		q->busy_ns = mono_ns();
	park(waiter);                /* before a worker can run the job and wake the waiter */
	job->next = NULL;
	if (q->tail)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
	q->waiting++;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

void analyst_queue_load(struct analyst_queue *q, unsigned *waiting, unsigned *running)
{
	pthread_mutex_lock(&q->mu);
	*waiting = q->waiting;
	*running = q->running;
	pthread_mutex_unlock(&q->mu);
}

bool analyst_queue_busy(struct analyst_queue *q, bool self)
{
	int64_t now = mono_ns();
	bool busy;

	pthread_mutex_lock(&q->mu);
	if (q->waiting || q->running > (self ? 1u : 0u))
		q->busy_ns = now;
	busy = q->busy_ns && now - q->busy_ns < ANALYST_QUEUE_BUSY_MS * 1000000LL;
	pthread_mutex_unlock(&q->mu);
	return busy;
}
