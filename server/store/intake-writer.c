/* intake-writer.c - the group-commit queue: a mutex, two condition variables, and writer
 * threads that each own one database connection. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "intake-writer.h"
#include "log.h"
#include "monotime.h"
#include "threads.h"

enum item_state { ITEM_QUEUED, ITEM_STORED, ITEM_ALONE };

struct intake_writers {
	pthread_mutex_t mu;
	pthread_cond_t work;        /* writers wait for items */
	struct intake_ticket *head, *tail;
	size_t queued;
	bool stop;
	unsigned nwriters;
	pthread_t threads[INTAKE_WRITERS_MAX];
	char *conninfo;
};

/* Takes up to max queued items into batch (distinct survey and client id); returns the count. */
static size_t take(struct intake_writers *q, struct intake_ticket **batch, size_t max)
{
	struct intake_ticket **pp = &q->head, *it;
	size_t n = 0, i;

	while ((it = *pp) && n < max) {
		bool dup = false;

		for (i = 0; i < n && !dup; i++)
			dup = batch[i]->r->survey_id == it->r->survey_id &&
			      strcmp(batch[i]->r->client_id, it->r->client_id) == 0;
		if (dup) {               /* the same id twice: the second waits for the next batch */
			pp = &it->next;
			continue;
		}
		*pp = it->next;
		batch[n++] = it;
		q->queued--;
	}
	q->tail = NULL;
	for (it = q->head; it; it = it->next)
		q->tail = it;
	return n;
}

static void *writer_main(void *arg)
{
	struct intake_writers *q = arg;
	struct intake_ticket *batch[DB_RESPONSE_BATCH_MAX];
	const struct db_response *rows[DB_RESPONSE_BATCH_MAX];
	bool inserted[DB_RESPONSE_BATCH_MAX];
	struct db_conn *c = NULL;
	char err[256];
	size_t n, i;
	int r;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->work, &q->mu);
		if (!q->head && q->stop)
			break;
		n = take(q, batch, DB_RESPONSE_BATCH_MAX);
		pthread_mutex_unlock(&q->mu);

		for (i = 0; i < n; i++)
			rows[i] = batch[i]->r;
		r = -ECONNREFUSED;
		if (!c && db_connect(q->conninfo, &c, err, sizeof err) < 0)
			log_warn("intake writer: database: %s", err);
		if (c && n) {
			int64_t t0 = mono_ns();

			r = db_responses_insert_batch(c, rows, n, inserted);
			log_debug("intake writer: %zu rows in %.1f ms", n, (double)(mono_ns() - t0) / 1e6);
		}
		if (r < 0 && c) {
			log_warn("intake writer: a batch of %zu failed (%s); storing one by one", n, db_conn_error(c));
			db_conn_close(c);    /* reconnect for the next batch: the failure may be the link */
			c = NULL;
		}

		/* a woken waiter may finish and free its ticket at once: read nothing after */
		for (i = 0; i < n; i++) {
			void (*wake)(void *) = batch[i]->wake;
			void *waiter = batch[i]->waiter;

			batch[i]->state = r == 0 && inserted[i] ? ITEM_STORED : ITEM_ALONE;
			wake(waiter);
		}
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	db_conn_close(c);
	return NULL;
}

void intake_writers_free(struct intake_writers *q)
{
	unsigned i;

	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->mu);
	for (i = 0; i < q->nwriters; i++)
		pthread_join(q->threads[i], NULL);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	free(q->conninfo);
	free(q);
}

int intake_writers_new(const char *database_url, unsigned n, struct intake_writers **out)
{
	struct intake_writers *q;
	int r;

	if (n == 0 || n > INTAKE_WRITERS_MAX)
		return -EINVAL;
	if (!(q = calloc(1, sizeof *q)))
		return -ENOMEM;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	if (!(q->conninfo = strdup(database_url))) {
		intake_writers_free(q);
		return -ENOMEM;
	}
	if ((r = threads_start(q->threads, n, "sipas-writer", 0, writer_main, q, &q->nwriters)) < 0) {
		intake_writers_free(q);
		return r;
	}
	*out = q;
	return 0;
}

int intake_writers_submit(struct intake_writers *q, struct intake_ticket *t, void (*park)(void *waiter))
{
	t->state = ITEM_QUEUED;
	t->next = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->stop) {
		pthread_mutex_unlock(&q->mu);
		return -ESHUTDOWN;
	}
	park(t->waiter);             /* before a writer can see the ticket and wake it */
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
	q->queued++;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

bool intake_ticket_stored(const struct intake_ticket *t)
{
	return t->state == ITEM_STORED;
}
