/* est-store.c - kept aggregates: the fold (responses → stored cells) and the request's design
 * (stored cells → an est_design keyed by the request's groups).
 *
 * A fold adds the new responses to a fresh design D whose group keys name the stored cell
 * ("grouping␟agency id␟code"; each response lands once at the agency grain and once per kept
 * question), merges the stored cells D touched into D and writes D's cells back, with the
 * counts and the state, in one transaction (est-fold.c). A rebuild does the same from every
 * response after emptying the round's cells; both read in one REPEATABLE READ transaction. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-estimates.h"
#include "db.h"
#include "est-cell.h"
#include "est-fold.h"
#include "est-map.h"
#include "est-store.h"
#include "monotime.h"
#include "threads.h"
#include "jsonw.h"
#include "log.h"
#include "strbuf.h"

#define FOLD_PERIOD_S 3

#define FLIGHTS 64

struct flight {
	int survey_id;           /* 0 = free */
	bool running;
	int64_t started_ns;      /* when the running (or last) fold started */
	int result;              /* the last fold's return value */
	unsigned waiters;
};

/* The process's folds: the rounds being folded (one fold at a time per round; readers that
 * arrive meanwhile wait for it) and the background fold. */
struct est_folds {
	atomic_bool stopping;
	struct form_cache *forms;
	/* flights */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct flight f[FLIGHTS];
	/* the background fold */
	pthread_mutex_t bg_mu;
	pthread_cond_t bg_cv;
	pthread_t bg_th;
	bool bg_started;
	char *url;
	char last_error[256];
};


/* ---- agencies ---- */

static int agency_add(void *ud, int id, const char *code, const char *name, const char *level)
{
	struct est_agencies *a = ud;
	struct est_agency *n = realloc(a->list, (a->n + 1) * sizeof *n);

	if (!n)
		return -ENOMEM;
	a->list = n;
	n = &a->list[a->n];
	memset(n, 0, sizeof *n);
	n->id = id;
	snprintf(n->code, sizeof n->code, "%s", code);
	snprintf(n->level, sizeof n->level, "%s", level);
	n->name = strdup(name);
	if (!n->name)
		return -ENOMEM;
	a->n++;
	return 0;
}

int est_agencies_load(struct db_conn *c, struct est_agencies *out)
{
	int r;

	memset(out, 0, sizeof *out);
	r = db_est_agencies_each(c, agency_add, out);
	if (r < 0) {
		est_agencies_done(out);
		return r;
	}
	return 0;
}

void est_agencies_done(struct est_agencies *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++)
		free(a->list[i].name);
	free(a->list);
	memset(a, 0, sizeof *a);
}

const struct est_agency *est_agencies_by_id(const struct est_agencies *a, int id)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->list[i].id == id)
			return &a->list[i];
	return NULL;
}

const struct est_agency *est_agencies_by_code(const struct est_agencies *a, const char *code)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {       /* the list is in code order (byte order, as the database's C collation) */
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(a->list[mid].code, code);

		if (cmp == 0)
			return &a->list[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (lo = 0; lo < a->n; lo++)      /* another collation: fall back to a scan */
		if (strcmp(a->list[lo].code, code) == 0)
			return &a->list[lo];
	return NULL;
}

/* ---- what is kept ---- */

bool est_store_keeps(const struct form *f, size_t question)
{
	size_t i, n = 0;

	for (i = 0; i < f->nquestions && i <= question; i++) {
		const struct form_question *q = &f->questions[i];

		if (q->type != FORM_Q_SINGLE || q->slot < 0 || q->noptions > EST_STORE_MAX_OPTIONS)
			continue;
		if (n++ >= EST_STORE_MAX_QUESTIONS)
			return false;
		if (i == question)
			return true;
	}
	return false;
}

int est_by_parse(const struct form *f, const char *const *vals, size_t n, struct est_by *out,
		 struct est_error *err)
{
	size_t i, groups = 0;

	memset(out, 0, sizeof *out);
	out->question = -1;
	if (n > EST_STORE_MAX_BY)
		return est_error_set(err, -EINVAL, "by", "too_many",
			"at most %d by= values (agency or level, and one question)", EST_STORE_MAX_BY);
	for (i = 0; i < n; i++) {
		const char *v = vals[i];

		if (strcmp(v, "agency") == 0 || strcmp(v, "level") == 0) {
			if (groups++)
				return est_error_set(err, -EINVAL, "by", "bad_combination",
					"by=agency and by=level cannot be combined");
			out->kind[i] = v[0] == 'a' ? EST_BY_AGENCY : EST_BY_LEVEL;
			out->name[i] = v[0] == 'a' ? "agency" : "level";
			continue;
		}
		{
			int q = strlen(v) <= FORM_MAX_ID_LEN ? form_question_index(f, v) : -1;

			if (q < 0)
				return est_error_set(err, -EINVAL, "by", "unknown_column",
					"by=%.64s: not agency, level or a question of the form", v);
			if (!est_store_keeps(f, (size_t)q))
				return est_error_set(err, -EINVAL, "by", "not_groupable",
					"by=%.64s: only single-choice questions (at most %d options) can group estimates",
					v, EST_STORE_MAX_OPTIONS);
			if (out->question >= 0)
				return est_error_set(err, -EINVAL, "by", "bad_combination", "at most one question in by=");
			out->question = q;
			out->kind[i] = EST_BY_QUESTION;
			out->name[i] = f->questions[q].id;
		}
	}
	out->n = n;
	return 0;
}

static int fold_once(struct est_folds *fs, struct db_conn *c, const struct form_entry *fe, bool rebuild,
		     long long *nrows, struct est_error *err)
{
	struct fold fo;
	long long got;
	int r;

	if ((r = est_fold_init(&fo, c, fe->form, fe->survey.id, err)) < 0)
		goto out;
	fo.stopping = &fs->stopping;
	if (rebuild) {
		if ((r = db_est_rebuild_begin(c, fe->survey.id)) < 0)
			goto out;
		got = db_est_scan(c, fe->survey.id, fe->form->nslots, est_fold_row, &fo);
		if (got < 0) {
			r = (int)got;
			goto out;
		}
	} else {
		if ((r = db_est_pending_begin(c)) < 0)
			goto out;
		got = db_est_take_pending(c, fe->survey.id, fe->form->nslots, est_fold_row, &fo);
		if (got < 0) {
			r = (int)got;
			goto out;
		}
	}
	if ((r = est_fold_write(&fo, rebuild)) < 0)
		goto out;
	r = db_commit(c);
	if (r >= 0 && nrows)
		*nrows = fo.nrows;
out:
	if (r < 0)
		db_rollback(c);
	est_fold_done(&fo);
	return r;
}

/* One fold at a time per round in this process ("single flight"). A request that finds a fold
 * running waits for it on a condition variable; when a fold that started after the request
 * arrived has finished, every response committed before the request is in the cells and the
 * request returns at once. So a wave of concurrent readers costs at most two folds, not one
 * each, and nobody polls. Across processes the round's advisory lock still serialises folds. */

/* The round's slot (fs->mu held); a free or idle slot is reused. NULL when all are busy. */
static struct flight *flight_of(struct est_folds *fs, int survey_id)
{
	struct flight *spare = NULL;
	size_t i;

	for (i = 0; i < FLIGHTS; i++) {
		struct flight *f = &fs->f[i];

		if (f->survey_id == survey_id)
			return f;
		if (!spare && (f->survey_id == 0 || (!f->running && f->waiters == 0)))
			spare = f;
	}
	if (spare) {
		memset(spare, 0, sizeof *spare);
		spare->survey_id = survey_id;
	}
	return spare;
}

/* True when f's last fold, which succeeded, began less than ms before now. fs->mu held. */
static bool began_within(const struct flight *f, int64_t now, unsigned ms)
{
	return f->started_ns && f->result >= 0 && now - f->started_ns < (int64_t)ms * 1000000;
}

/* The fold itself, under the round's advisory lock (other processes). */
static int fold_locked(struct est_folds *fs, struct db_conn *c, const struct form_entry *fe, unsigned wait_ms,
		       long long *n, struct est_error *err)
{
	bool stale, pending;
	unsigned waited = 0;
	int r, tries;

	while ((r = db_est_trylock(c, fe->survey.id)) == 0) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (waited >= wait_ms || atomic_load(&fs->stopping))
			return -EBUSY;
		nanosleep(&ts, NULL);
		waited += 50;
	}
	if (r < 0)
		return r;
	for (tries = 0; tries < 3; tries++) {
		if ((r = db_est_state(c, fe->survey.id, &stale, &pending)) < 0 || (!stale && !pending))
			break;
		r = fold_once(fs, c, fe, stale, n, err);
		if (r != -EAGAIN)      /* a concurrent withdrawal made the rebuild's snapshot stale */
			break;
	}
	db_est_unlock(c, fe->survey.id);
	return r;
}

int est_store_fold(struct est_folds *fs, struct db_conn *c, const struct form_entry *fe, unsigned wait_ms,
		   unsigned fresh_ms, long long *nrows, struct est_error *err)
{
	int64_t arrived = mono_ns(), deadline, left_ms;
	struct flight *f;
	bool stale, pending;
	long long n = 0;
	int r;

	if (nrows)
		*nrows = 0;
	if ((r = db_est_state(c, fe->survey.id, &stale, &pending)) < 0)
		return r;
	if (!stale && !pending)
		return 0;
	/* Only queued responses: the cells are consistent, if behind. Under load (fresh_ms) and for
	 * the background fold (wait_ms 0), a fold that another request or process is running is not
	 * waited for: the cells answer as they are, and that fold brings them up to date within
	 * seconds. A lone request waits for it up to EST_STORE_PENDING_WAIT_MS and then folds what
	 * is left, so that it counts every response stored before it asked; past that bound (a
	 * long fold after a bulk load) it answers from the cells as they are. */
	if (!stale)
		wait_ms = fresh_ms ? 0 : wait_ms < EST_STORE_PENDING_WAIT_MS ? wait_ms : EST_STORE_PENDING_WAIT_MS;
	deadline = arrived + (int64_t)wait_ms * 1000000;

	pthread_mutex_lock(&fs->mu);
	f = flight_of(fs, fe->survey.id);
	if (!f) {                    /* more rounds folding at once than slots: fold unshared */
		pthread_mutex_unlock(&fs->mu);
		r = fold_locked(fs, c, fe, wait_ms, &n, err);
		goto out;
	}
	if (!stale && ((f->running && !wait_ms) || (fresh_ms && began_within(f, arrived, fresh_ms)))) {
		pthread_mutex_unlock(&fs->mu);
		return 0;
	}
	f->waiters++;
	while (f->running) {
		struct timespec until;

		if (mono_ns() >= deadline || atomic_load(&fs->stopping)) {
			f->waiters--;
			pthread_mutex_unlock(&fs->mu);
			return stale ? -EBUSY : 0;     /* queued responses only: the cells as they are */
		}
		/* fs->cv runs on CLOCK_REALTIME: wait in short steps against the monotonic deadline */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&fs->cv, &fs->mu, &until);
		if (!f->running && f->started_ns >= arrived && f->result >= 0) {
			/* a whole fold ran after we arrived: what we must see is folded */
			f->waiters--;
			pthread_mutex_unlock(&fs->mu);
			return 0;
		}
	}
	f->running = true;
	f->started_ns = mono_ns();
	pthread_mutex_unlock(&fs->mu);

	left_ms = (deadline - mono_ns()) / 1000000;
	r = fold_locked(fs, c, fe, left_ms > 0 ? (unsigned)left_ms : 0, &n, err);

	pthread_mutex_lock(&fs->mu);
	f->running = false;
	f->result = r;
	f->waiters--;
	pthread_cond_broadcast(&fs->cv);
	pthread_mutex_unlock(&fs->mu);
out:
	if (r == -EBUSY && !stale)
		r = 0;                   /* another process is folding the queue */
	if (r >= 0 && nrows)
		*nrows = n;
	return r;
}

bool est_folds_recent(struct est_folds *fs, int survey_id, unsigned ms)
{
	int64_t now = mono_ns();
	bool recent = false;
	size_t i;

	pthread_mutex_lock(&fs->mu);
	for (i = 0; i < FLIGHTS; i++) {
		const struct flight *f = &fs->f[i];

		if (f->survey_id == survey_id) {
			recent = f->running || began_within(f, now, ms);
			break;
		}
	}
	pthread_mutex_unlock(&fs->mu);
	return recent;
}

/* ---- the request's design ---- */

struct build {
	const struct est_by *by;
	const struct est_agencies *ag;
	struct est_design *d;
	struct est_cell_decoder dec;
	struct est_error *err;
};

static int build_cell(void *ud, const struct db_est_cell *c)
{
	struct build *b = ud;
	const struct est_agency *a = est_agencies_by_id(b->ag, c->agency_id);
	char key[256];
	size_t i, off = 0;

	if (!a)
		return -EIO;
	key[0] = '\0';
	for (i = 0; i < b->by->n; i++) {
		int n;

		if (i)
			key[off++] = EST_KEY_SEP;
		switch (b->by->kind[i]) {
		case EST_BY_AGENCY: n = snprintf(key + off, sizeof key - off, "%s", a->code); break;
		case EST_BY_LEVEL: n = snprintf(key + off, sizeof key - off, "%s", a->level); break;
		default: n = c->code < 0 ? 0 : snprintf(key + off, sizeof key - off, "%d", c->code); break;
		}
		if (n < 0 || (size_t)n >= sizeof key - off - 1)
			return -E2BIG;
		off += (size_t)n;
		key[off] = '\0';
	}
	return est_fold_cell_add(b->d, &b->dec, key, c, b->err);
}

int est_store_design(struct db_conn *c, const struct form_entry *fe, const struct est_by *by,
		     const struct est_agencies *ag, struct est_design **out, struct est_error *err)
{
	struct build b = { by, ag, NULL, { 0 }, err };
	const char *grouping = by->question >= 0 ? fe->form->questions[by->question].id : "";
	long long n;
	int r;

	if ((r = est_cell_decoder_init(&b.dec, fe->form)) < 0) {
		est_cell_decoder_done(&b.dec);
		return r;
	}
	if ((r = est_design_new(fe->form, &b.d)) < 0) {
		est_cell_decoder_done(&b.dec);
		if (r == -EINVAL)
			est_error_set(err, r, "", "no_items", "the form has no items to estimate");
		return r;
	}
	n = db_est_cells_load(c, fe->survey.id, grouping, NULL, true, build_cell, &b);
	est_cell_decoder_done(&b.dec);
	if (n < 0) {
		est_design_free(b.d);
		return (int)n;
	}
	*out = b.d;
	return 0;
}

static int frame_add(void *ud, const char *stratum, long long population, long long target, const char *agency)
{
	(void)agency;
	return est_frame_set(ud, stratum, (double)population, target < 0 ? NAN : (double)target);
}

int est_store_frame(struct db_conn *c, int survey_id, struct est_frame **out)
{
	struct est_frame *f = NULL;
	int r;

	if ((r = est_frame_new(&f)) < 0)
		return r;
	r = db_est_frame_each(c, survey_id, frame_add, f);
	if (r <= 0) {
		est_frame_free(f);
		f = NULL;
		if (r < 0)
			return r;
	}
	*out = f;
	return 0;
}

/* ---- the background fold ---- */

struct due {
	size_t n;
	char codes[64][80];
};

static int due_add(void *ud, const char *code)
{
	struct due *d = ud;

	if (d->n < sizeof d->codes / sizeof d->codes[0])
		snprintf(d->codes[d->n++], sizeof d->codes[0], "%s", code);
	return 0;
}

static void bg_round(struct est_folds *fs, struct db_conn *c)
{
	struct due due = { 0 };
	size_t i;

	if (db_est_due(c, due_add, &due) < 0)
		return;
	for (i = 0; i < due.n && !atomic_load(&fs->stopping); i++) {
		const struct form_entry *fe = NULL;
		struct est_error err = { "", "", "" };
		long long n = 0;
		int r = form_cache_get(fs->forms, c, due.codes[i], &fe);

		if (r == 0)
			r = est_store_fold(fs, c, fe, 0, 0, &n, &err);     /* a request is folding it: skip */
		form_cache_put(fe);
		if (r < 0 && r != -ECANCELED && r != -EBUSY) {
			char msg[256];

			snprintf(msg, sizeof msg, "%.200s", err.message[0] ? err.message : db_conn_error(c));
			if (strcmp(msg, fs->last_error) != 0)
				log_warn("estimates: fold of %s failed: %s", due.codes[i], msg);
			snprintf(fs->last_error, sizeof fs->last_error, "%s", msg);
		} else if (n > 0) {
			log_debug("estimates: %s: %lld response(s) folded in", due.codes[i], n);
		}
	}
}

static void *bg_main(void *arg)
{
	struct est_folds *fs = arg;
	struct db_conn *c = NULL;
	char err[256];

	while (!atomic_load(&fs->stopping)) {
		struct timespec ts;

		if (!c && db_connect(fs->url, &c, err, sizeof err) < 0)
			c = NULL;
		if (c) {
			bg_round(fs, c);
			if (db_ping(c) < 0) {
				db_conn_close(c);
				c = NULL;
			}
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += FOLD_PERIOD_S;
		pthread_mutex_lock(&fs->bg_mu);
		if (!atomic_load(&fs->stopping))
			pthread_cond_timedwait(&fs->bg_cv, &fs->bg_mu, &ts);
		pthread_mutex_unlock(&fs->bg_mu);
	}
	db_conn_close(c);
	return NULL;
}

int est_folds_new(const char *database_url, struct form_cache *forms, struct est_folds **out)
{
	struct est_folds *fs = calloc(1, sizeof *fs);

	if (!fs)
		return -ENOMEM;
	atomic_init(&fs->stopping, false);
	fs->forms = forms;
	pthread_mutex_init(&fs->mu, NULL);
	pthread_cond_init(&fs->cv, NULL);
	pthread_mutex_init(&fs->bg_mu, NULL);
	pthread_cond_init(&fs->bg_cv, NULL);
	if (!(fs->url = strdup(database_url))) {
		est_folds_free(fs);
		return -ENOMEM;
	}
	*out = fs;
	return 0;
}

int est_folds_start(struct est_folds *fs)
{
	unsigned started = 0;
	int r = 0;

	pthread_mutex_lock(&fs->bg_mu);
	if (!fs->bg_started && !atomic_load(&fs->stopping)) {
		r = threads_start(&fs->bg_th, 1, "sipas-fold", THREADS_NICE_ANALYSTS, bg_main, fs, &started);
		fs->bg_started = started == 1;
	}
	pthread_mutex_unlock(&fs->bg_mu);
	return r;
}

void est_folds_stop(struct est_folds *fs)
{
	if (!fs)
		return;
	pthread_mutex_lock(&fs->bg_mu);
	atomic_store(&fs->stopping, true);
	pthread_cond_broadcast(&fs->bg_cv);
	pthread_mutex_unlock(&fs->bg_mu);
}

void est_folds_free(struct est_folds *fs)
{
	if (!fs)
		return;
	est_folds_stop(fs);
	if (fs->bg_started)              /* no start can come any more: stopping is set */
		pthread_join(fs->bg_th, NULL);
	pthread_mutex_destroy(&fs->mu);
	pthread_cond_destroy(&fs->cv);
	pthread_mutex_destroy(&fs->bg_mu);
	pthread_cond_destroy(&fs->bg_cv);
	free(fs->url);
	free(fs);
}
