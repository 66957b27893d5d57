/* db-pool.c - a fixed pool of lazily opened connections, shared by the server's threads.
 *
 * A slot whose connection broke (PostgreSQL restarted) is closed on release and reopened
 * by the next db_acquire, so the server recovers by itself once the database is back. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-internal.h"

struct db_pool {
	char *conninfo;
	unsigned size;
	struct db_conn *slots;
	unsigned *free_list;    /* indices of idle slots */
	unsigned nfree;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

int db_pool_new(const char *conninfo, unsigned size, struct db_pool **out)
{
	struct db_pool *p;
	pthread_condattr_t ca;
	unsigned i;

	if (!conninfo || !size || size > 1024)
		return -EINVAL;
	p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	p->conninfo = strdup(conninfo);
	p->slots = calloc(size, sizeof *p->slots);
	p->free_list = calloc(size, sizeof *p->free_list);
	if (!p->conninfo || !p->slots || !p->free_list) {
		db_pool_free(p);
		return -ENOMEM;
	}
	p->size = size;
	for (i = 0; i < size; i++) {
		p->slots[i].pool = p;
		p->free_list[p->nfree++] = size - 1 - i;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	*out = p;
	return 0;
}

void db_pool_free(struct db_pool *p)
{
	unsigned i;

	if (!p)
		return;
	if (p->slots) {
		for (i = 0; i < p->size; i++)
			PQfinish(p->slots[i].pg);
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
	}
	free(p->slots);
	free(p->free_list);
	free(p->conninfo);
	free(p);
}

int db_acquire(struct db_pool *p, unsigned timeout_ms, struct db_conn **out)
{
	struct timespec deadline;
	struct db_conn *c;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	while (!p->nfree && r == 0)
		r = pthread_cond_timedwait(&p->cv, &p->mu, &deadline);
	if (!p->nfree) {
		pthread_mutex_unlock(&p->mu);
		return -ETIMEDOUT;
	}
	c = &p->slots[p->free_list[--p->nfree]];
	pthread_mutex_unlock(&p->mu);

	if (c->pg && PQstatus(c->pg) != CONNECTION_OK) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	if (!c->pg) {
		c->pg = db_open(p->conninfo, c->error, sizeof c->error);
		if (!c->pg) {
			db_release(c);
			return -ECONNREFUSED;
		}
	}
	c->error[0] = '\0';
	*out = c;
	return 0;
}

void db_release(struct db_conn *c)
{
	struct db_pool *p;

	if (!c)
		return;
	p = c->pool;
	if (c->pg && (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE)) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	pthread_mutex_lock(&p->mu);
	p->free_list[p->nfree++] = (unsigned)(c - p->slots);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}
