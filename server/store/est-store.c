/* est-store.c - kept aggregates: the fold (responses → stored cells) and the request's design
 * (stored cells → an est_design keyed by the request's groups).
 *
 * A fold adds the new responses to a fresh design D whose group keys name the stored cell
 * ("grouping␟agency id␟code"; each response lands once at the agency grain and once per kept
 * question), loads the stored cells D touched into a design M, merges D into M and writes M's
 * cells back, with the counts and the state, in one transaction. A rebuild does the same from
 * every response after emptying the round's cells, in one REPEATABLE READ transaction. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-estimates.h"
#include "db.h"
#include "est-cell.h"
#include "est-map.h"
#include "est-store.h"
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

/* ---- stored cells ---- */

/* Adds a stored cell (or PSU) under group key to d. Returns 0, -EIO for a cell of another
 * layout (the form changed: a rebuild is needed), or the design's error. */
static int cell_add(struct est_design *d, struct est_cell_decoder *s, const char *key, const struct db_est_cell *c,
		    struct est_error *err)
{
	struct est_cell_view v;
	struct est_psu_view pv;
	int r;

	if (c->psu) {
		if ((r = est_psu_decode(s, key, c->stratum, c->psu, c->data, c->len, &pv)) < 0)
			return r;
		return est_design_add_psu(d, &pv, err);
	}
	if ((r = est_cell_decode(s, key, c->stratum, c->data, c->len, &v)) < 0)
		return r;
	return est_design_add_cell(d, &v, err);
}

/* ---- the fold ---- */

struct fold {
	const atomic_bool *stopping;   /* the process is stopping: give up */
	const struct form *f;
	struct db_conn *c;
	int survey_id;
	struct est_design *d;
	size_t nq;
	int qslot[EST_STORE_MAX_QUESTIONS];
	const char *qid[EST_STORE_MAX_QUESTIONS];
	size_t qlen[EST_STORE_MAX_QUESTIONS];
	struct est_map counts;
	long long *cnt;
	size_t cntcap;
	long long nrows, max_id;
	struct est_error *err;
	/* writing back */
	struct strbuf sb;
	struct est_cell_decoder dec;
	struct est_design *m;
};

static int fold_init(struct fold *fo, struct db_conn *c, const struct form_entry *fe, struct est_error *err)
{
	const struct form *f = fe->form;
	size_t i;
	int r;

	memset(fo, 0, sizeof *fo);
	fo->f = f;
	fo->c = c;
	fo->survey_id = fe->survey.id;
	fo->err = err;
	est_map_init(&fo->counts, 1000000);
	strbuf_init(&fo->sb, 0);
	for (i = 0; i < f->nquestions; i++)
		if (est_store_keeps(f, i)) {
			fo->qslot[fo->nq] = f->questions[i].slot;
			fo->qlen[fo->nq] = strlen(f->questions[i].id);
			fo->qid[fo->nq++] = f->questions[i].id;
		}
	if ((r = est_cell_decoder_init(&fo->dec, f)) < 0)
		return r;
	return est_design_new(f, &fo->d);
}

static void fold_done(struct fold *fo)
{
	est_design_free(fo->d);
	est_design_free(fo->m);
	est_map_done(&fo->counts);
	free(fo->cnt);
	strbuf_done(&fo->sb);
	est_cell_decoder_done(&fo->dec);
}

/* Writes v in decimal at p; returns the length. */
static size_t put_int(char *p, long v)
{
	char tmp[24];
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		p[i++] = '-';
	while (n)
		p[i++] = tmp[--n];
	return i;
}

static int fold_row(void *ud, const struct db_est_row *row)
{
	struct fold *fo = ud;
	struct est_row er = { NULL, row->stratum, row->psu, row->weight, row->fpc, row->codes };
	char key[FORM_MAX_ID_LEN + 48], mid[32];
	size_t i, nmid, len;
	long id;
	int r;

	if (atomic_load_explicit(fo->stopping, memory_order_relaxed))
		return -ECANCELED;
	/* "␟<agency>␟": the part every key of this row shares (snprintf is too slow here) */
	mid[0] = EST_KEY_SEP;
	nmid = 1 + put_int(mid + 1, row->agency_id);
	mid[nmid++] = EST_KEY_SEP;
	memcpy(key, mid, nmid);
	memcpy(key + nmid, "-1", 3);
	er.group = key;
	if ((r = est_design_add(fo->d, &er, fo->err)) < 0)
		return r;
	for (i = 0; i < fo->nq; i++) {
		int code = row->codes[fo->qslot[i]];

		len = fo->qlen[i];
		memcpy(key, fo->qid[i], len);
		memcpy(key + len, mid, nmid);
		len += nmid;
		len += put_int(key + len, code < 0 ? -1 : code);
		key[len] = '\0';
		if ((r = est_design_add(fo->d, &er, fo->err)) < 0)
			return r;
	}
	/* the channel counts of fieldwork progress */
	{
		char ck[64 + EST_MAX_KEY_LEN];
		int n = snprintf(ck, sizeof ck, "%d%c%s%c%s", row->agency_id, EST_KEY_SEP, row->channel,
				 EST_KEY_SEP, row->stratum);

		if (n < 0 || (size_t)n >= sizeof ck)
			return -E2BIG;
		id = est_map_intern(&fo->counts, ck, (size_t)n);
		if (id < 0)
			return (int)id;
		if ((size_t)id >= fo->cntcap) {
			size_t ncap = fo->cntcap ? fo->cntcap * 2 : 64;
			long long *nc = realloc(fo->cnt, ncap * sizeof *nc);

			if (!nc)
				return -ENOMEM;
			memset(nc + fo->cntcap, 0, (ncap - fo->cntcap) * sizeof *nc);
			fo->cnt = nc;
			fo->cntcap = ncap;
		}
		fo->cnt[id]++;
	}
	fo->nrows++;
	if (row->id > fo->max_id)
		fo->max_id = row->id;
	return 0;
}

/* Splits a fold key into grouping, agency id and code; returns 0 or -EIO. */
static int key_split(const char *key, char *grouping, size_t glen, int *agency, int *code)
{
	const char *s1 = strchr(key, EST_KEY_SEP), *s2;

	if (!s1 || (size_t)(s1 - key) >= glen || !(s2 = strchr(s1 + 1, EST_KEY_SEP)))
		return -EIO;
	memcpy(grouping, key, (size_t)(s1 - key));
	grouping[s1 - key] = '\0';
	*agency = atoi(s1 + 1);
	*code = atoi(s2 + 1);
	return 0;
}

static int keys_cell(const struct est_cell_view *v, void *ctx)
{
	struct strbuf *sb = ctx;
	char g[FORM_MAX_ID_LEN + 1];
	int a, k;

	if (key_split(v->group, g, sizeof g, &a, &k) < 0)
		return -EIO;
	strbuf_puts(sb, sb->len > 1 ? ",{\"g\":" : "{\"g\":");
	jsonw_string(sb, g);
	strbuf_printf(sb, ",\"a\":%d,\"k\":%d,\"s\":", a, k);
	jsonw_string(sb, v->stratum);
	return strbuf_putc(sb, '}');
}

static int load_stored(void *ud, const struct db_est_cell *c)
{
	struct fold *fo = ud;
	char key[FORM_MAX_ID_LEN + 48];

	snprintf(key, sizeof key, "%s%c%d%c%d", c->grouping, EST_KEY_SEP, c->agency_id, EST_KEY_SEP, c->code);
	return cell_add(fo->m, &fo->dec, key, c, fo->err);
}

static int put_cell(const struct est_cell_view *v, void *ctx)
{
	struct fold *fo = ctx;
	char g[FORM_MAX_ID_LEN + 1];
	struct db_est_cell c;
	int r;

	if ((r = key_split(v->group, g, sizeof g, &c.agency_id, &c.code)) < 0)
		return r;
	if ((r = est_cell_encode(&fo->sb, fo->f, v)) < 0)
		return r;
	c.grouping = g;
	c.stratum = v->stratum;
	c.psu = NULL;
	c.data = fo->sb.buf;
	c.len = fo->sb.len;
	return db_est_cell_put(fo->c, fo->survey_id, &c);
}

static int put_psu(const struct est_psu_view *v, void *ctx)
{
	struct fold *fo = ctx;
	char g[FORM_MAX_ID_LEN + 1];
	struct db_est_cell c;
	int r;

	if ((r = key_split(v->group, g, sizeof g, &c.agency_id, &c.code)) < 0)
		return r;
	c.grouping = g;
	c.stratum = v->stratum;
	c.psu = v->psu;
	c.data = v->totals;
	c.len = est_psu_encoded_len(fo->f);
	return db_est_cell_put(fo->c, fo->survey_id, &c);
}

/* Writes D (merged with the stored cells it touches unless rebuilding), the counts and the state. */
static int fold_write(struct fold *fo, bool rebuild)
{
	size_t i;
	int r;

	if (rebuild) {
		fo->m = fo->d;
		fo->d = NULL;
	} else {
		struct strbuf keys;

		if ((r = est_design_new(fo->f, &fo->m)) < 0)
			return r;
		strbuf_init(&keys, 0);
		strbuf_putc(&keys, '[');
		r = est_design_foreach(fo->d, keys_cell, NULL, &keys);
		if (r >= 0)
			r = strbuf_putc(&keys, ']');
		if (r >= 0 && keys.len > 2)
			r = (int)db_est_cells_load(fo->c, fo->survey_id, NULL, strbuf_str(&keys), true, load_stored, fo);
		strbuf_done(&keys);
		if (r >= 0)
			r = est_design_merge(fo->m, fo->d, fo->err);
		if (r < 0)
			return r;
	}
	if ((r = est_design_foreach(fo->m, put_cell, put_psu, fo)) < 0)
		return r;
	for (i = 0; i < fo->counts.count; i++) {
		size_t len;
		const char *k = est_map_key(&fo->counts, i, &len);
		const char *s1 = memchr(k, EST_KEY_SEP, len), *s2;
		char channel[16];

		if (!s1 || !(s2 = memchr(s1 + 1, EST_KEY_SEP, len - (size_t)(s1 + 1 - k))) ||
		    (size_t)(s2 - s1 - 1) >= sizeof channel)
			return -EIO;
		memcpy(channel, s1 + 1, (size_t)(s2 - s1 - 1));
		channel[s2 - s1 - 1] = '\0';
		if ((r = db_est_count_add(fo->c, fo->survey_id, atoi(k), s2 + 1, channel, fo->cnt[i])) < 0)
			return r;
	}
	return db_est_state_set(fo->c, fo->survey_id, fo->nrows, fo->max_id);
}

static int fold_once(struct est_folds *fs, struct db_conn *c, const struct form_entry *fe, bool rebuild,
		     long long *nrows, struct est_error *err)
{
	struct fold fo;
	long long got;
	int r;

	if ((r = fold_init(&fo, c, fe, err)) < 0)
		goto out;
	fo.stopping = &fs->stopping;
	if (rebuild) {
		if ((r = db_est_rebuild_begin(c, fe->survey.id)) < 0)
			goto out;
		got = db_est_scan(c, fe->survey.id, fe->form->nslots, fold_row, &fo);
		if (got < 0) {
			r = (int)got;
			goto out;
		}
	} else {
		if ((r = db_begin(c)) < 0)
			goto out;
		do {
			got = db_est_take_pending(c, fe->survey.id, DB_EST_BATCH, fe->form->nslots, fold_row, &fo);
			if (got < 0) {
				r = (int)got;
				goto out;
			}
		} while (got == DB_EST_BATCH && fo.nrows < EST_STORE_FOLD_MAX);
	}
	if ((r = fold_write(&fo, rebuild)) < 0)
		goto out;
	r = db_commit(c);
	if (r >= 0 && nrows)
		*nrows = fo.nrows;
out:
	if (r < 0)
		db_rollback(c);
	fold_done(&fo);
	return r;
}

/* One fold at a time per round in this process ("single flight"). A request that finds a fold
 * running waits for it on a condition variable; when a fold that started after the request
 * arrived has finished, every response committed before the request is in the cells and the
 * request returns at once. So a wave of concurrent readers costs at most two folds, not one
 * each, and nobody polls. Across processes the round's advisory lock still serialises folds. */

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

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
		   long long *nrows, struct est_error *err)
{
	int64_t arrived = mono_ns(), deadline = arrived + (int64_t)wait_ms * 1000000, left_ms;
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

	pthread_mutex_lock(&fs->mu);
	f = flight_of(fs, fe->survey.id);
	if (!f) {                    /* more rounds folding at once than slots: fold unshared */
		pthread_mutex_unlock(&fs->mu);
		r = fold_locked(fs, c, fe, wait_ms, &n, err);
		goto out;
	}
	f->waiters++;
	while (f->running) {
		struct timespec until;

		if (mono_ns() >= deadline || atomic_load(&fs->stopping)) {
			f->waiters--;
			pthread_mutex_unlock(&fs->mu);
			return -EBUSY;
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
	if (r >= 0 && nrows)
		*nrows = n;
	return r;
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
	return cell_add(b->d, &b->dec, key, c, b->err);
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
			r = est_store_fold(fs, c, fe, 0, &n, &err);     /* a request is folding it: skip */
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
	sigset_t all, old;
	int r = 0;

	pthread_mutex_lock(&fs->bg_mu);
	if (!fs->bg_started && !atomic_load(&fs->stopping)) {
		/* the thread takes no signals: SIGTERM must reach the one that acts on it */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		r = -pthread_create(&fs->bg_th, NULL, bg_main, fs);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		fs->bg_started = r == 0;
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
