/* replica.c - the read replica's pool and its up/down state (see replica.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "db-replica.h"
#include "db.h"
#include "log.h"
#include "monotime.h"
#include "replica.h"

struct replica {
	struct db_pool *pool;
	atomic_llong down_until_ns;      /* monotonic; 0 = believed up */
};

int replica_new(const char *url, unsigned size, struct replica **out)
{
	struct replica *rp = calloc(1, sizeof *rp);
	int r;

	if (!rp)
		return -ENOMEM;
	atomic_init(&rp->down_until_ns, 0);
	if ((r = db_pool_new(url, size, &rp->pool)) < 0) {
		free(rp);
		return r;
	}
	*out = rp;
	return 0;
}

void replica_free(struct replica *rp)
{
	if (!rp)
		return;
	db_pool_free(rp->pool);
	free(rp);
}

/* Marks the replica down (logged once per outage) or up again (logged once). */
static void mark(struct replica *rp, bool down, const char *why)
{
	long long was = atomic_exchange(&rp->down_until_ns, down ? mono_ns() + REPLICA_RETRY_S * 1000000000LL : 0);

	if (down && !was)
		log_warn("replica: unreachable (%s); the analysts' reads go to the primary, retried every %d s",
			 why, REPLICA_RETRY_S);
	else if (!down && was)
		log_info("replica: reachable again; the analysts' reads go to it");
}

int replica_acquire(struct replica *rp, unsigned wait_ms, struct db_conn **out)
{
	long long until = atomic_load(&rp->down_until_ns);
	struct db_conn *c = NULL;
	int r, tries;

	if (until && mono_ns() < until)
		return -ECONNREFUSED;
	/* a pooled connection may have died with the replica's restart: it is closed on release and
	 * the next acquire of the same slot (the free list is a stack) connects anew */
	for (tries = 0; tries < 2; tries++) {
		if ((r = db_acquire(rp->pool, wait_ms, &c)) < 0)
			break;
		if ((r = db_ping(c)) == 0) {
			mark(rp, false, NULL);
			*out = c;
			return 0;
		}
		db_release(c);
		c = NULL;
	}
	if (r == -ECONNREFUSED)
		mark(rp, true, "no connection");
	return r;
}

int replica_lag(struct replica *rp, unsigned wait_ms, double *lag_s)
{
	struct db_conn *c = NULL;
	bool standby;
	int r;

	if ((r = replica_acquire(rp, wait_ms, &c)) < 0)
		return r;
	r = db_replica_lag(c, lag_s, &standby);
	db_release(c);
	return r;
}
