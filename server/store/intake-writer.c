/* intake-writer.c - the group-commit queue: a mutex, two condition variables, and writer
 * threads that each own one database connection. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "http.h"
#include "intake-writer.h"
#include "log.h"

#define MAX_WRITERS 16

enum item_state { ITEM_QUEUED, ITEM_STORED, ITEM_ALONE };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t work;        /* writers wait for items */
	struct intake_ticket *head, *tail;
	size_t queued;
	bool stop;
	unsigned nwriters;
	pthread_t threads[MAX_WRITERS];
	char *conninfo;
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	NULL, NULL, 0, false, 0, { 0 }, NULL };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct app *the_app;

/* Takes up to max queued items into batch (distinct survey and client id); returns the count. */
static size_t take(struct intake_ticket **batch, size_t max)
{
	struct intake_ticket **pp = &q.head, *it;
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
		q.queued--;
	}
	q.tail = NULL;
	for (it = q.head; it; it = it->next)
		q.tail = it;
	return n;
}

static void *writer_main(void *arg)
{
	struct intake_ticket *batch[DB_RESPONSE_BATCH_MAX];
	const struct db_response *rows[DB_RESPONSE_BATCH_MAX];
	bool inserted[DB_RESPONSE_BATCH_MAX];
	struct db_conn *c = NULL;
	char err[256];
	size_t n, i;
	int r;

	(void)arg;
	pthread_mutex_lock(&q.mu);
	for (;;) {
		while (!q.head && !q.stop)
			pthread_cond_wait(&q.work, &q.mu);
		if (!q.head && q.stop)
			break;
		n = take(batch, DB_RESPONSE_BATCH_MAX);
		pthread_mutex_unlock(&q.mu);

		for (i = 0; i < n; i++)
			rows[i] = batch[i]->r;
		r = -ECONNREFUSED;
		if (!c && db_connect(q.conninfo, &c, err, sizeof err) < 0)
			log_warn("intake writer: database: %s", err);
		if (c && n) {
			struct timespec t0, t1;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			r = db_responses_insert_batch(c, rows, n, inserted);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			log_debug("intake writer: %zu rows in %.1f ms", n,
				  (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
		}
		if (r < 0 && c) {
			log_warn("intake writer: a batch of %zu failed (%s); storing one by one", n, db_conn_error(c));
			db_conn_close(c);    /* reconnect for the next batch: the failure may be the link */
			c = NULL;
		}

		/* a resumed request may finish and free its ticket at once: read nothing after */
		for (i = 0; i < n; i++) {
			struct http_req *req = batch[i]->req;

			batch[i]->state = r == 0 && inserted[i] ? ITEM_STORED : ITEM_ALONE;
			http_resume(req);
		}
		pthread_mutex_lock(&q.mu);
	}
	pthread_mutex_unlock(&q.mu);
	db_conn_close(c);
	return NULL;
}

static void writers_stop(void)
{
	unsigned i;

	pthread_mutex_lock(&q.mu);
	q.stop = true;
	pthread_cond_broadcast(&q.work);
	pthread_mutex_unlock(&q.mu);
	for (i = 0; i < q.nwriters; i++)
		pthread_join(q.threads[i], NULL);
	q.nwriters = 0;
	free(q.conninfo);
	q.conninfo = NULL;
}

static void writers_start(void)
{
	const char *env = getenv("SIPAS_WRITERS");
	unsigned want = env && *env ? (unsigned)strtoul(env, NULL, 10) : 2, i;
	sigset_t all, old;

	if (want > MAX_WRITERS)
		want = MAX_WRITERS;
	q.conninfo = strdup(the_app->cfg.database_url);
	if (!q.conninfo)
		return;
	/* writers take no signals: SIGTERM must reach a thread that acts on it */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < want; i++) {
		if (pthread_create(&q.threads[i], NULL, writer_main, NULL) != 0)
			break;
		q.nwriters++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (q.nwriters)
		atexit(writers_stop);
}

/* The one-row path, on a pooled connection. */
static int store_alone(struct app *app, const struct db_response *r)
{
	struct db_conn *c = NULL;
	int ret;

	if ((ret = db_acquire(app->db, app->cfg.db_wait_ms, &c)) < 0)
		return ret;
	ret = db_response_insert(c, r);
	db_release(c);
	return ret;
}

int intake_writer_begin(struct http_req *req, const struct db_response *r, struct intake_ticket *t)
{
	if (r->invite || !r->agency)
		return store_alone(req->app, r);
	the_app = req->app;
	pthread_once(&once, writers_start);
	t->r = r;
	t->req = req;
	t->state = ITEM_QUEUED;
	t->next = NULL;
	pthread_mutex_lock(&q.mu);
	if (q.nwriters == 0 || q.stop) {
		pthread_mutex_unlock(&q.mu);
		return store_alone(req->app, r);
	}
	http_suspend(req);           /* before a writer can see the ticket and resume it */
	if (q.tail)
		q.tail->next = t;
	else
		q.head = t;
	q.tail = t;
	q.queued++;
	pthread_cond_signal(&q.work);
	pthread_mutex_unlock(&q.mu);
	return HTTP_SUSPENDED;
}

int intake_writer_result(struct http_req *req, struct intake_ticket *t)
{
	if (t->state == ITEM_STORED)
		return DB_RESPONSE_CREATED;
	return store_alone(req->app, t->r);
}
