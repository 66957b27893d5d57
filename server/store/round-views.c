/* round-views.c - the rounds' views and the thread that listens for their changes (see
 * round-views.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db-listen.h"
#include "db-surveys.h"
#include "round-views.h"
#include "strbuf.h"
#include "threads.h"

#define RETRY_MS 1000            /* between attempts to connect the listener */

struct view {
	int survey_id;               /* 0: a free slot */
	bool open;
	unsigned long long gen;      /* rv->gen when it was read */
	unsigned long long used;
	size_t n;                    /* agencies: n pairs "code\0name\0" in arena */
	char *arena;
	unsigned long long serial;   /* this view's number (round_views_get) */
	char *page;                  /* the fresh form page, or NULL */
	size_t page_len;
	size_t marks[ROUND_VIEW_MARKS];
};

struct version {
	int survey_id;               /* 0: a free slot */
	unsigned long long gen;
	char v[ROUND_VIEW_VERSION_MAX];
};

struct round_views {
	pthread_mutex_t mu;
	struct db_listener *l;       /* the thread connects and closes it; lookups drain it */
	bool up;                     /* l is connected and listening */
	bool stop;
	unsigned long long gen;      /* changes heard (and reconnections); views of another are void */
	unsigned long long tick;
	unsigned long long serials;  /* the last view number given */
	struct view v[ROUND_VIEWS_SIZE];
	struct version ver[ROUND_VIEWS_SIZE];
	char *url;
	int wake[2];                 /* a byte in wake[1] ends the thread's wait */
	pthread_t th;
	unsigned started;
};

/* Reads what the listener holds; a change voids every view. rv->mu held. */
static void drain(struct round_views *rv)
{
	int n;

	if (!rv->up)
		return;
	n = db_listen_drain(rv->l);
	if (n != 0)
		rv->gen++;
	if (n < 0)
		rv->up = false;      /* the thread closes it and connects again */
}

static int walk(const char *arena, size_t n, round_agency_fn fn, void *ud)
{
	const char *p = arena;
	size_t i;
	int r;

	for (i = 0; fn && i < n; i++) {
		const char *name = p + strlen(p) + 1;

		if ((r = fn(ud, p, name)) < 0)
			return r;
		p = name + strlen(name) + 1;
	}
	return 0;
}

/* survey_id's kept view, or NULL. rv->mu held. */
static struct view *find(struct round_views *rv, int survey_id)
{
	size_t i;

	drain(rv);
	for (i = 0; rv->up && i < ROUND_VIEWS_SIZE; i++)
		if (rv->v[i].survey_id == survey_id && rv->v[i].gen == rv->gen)
			return &rv->v[i];
	return NULL;
}

int round_views_get(struct round_views *rv, int survey_id, round_agency_fn fn, void *ud,
		    unsigned long long *serial)
{
	struct view *hit;
	int r = -ENOENT;

	pthread_mutex_lock(&rv->mu);
	if ((hit = find(rv, survey_id))) {
		hit->used = ++rv->tick;
		r = walk(hit->arena, hit->n, fn, ud);
		if (r == 0)
			r = hit->open;
		if (serial)
			*serial = hit->serial;
	}
	pthread_mutex_unlock(&rv->mu);
	return r;
}

int round_views_page(struct round_views *rv, int survey_id, struct strbuf *out, size_t marks[ROUND_VIEW_MARKS])
{
	struct view *hit;
	int r = -ENOENT;

	pthread_mutex_lock(&rv->mu);
	if ((hit = find(rv, survey_id)) && hit->page) {
		hit->used = ++rv->tick;
		memcpy(marks, hit->marks, sizeof hit->marks);
		r = strbuf_append(out, hit->page, hit->page_len);
	}
	pthread_mutex_unlock(&rv->mu);
	return r;
}

void round_views_keep_page(struct round_views *rv, int survey_id, unsigned long long serial, const char *page,
			   size_t len, const size_t marks[ROUND_VIEW_MARKS])
{
	struct view *hit;
	char *copy;

	if (!serial || len > ROUND_VIEW_PAGE_MAX || !(copy = malloc(len)))
		return;
	memcpy(copy, page, len);
	pthread_mutex_lock(&rv->mu);
	if ((hit = find(rv, survey_id)) && hit->serial == serial && !hit->page) {
		hit->page = copy;
		hit->page_len = len;
		memcpy(hit->marks, marks, sizeof hit->marks);
		copy = NULL;
	}
	pthread_mutex_unlock(&rv->mu);
	free(copy);
}

unsigned long long round_views_heard(struct round_views *rv)
{
	unsigned long long gen;

	pthread_mutex_lock(&rv->mu);
	drain(rv);
	gen = rv->up ? rv->gen : 0;
	pthread_mutex_unlock(&rv->mu);
	return gen;
}

void round_views_keep_version(struct round_views *rv, int survey_id, unsigned long long heard, const char *version)
{
	struct version *slot = NULL;
	size_t i;

	if (!heard || strlen(version) >= ROUND_VIEW_VERSION_MAX)
		return;
	pthread_mutex_lock(&rv->mu);
	drain(rv);
	for (i = 0; rv->up && rv->gen == heard && i < ROUND_VIEWS_SIZE; i++) {
		struct version *v = &rv->ver[i];

		if (v->survey_id == survey_id || v->survey_id == 0 || v->gen != rv->gen) {
			slot = v;
			break;
		}
	}
	if (!slot && rv->up && rv->gen == heard)       /* all taken and current: any one goes */
		slot = &rv->ver[(size_t)survey_id % ROUND_VIEWS_SIZE];
	if (slot) {
		slot->survey_id = survey_id;
		slot->gen = heard;
		memcpy(slot->v, version, strlen(version) + 1);
	}
	pthread_mutex_unlock(&rv->mu);
}

int round_views_version(struct round_views *rv, int survey_id, char *buf, size_t len)
{
	int r = -ENOENT;
	size_t i;

	pthread_mutex_lock(&rv->mu);
	drain(rv);
	for (i = 0; rv->up && i < ROUND_VIEWS_SIZE; i++) {
		struct version *v = &rv->ver[i];

		if (v->survey_id == survey_id && v->gen == rv->gen && strlen(v->v) < len) {
			memcpy(buf, v->v, strlen(v->v) + 1);
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&rv->mu);
	return r;
}

struct loading {
	struct strbuf sb;
	size_t n;
};

static int collect(void *ud, const char *code, const char *name)
{
	struct loading *ld = ud;
	int r;

	if (ld->n == ROUND_VIEW_AGENCIES_MAX)
		return 0;
	if ((r = strbuf_append(&ld->sb, code, strlen(code) + 1)) < 0 ||
	    (r = strbuf_append(&ld->sb, name, strlen(name) + 1)) < 0)
		return r;
	ld->n++;
	return 0;
}

/* Keeps the view read while gen0 held (taking ld's arena), replacing the least recently used
 * slot; returns its number. rv->mu held. */
static unsigned long long keep(struct round_views *rv, int survey_id, bool open, unsigned long long gen0,
			       struct loading *ld)
{
	struct view *slot = &rv->v[0];
	size_t i;

	for (i = 0; i < ROUND_VIEWS_SIZE; i++) {
		struct view *v = &rv->v[i];

		if (v->survey_id == survey_id || v->survey_id == 0 || v->gen != rv->gen) {
			slot = v;
			break;
		}
		if (v->used < slot->used)
			slot = v;
	}
	free(slot->arena);
	free(slot->page);
	*slot = (struct view){ .survey_id = survey_id, .open = open, .gen = gen0, .used = ++rv->tick,
			       .n = ld->n, .arena = ld->sb.buf, .serial = ++rv->serials };
	strbuf_init(&ld->sb, 0);
	return slot->serial;
}

int round_views_load(struct round_views *rv, struct db_conn *c, int survey_id, round_agency_fn fn, void *ud,
		     unsigned long long *serial)
{
	struct loading ld = { .n = 0 };
	unsigned long long gen0;
	bool keepable;
	int open, r;

	pthread_mutex_lock(&rv->mu);
	drain(rv);
	keepable = rv->up;
	gen0 = rv->gen;
	pthread_mutex_unlock(&rv->mu);

	strbuf_init(&ld.sb, 0);
	if ((open = db_survey_is_open(c, survey_id)) < 0) {
		r = open;
		goto out;
	}
	if ((r = db_survey_agencies_each(c, survey_id, collect, &ld)) < 0)
		goto out;
	if ((r = strbuf_putc(&ld.sb, '\0')) < 0)      /* an arena even with no agency */
		goto out;
	if ((r = walk(ld.sb.buf, ld.n, fn, ud)) < 0)
		goto out;
	r = open;
	if (serial)
		*serial = 0;
	pthread_mutex_lock(&rv->mu);
	drain(rv);
	if (keepable && rv->up && rv->gen == gen0) {
		unsigned long long n = keep(rv, survey_id, open, gen0, &ld);

		if (serial)
			*serial = n;
	}
	pthread_mutex_unlock(&rv->mu);
out:
	strbuf_done(&ld.sb);
	return r;
}

/* Waits up to ms (-1: no limit) for the listener's socket fd (when >= 0) or a wake-up. */
static void wait_for(struct round_views *rv, int fd, int ms)
{
	struct pollfd p[2] = { { .fd = rv->wake[0], .events = POLLIN }, { .fd = fd, .events = POLLIN } };
	char buf[16];

	if (poll(p, fd >= 0 ? 2 : 1, ms) > 0 && (p[0].revents & POLLIN))
		while (read(rv->wake[0], buf, sizeof buf) > 0)
			;
}

static void *listen_main(void *arg)
{
	struct round_views *rv = arg;
	struct db_listener *l;
	char err[256];
	int fd;

	pthread_mutex_lock(&rv->mu);
	while (!rv->stop) {
		if (rv->l && !rv->up) {              /* lost: close it, connect again */
			db_listen_close(rv->l);
			rv->l = NULL;
		}
		if (!rv->l) {
			pthread_mutex_unlock(&rv->mu);
			l = NULL;
			if (db_listen_open(rv->url, ROUND_VIEWS_CHANNEL, ROUND_VIEWS_NOTIFIER, &l, err, sizeof err) < 0) {
				wait_for(rv, -1, RETRY_MS);
				pthread_mutex_lock(&rv->mu);
				continue;
			}
			pthread_mutex_lock(&rv->mu);
			rv->l = l;
			rv->up = true;
			rv->gen++;           /* anything may have changed while nobody listened */
			continue;
		}
		fd = db_listen_socket(rv->l);    /* only this thread closes rv->l: fd stays valid */
		pthread_mutex_unlock(&rv->mu);
		wait_for(rv, fd, -1);
		pthread_mutex_lock(&rv->mu);
		drain(rv);
	}
	db_listen_close(rv->l);
	rv->l = NULL;
	rv->up = false;
	pthread_mutex_unlock(&rv->mu);
	return NULL;
}

int round_views_new(const char *database_url, struct round_views **out)
{
	struct round_views *rv = calloc(1, sizeof *rv);
	int r;

	if (!rv)
		return -ENOMEM;
	pthread_mutex_init(&rv->mu, NULL);
	rv->wake[0] = rv->wake[1] = -1;
	if (!(rv->url = strdup(database_url))) {
		r = -ENOMEM;
		goto out;
	}
	if (pipe2(rv->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		r = -errno;
		goto out;
	}
	r = threads_start(&rv->th, 1, "sipas-rounds", 0, listen_main, rv, &rv->started);
out:
	if (r < 0) {
		round_views_free(rv);
		return r;
	}
	*out = rv;
	return 0;
}

void round_views_free(struct round_views *rv)
{
	ssize_t w;
	size_t i;

	if (!rv)
		return;
	if (rv->started) {
		pthread_mutex_lock(&rv->mu);
		rv->stop = true;
		pthread_mutex_unlock(&rv->mu);
		w = write(rv->wake[1], "x", 1);   /* a full pipe (w < 0) wakes the thread too */
		(void)w;
		pthread_join(rv->th, NULL);
	}
	for (i = 0; i < ROUND_VIEWS_SIZE; i++) {
		free(rv->v[i].arena);
		free(rv->v[i].page);
	}
	if (rv->wake[0] >= 0)
		close(rv->wake[0]);
	if (rv->wake[1] >= 0)
		close(rv->wake[1]);
	pthread_mutex_destroy(&rv->mu);
	free(rv->url);
	free(rv);
}
