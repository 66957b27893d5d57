/* est-design.c - the design accumulator. */
#include "est-design-internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

int est_design_new(const struct form *form, struct est_design **out)
{
	struct est_design *d = NULL;
	size_t k, i, s;
	int r = -ENOMEM;

	if (!form || form->nitems == 0 || 2 * form->nitems > EST_MAX_DIM)
		return -EINVAL;
	d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	d->form = form;
	d->nitems = form->nitems;
	d->nindices = form->nindices;
	d->dim = 2 * form->nitems;
	d->words = (form->nitems + 63) / 64;
	est_map_init(&d->groups, EST_MAX_GROUPS);
	est_map_init(&d->strata, EST_MAX_STRATA);
	est_map_init(&d->cells, EST_MAX_CELLS);
	est_map_init(&d->psus, EST_MAX_PSUS);
	est_map_init(&d->entries, EST_MAX_PSUS);

	d->item_slot = calloc(d->nitems, sizeof *d->item_slot);
	d->item_pos = calloc(d->nitems, sizeof *d->item_pos);
	d->item_pos64 = calloc(d->nitems, sizeof *d->item_pos64);
	d->posmaps = calloc((form->nscales ? form->nscales : 1) * EST_CODE_WORDS, sizeof *d->posmaps);
	d->index_mask = calloc((d->nindices ? d->nindices : 1) * d->words, sizeof *d->index_mask);
	d->idx = calloc(d->dim, sizeof *d->idx);
	d->vidx = calloc(d->nitems, sizeof *d->vidx);
	d->valid = calloc(d->words, sizeof *d->valid);
	if (!d->item_slot || !d->item_pos || !d->item_pos64 || !d->posmaps || !d->index_mask || !d->idx || !d->vidx || !d->valid)
		goto fail;
	for (s = 0; s < form->nscales; s++) {
		const struct form_scale *sc = &form->scales[s];

		for (i = 0; i < sc->npositive; i++) {
			int code = sc->positive[i];

			if (code >= FORM_CODE_MIN && code <= FORM_CODE_MAX)
				d->posmaps[s * EST_CODE_WORDS + (size_t)code / 64] |= 1ull << (code % 64);
		}
	}
	for (k = 0; k < d->nitems; k++) {
		const struct form_question *q = &form->questions[form->items[k]];

		r = -EINVAL;
		if (q->type != FORM_Q_SCALE || !q->scale || q->slot < 0 || (size_t)q->slot >= form->nslots)
			goto fail;
		s = (size_t)(q->scale - form->scales);
		if (s >= form->nscales)
			goto fail;
		d->item_slot[k] = q->slot;
		d->item_pos[k] = d->posmaps + s * EST_CODE_WORDS;
		d->item_pos64[k] = d->item_pos[k][0];
	}
	for (i = 0; i < d->nindices; i++)
		for (k = 0; k < d->nitems; k++)
			if (form->indices[i].coef[k] != 0)
				d->index_mask[i * d->words + k / 64] |= 1ull << (k % 64);
	*out = d;
	return 0;
fail:
	est_design_free(d);
	return r;
}

void est_design_free(struct est_design *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->cells.count; i++) {
		est_block_done(&d->c[i].block);
		est_batch_done(&d->c[i].batch);
		free(d->c[i].counts);
	}
	est_map_done(&d->groups);
	est_map_done(&d->strata);
	est_map_done(&d->cells);
	est_map_done(&d->psus);
	est_map_done(&d->entries);
	free(d->g);
	free(d->s);
	free(d->c);
	free(d->psu_stratum);
	free(d->psu_next);
	free(d->e);
	free(d->tot);
	free(d->item_slot);
	free(d->item_pos);
	free(d->item_pos64);
	free(d->posmaps);
	free(d->index_mask);
	free(d->idx);
	free(d->vidx);
	free(d->valid);
	free(d);
}

const struct form *est_design_form(const struct est_design *d) { return d->form; }
size_t est_design_ngroups(const struct est_design *d) { return d->groups.count; }
const char *est_design_group_key(const struct est_design *d, size_t i) { return est_map_key(&d->groups, i, NULL); }
uint64_t est_design_rows(const struct est_design *d) { return d->rows; }

static int check_key_len(size_t len, const char *what, struct est_error *err)
{
	if (len > EST_MAX_KEY_LEN)
		return est_error_set(err, -EINVAL, what, "too_long", "%s longer than %d bytes", what, EST_MAX_KEY_LEN);
	return 0;
}

static int check_key(const char *s, const char *what, struct est_error *err)
{
	return check_key_len(strlen(s), what, err);
}

/* Checks that a stratum's weighting and fpc agree with a new row's (or cell's). */
/* Checks that a stratum's weighting and fpc agree with a new row's (or cell's). */
static int check_st(const struct est_stratum *st, const char *stratum, enum est_weighting w, double fpc,
	struct est_error *err)
{
	if (st->weighting != EST_W_NONE && w != EST_W_NONE && st->weighting != w)
		return est_error_set(err, -EINVAL, "weight", "mixed_weights",
			"stratum '%s': weights are given for some responses and not for others", stratum);
	if (st->rows > 0 && !(isnan(st->fpc) && isnan(fpc)) && !(st->fpc == fpc))
		return est_error_set(err, -EINVAL, "fpc", "fpc_varies",
			"stratum '%s': fpc differs from the stratum's earlier responses", stratum);
	return 0;
}

static int check_stratum(const struct est_design *d, const char *stratum, enum est_weighting w, double fpc,
	struct est_error *err)
{
	long h = est_map_find(&d->strata, stratum, strlen(stratum));

	return h < 0 ? 0 : check_st(&d->s[h], stratum, w, fpc, err);
}

/* The key of a cell: "group\0stratum" in buf (2 EST_MAX_KEY_LEN + 2 bytes); returns its length. */
static size_t cell_key(char *buf, const char *group, const char *stratum)
{
	size_t g = strlen(group), s = strlen(stratum);

	memcpy(buf, group, g + 1);
	memcpy(buf + g + 1, stratum, s);
	return g + 1 + s;
}

/* Finds or creates the group, stratum and cell; returns the cell id or a negative errno.
 * Arrays grow before a map hands out an id, so a failure leaves every id backed. */
static long get_cell(struct est_design *d, const char *group, const char *stratum)
{
	char key[2 * EST_MAX_KEY_LEN + 2];
	size_t klen = cell_key(key, group, stratum), i, old;
	long g, h, c;
	uint64_t *counts;
	struct est_cell *cell;
	int r;

	c = est_map_find(&d->cells, key, klen);
	if (c >= 0)
		return c;
	old = d->gcap;
	if ((r = grow_array((void **)&d->g, &d->gcap, d->groups.count + 1, sizeof *d->g)) < 0)
		return r;
	for (i = old; i < d->gcap; i++)
		d->g[i] = (struct est_groupacc){ EST_NONE, EST_NONE, 0 };
	g = est_map_intern(&d->groups, group, strlen(group));
	if (g < 0)
		return g;
	old = d->scap;
	if ((r = grow_array((void **)&d->s, &d->scap, d->strata.count + 1, sizeof *d->s)) < 0)
		return r;
	for (i = old; i < d->scap; i++)
		d->s[i] = (struct est_stratum){ 0, 0, EST_W_NONE, NAN, EST_NONE, EST_NONE, EST_NONE, EST_NONE };
	h = est_map_intern(&d->strata, stratum, strlen(stratum));
	if (h < 0)
		return h;
	if ((r = grow_array((void **)&d->c, &d->ccap, d->cells.count + 1, sizeof *d->c)) < 0)
		return r;
	counts = calloc(d->nitems + d->nindices, sizeof *counts);
	if (!counts)
		return -ENOMEM;
	c = est_map_intern(&d->cells, key, klen);
	if (c < 0) {
		free(counts);
		return c;
	}
	cell = &d->c[c];
	memset(cell, 0, sizeof *cell);
	cell->counts = counts;
	cell->group = (size_t)g;
	cell->stratum = (size_t)h;
	cell->next_in_stratum = cell->next_in_group = EST_NONE;
	cell->first_entry = cell->last_entry = EST_NONE;
	if (d->g[g].last_cell == EST_NONE)
		d->g[g].first_cell = (size_t)c;
	else
		d->c[d->g[g].last_cell].next_in_group = (size_t)c;
	d->g[g].last_cell = (size_t)c;
	if (d->s[h].last_cell == EST_NONE)
		d->s[h].first_cell = (size_t)c;
	else
		d->c[d->s[h].last_cell].next_in_stratum = (size_t)c;
	d->s[h].last_cell = (size_t)c;
	return c;
}

/* Allocates a cell's moment block and batch on first use. */
static int cell_moments(struct est_design *d, struct est_cell *cell)
{
	size_t bytes = 3 * est_packed_len(d->dim) * sizeof(double);   /* M2, s2 and the counts */
	int r;

	if (cell->block.mean)
		return 0;
	if ((d->moment_cells + 1) > EST_MAX_MOMENT_BYTES / bytes)
		return -E2BIG;
	if ((r = est_block_init(&cell->block, d->dim, true)) < 0)
		return r;
	if ((r = est_batch_init(&cell->batch, d->dim)) < 0) {
		est_block_done(&cell->block);
		return r;
	}
	d->moment_cells++;
	return 0;
}

/* Finds or creates the clustered PSU (the cell's stratum, id psu) and its entry in cell c;
 * returns the entry id or a negative errno. */
static long get_entry(struct est_design *d, size_t c, const char *psu)
{
	size_t h = d->c[c].stratum, len = strlen(psu), before, cap;
	char kbuf[sizeof(size_t) + EST_MAX_KEY_LEN];
	size_t ekey[2];
	struct est_cell *cell = &d->c[c];
	long p, e;
	int r;

	memcpy(kbuf, &h, sizeof h);
	memcpy(kbuf + sizeof h, psu, len);
	cap = d->pcap;
	if ((r = grow_array((void **)&d->psu_stratum, &cap, d->psus.count + 1, sizeof *d->psu_stratum)) < 0)
		return r;
	cap = d->pcap;
	if ((r = grow_array((void **)&d->psu_next, &cap, d->psus.count + 1, sizeof *d->psu_next)) < 0)
		return r;
	d->pcap = cap;
	before = d->psus.count;
	p = est_map_intern(&d->psus, kbuf, sizeof h + len);
	if (p < 0)
		return p;
	if (d->psus.count != before) {
		d->psu_stratum[p] = h;
		d->psu_next[p] = EST_NONE;
		if (d->s[h].last_psu == EST_NONE)
			d->s[h].first_psu = (size_t)p;
		else
			d->psu_next[d->s[h].last_psu] = (size_t)p;
		d->s[h].last_psu = (size_t)p;
		d->s[h].psus++;
	}
	ekey[0] = c;
	ekey[1] = (size_t)p;
	cap = d->ecap;
	if ((r = grow_array((void **)&d->e, &cap, d->entries.count + 1, sizeof *d->e)) < 0)
		return r;
	cap = d->ecap;
	if ((r = grow_array((void **)&d->tot, &cap, d->entries.count + 1, d->dim * sizeof *d->tot)) < 0)
		return r;
	d->ecap = cap;
	before = d->entries.count;
	e = est_map_intern(&d->entries, ekey, sizeof ekey);
	if (e < 0)
		return e;
	if (d->entries.count != before) {
		d->e[e] = (struct est_entry){ c, (size_t)p, EST_NONE };
		memset(d->tot + (size_t)e * d->dim, 0, d->dim * sizeof *d->tot);
		if (cell->last_entry == EST_NONE)
			cell->first_entry = (size_t)e;
		else
			d->e[cell->last_entry].next = (size_t)e;
		cell->last_entry = (size_t)e;
		cell->nentries++;
	}
	return e;
}

static void stratum_note(struct est_stratum *st, enum est_weighting w, double fpc)
{
	if (st->weighting == EST_W_NONE)
		st->weighting = w;
	if (st->rows == 0)
		st->fpc = fpc;
}

/* The common row, taken without index lists: its codes all valid, its cell already there and
 * consistent, no PSU, a weight its cell's batch counts. Sets the row's bits straight into the
 * batch's columns. Returns 1 when taken, 0 when the row needs the general path (nothing
 * changed), or a negative errno. */
static int add_counted(struct est_design *d, const struct est_row *row, const char *group, size_t glen,
	size_t slen, enum est_weighting wmode, double w)
{
	const size_t K = d->nitems;
	const int *item_slot = d->item_slot;
	const uint64_t *pos64 = d->item_pos64;
	const int16_t *codes = row->codes;
	char key[2 * EST_MAX_KEY_LEN + 2];
	struct est_cell *cell;
	struct est_stratum *st;
	uint64_t *cols, *counts, bit, v0 = 0;
	size_t k, i;
	long c;
	int bad = 0, r;

	if (row->psu && row->psu[0])
		return 0;
	if (d->words != 1)
		return 0;
	for (k = 0; k < K; k++) {
		int code = codes[item_slot[k]];

		/* blank, or a code below 64 (where pos64 says all) */
		bad |= code != FORM_NO_ANSWER && (unsigned)code >= 64;
	}
	if (bad)
		return 0;
	memcpy(key, group, glen + 1);
	memcpy(key + glen + 1, row->stratum, slen);
	c = est_map_find(&d->cells, key, glen + 1 + slen);
	if (c < 0)
		return 0;
	cell = &d->c[c];
	st = &d->s[cell->stratum];
	/* check_st would pass */
	if (st->weighting != EST_W_NONE && st->weighting != wmode)
		return 0;
	if (st->rows > 0 && !(isnan(st->fpc) && isnan(row->fpc)) && !(st->fpc == row->fpc))
		return 0;
	if (!cell->block.mean || !(bit = est_batch_row_bit(&cell->batch, w)))
		return 0;
	cols = cell->batch.cols;
	counts = cell->counts;
	for (k = 0; k < K; k++) {
		int code = codes[item_slot[k]];
		uint64_t positive;

		if (code == FORM_NO_ANSWER)
			continue;
		positive = pos64[k] >> code & 1;
		v0 |= 1ull << k;
		cols[K + k] |= bit;
		cols[k] |= bit & -positive;
		counts[k]++;
	}
	if ((r = est_batch_row_done(&cell->batch, &cell->block, w)) < 0)
		return r;
	st->psus++;
	stratum_note(st, wmode, row->fpc);
	st->rows++;
	cell->rows++;
	d->g[cell->group].rows++;
	d->rows++;
	if (v0)
		for (i = 0; i < d->nindices; i++)
			counts[K + i] += (d->index_mask[i] & v0) != 0;
	return 1;
}

int est_design_add(struct est_design *d, const struct est_row *row, struct est_error *err)
{
	const char *group = row->group ? row->group : "";
	const char *psu = row->psu && row->psu[0] ? row->psu : NULL;
	enum est_weighting wmode = isnan(row->weight) ? EST_W_FRAME : EST_W_GIVEN;
	double w = wmode == EST_W_GIVEN ? row->weight : 1.0;
	const size_t K = d->nitems, words = d->words;
	const int *item_slot = d->item_slot;
	const uint64_t *pos64 = d->item_pos64;
	const int16_t *codes = row->codes;
	uint16_t *idx = d->idx, *vidx = d->vidx;
	uint64_t *valid = d->valid, v0 = 0;
	uint64_t *counts;
	size_t k, ny = 0, nv = 0, i, glen, slen;
	struct est_cell *cell;
	struct est_stratum *st;
	long c, e;
	int r;

	if (!row->stratum || !row->stratum[0])
		return est_error_set(err, -EINVAL, "stratum", "required", "empty stratum");
	glen = strlen(group);
	slen = strlen(row->stratum);
	if ((r = check_key_len(glen, "group", err)) < 0 || (r = check_key_len(slen, "stratum", err)) < 0 ||
	    (psu && (r = check_key(psu, "psu", err)) < 0))
		return r;
	if (wmode == EST_W_GIVEN && !(isfinite(w) && w > 0))
		return est_error_set(err, -EINVAL, "weight", "bad_weight", "weight must be a positive number");
	if (!isnan(row->fpc) && !(isfinite(row->fpc) && row->fpc >= 1))
		return est_error_set(err, -EINVAL, "fpc", "bad_fpc", "fpc must be a population size of at least 1");

	if ((r = add_counted(d, row, group, glen, slen, wmode, w)) != 0)
		return r < 0 ? r : 0;

	/* answers → the ones of x = (y, v) (y part first, so the list stays increasing) and the
	 * valid-item bitset */
	for (i = 0; i < words; i++)
		valid[i] = 0;
	for (k = 0; k < K; k++) {
		int code = codes[item_slot[k]];
		unsigned positive;

		if (code == FORM_NO_ANSWER)
			continue;
		if ((unsigned)(code - FORM_CODE_MIN) > (unsigned)(FORM_CODE_MAX - FORM_CODE_MIN))
			return est_error_set(err, -EINVAL, d->form->questions[d->form->items[k]].id, "out_of_range",
				"code %d outside [%d, %d]", code, FORM_CODE_MIN, FORM_CODE_MAX);
		if (k < 64)
			v0 |= 1ull << k;
		else
			valid[k / 64] |= 1ull << (k % 64);
		positive = (unsigned)(code < 64 ? pos64[k] >> code & 1 : d->item_pos[k][code / 64] >> (code % 64) & 1);
		/* no branch on the answer: y is 0 or 1 at random */
		idx[ny] = (uint16_t)k;
		ny += positive;
		vidx[nv++] = (uint16_t)(K + k);
	}
	valid[0] |= v0;
	memcpy(idx + ny, vidx, nv * sizeof *idx);

	{
		char key[2 * EST_MAX_KEY_LEN + 2];

		memcpy(key, group, glen + 1);
		memcpy(key + glen + 1, row->stratum, slen);
		c = est_map_find(&d->cells, key, glen + 1 + slen);
	}
	if (c >= 0)
		r = check_st(&d->s[d->c[c].stratum], row->stratum, wmode, row->fpc, err);
	else
		r = check_stratum(d, row->stratum, wmode, row->fpc, err);
	if (r < 0)
		return r;
	if (c < 0 && (c = get_cell(d, group, row->stratum)) < 0)
		return (int)c;
	cell = &d->c[c];
	st = &d->s[cell->stratum];
	if (psu) {
		e = get_entry(d, (size_t)c, psu);
		if (e < 0)
			return (int)e;
		double *t = d->tot + (size_t)e * d->dim;
		for (i = 0; i < ny + nv; i++)
			t[idx[i]] += w;
	} else {
		if ((r = cell_moments(d, cell)) < 0)
			return r;
		if ((r = est_batch_add(&cell->batch, &cell->block, idx, ny + nv, w)) < 0)
			return r;
		st->psus++;
	}
	stratum_note(st, wmode, row->fpc);
	st->rows++;
	cell->rows++;
	d->g[cell->group].rows++;
	d->rows++;
	counts = cell->counts;
	for (i = 0; i < nv; i++)
		counts[vidx[i] - K]++;
	if (nv && words == 1) {
		const uint64_t *mask = d->index_mask;

		for (i = 0; i < d->nindices; i++)
			counts[K + i] += (mask[i] & v0) != 0;
	} else {
		for (i = 0; nv && i < d->nindices; i++) {
			const uint64_t *mask = d->index_mask + i * words;
			size_t wd;

			for (wd = 0; wd < words; wd++)
				if (mask[wd] & valid[wd]) {
					counts[K + i]++;
					break;
				}
		}
	}
	return 0;
}

int est_design_flush(struct est_design *d)
{
	size_t i;
	int r;

	for (i = 0; i < d->cells.count; i++)
		if (d->c[i].block.mean && (r = est_batch_flush(&d->c[i].batch, &d->c[i].block)) < 0)
			return r;
	return 0;
}

int est_design_add_cell(struct est_design *d, const struct est_cell_view *v, struct est_error *err)
{
	const char *group = v->group ? v->group : "";
	size_t k, n = d->nitems + d->nindices;
	struct est_cell *cell;
	struct est_stratum *st;
	uint64_t m = v->moments ? v->moments->m : 0;
	long c;
	int r;

	if (!v->stratum || !v->stratum[0])
		return est_error_set(err, -EINVAL, "stratum", "required", "empty stratum");
	if ((r = check_key(group, "group", err)) < 0 || (r = check_key(v->stratum, "stratum", err)) < 0)
		return r;
	if (v->moments && v->moments->dim != d->dim)
		return est_error_set(err, -EINVAL, "", "dimension", "moment block of dimension %zu, expected %zu",
			v->moments->dim, d->dim);
	if (m > v->rows)
		return est_error_set(err, -EINVAL, "", "inconsistent", "more PSUs than responses in a cell");
	if (v->rows && (r = check_stratum(d, v->stratum, v->weighting, v->fpc, err)) < 0)
		return r;
	c = get_cell(d, group, v->stratum);
	if (c < 0)
		return (int)c;
	cell = &d->c[c];
	st = &d->s[cell->stratum];
	if (m) {
		if ((r = cell_moments(d, cell)) < 0)
			return r;
		if ((r = est_batch_flush(&cell->batch, &cell->block)) < 0 ||
		    (r = est_block_merge(&cell->block, v->moments)) < 0)
			return r;
		st->psus += m;
	}
	if (v->rows) {
		stratum_note(st, v->weighting, v->fpc);
		st->rows += v->rows;
		cell->rows += v->rows;
		d->g[cell->group].rows += v->rows;
		d->rows += v->rows;
	}
	for (k = 0; k < n; k++)
		cell->counts[k] += k < d->nitems ? v->nvalid[k] : v->nindex[k - d->nitems];
	return 0;
}

int est_design_add_psu(struct est_design *d, const struct est_psu_view *v, struct est_error *err)
{
	const char *group = v->group ? v->group : "";
	double *t;
	size_t a;
	long c, e;
	int r;

	if (!v->stratum || !v->stratum[0] || !v->psu || !v->psu[0])
		return est_error_set(err, -EINVAL, "psu", "required", "empty stratum or PSU");
	if ((r = check_key(group, "group", err)) < 0 || (r = check_key(v->stratum, "stratum", err)) < 0 ||
	    (r = check_key(v->psu, "psu", err)) < 0)
		return r;
	c = get_cell(d, group, v->stratum);
	if (c < 0)
		return (int)c;
	e = get_entry(d, (size_t)c, v->psu);
	if (e < 0)
		return (int)e;
	t = d->tot + (size_t)e * d->dim;
	for (a = 0; a < d->dim; a++)
		t[a] += v->totals[a];
	return 0;
}

int est_design_foreach(struct est_design *d,
	int (*cell_cb)(const struct est_cell_view *c, void *ctx),
	int (*psu_cb)(const struct est_psu_view *p, void *ctx), void *ctx)
{
	size_t i;
	int r;

	if ((r = est_design_flush(d)) < 0)
		return r;
	for (i = 0; cell_cb && i < d->cells.count; i++) {
		const struct est_cell *cell = &d->c[i];
		const struct est_stratum *st = &d->s[cell->stratum];
		struct est_cell_view v = {
			.group = est_map_key(&d->groups, cell->group, NULL),
			.stratum = est_map_key(&d->strata, cell->stratum, NULL),
			.rows = cell->rows,
			.weighting = st->weighting,
			.fpc = st->fpc,
			.moments = cell->block.mean ? &cell->block : NULL,
			.nvalid = cell->counts,
			.nindex = cell->counts + d->nitems,
		};

		if ((r = cell_cb(&v, ctx)) < 0)
			return r;
	}
	for (i = 0; psu_cb && i < d->entries.count; i++) {
		const struct est_entry *e = &d->e[i];
		const struct est_cell *cell = &d->c[e->cell];
		size_t len;
		const char *pk = est_map_key(&d->psus, e->psu, &len);
		struct est_psu_view v = {
			.group = est_map_key(&d->groups, cell->group, NULL),
			.stratum = est_map_key(&d->strata, cell->stratum, NULL),
			.psu = pk + sizeof(size_t),
			.totals = d->tot + i * d->dim,
		};

		if ((r = psu_cb(&v, ctx)) < 0)
			return r;
	}
	return 0;
}

struct merge_ctx {
	struct est_design *dst;
	struct est_error *err;
};

static int merge_cell(const struct est_cell_view *c, void *ctx)
{
	struct merge_ctx *m = ctx;

	return est_design_add_cell(m->dst, c, m->err);
}

static int merge_psu(const struct est_psu_view *p, void *ctx)
{
	struct merge_ctx *m = ctx;

	return est_design_add_psu(m->dst, p, m->err);
}

int est_design_merge(struct est_design *dst, struct est_design *src, struct est_error *err)
{
	struct merge_ctx m = { dst, err };

	if (dst->dim != src->dim || dst->nindices != src->nindices)
		return est_error_set(err, -EINVAL, "", "dimension", "designs of different forms");
	return est_design_foreach(src, merge_cell, merge_psu, &m);
}
