/* est-fold.c - the fold's steps: responses added to a design keyed by stored cell, merged
 * with the stored cells they touch and written back (see est-store.c for when a fold runs, and
 * est_fold_in for a transaction that folds the rows it stores itself). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-estimates.h"
#include "db.h"
#include "est-fold.h"
#include "jsonw.h"

/* Adds a stored cell (or PSU) under group key to d. Returns 0, -EIO for a cell of another
 * layout (the form changed: a rebuild is needed), or the design's error. */
int est_fold_cell_add(struct est_design *d, struct est_cell_decoder *s, const char *key, const struct db_est_cell *c,
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

static const atomic_bool never = false;

int est_fold_init(struct fold *fo, struct db_conn *c, const struct form *f, int survey_id, struct est_error *err)
{
	size_t i;
	int r;

	memset(fo, 0, sizeof *fo);
	fo->stopping = &never;
	fo->f = f;
	fo->c = c;
	fo->survey_id = survey_id;
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

void est_fold_done(struct fold *fo)
{
	est_design_free(fo->d);
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

int est_fold_row(void *ud, const struct db_est_row *row)
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
	return est_fold_cell_add(fo->d, &fo->dec, key, c, fo->err);
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

/* Writes D (the stored cells it touches merged into it unless rebuilding: no second copy of
 * the cells), the counts and the state. */
int est_fold_write(struct fold *fo, bool rebuild)
{
	size_t i;
	int r, e;

	if (!rebuild) {
		struct strbuf keys;

		strbuf_init(&keys, 0);
		strbuf_putc(&keys, '[');
		r = est_design_foreach(fo->d, keys_cell, NULL, &keys);
		if (r >= 0)
			r = strbuf_putc(&keys, ']');
		if (r >= 0 && keys.len > 2)
			r = (int)db_est_cells_load(fo->c, fo->survey_id, NULL, strbuf_str(&keys), true, load_stored, fo);
		strbuf_done(&keys);
		if (r < 0)
			return r;
	}
	/* hundreds of cells: sent without waiting for each reply, one round trip a batch */
	if ((r = db_pipeline_begin(fo->c)) < 0)
		return r;
	if ((r = est_design_foreach(fo->d, put_cell, put_psu, fo)) < 0)
		goto out;
	for (i = 0; i < fo->counts.count; i++) {
		size_t len;
		const char *k = est_map_key(&fo->counts, i, &len);
		const char *s1 = memchr(k, EST_KEY_SEP, len), *s2;
		char channel[16];

		if (!s1 || !(s2 = memchr(s1 + 1, EST_KEY_SEP, len - (size_t)(s1 + 1 - k))) ||
		    (size_t)(s2 - s1 - 1) >= sizeof channel) {
			r = -EIO;
			goto out;
		}
		memcpy(channel, s1 + 1, (size_t)(s2 - s1 - 1));
		channel[s2 - s1 - 1] = '\0';
		if ((r = db_est_count_add(fo->c, fo->survey_id, atoi(k), s2 + 1, channel, fo->cnt[i])) < 0)
			goto out;
	}
	r = db_est_state_set(fo->c, fo->survey_id, fo->nrows, fo->max_id);
out:
	e = db_pipeline_end(fo->c);
	return r < 0 ? r : e;
}


int est_fold_in(struct fold *fo, struct db_conn *c, long long upload_id)
{
	struct timespec step = { 0, 20 * 1000000L };
	bool stale, pending;
	int r, waited;

	if (fo->nrows == 0)
		return 0;
	for (waited = 0; (r = db_est_xact_trylock(c, fo->survey_id)) == 0; waited += 20) {
		if (waited >= EST_FOLD_IN_WAIT_MS)      /* a long fold runs: leave ours to the queue */
			return db_est_queue_upload(c, fo->survey_id, upload_id);
		nanosleep(&step, NULL);
	}
	if (r < 0 || (r = db_est_state(c, fo->survey_id, &stale, &pending)) < 0)
		return r;
	if (stale)
		return 0;       /* the cells will be rebuilt from every response, these included */
	fo->c = c;
	return est_fold_write(fo, false);
}
