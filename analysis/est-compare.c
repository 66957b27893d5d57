/* est-compare.c - θ_A − θ_B with the joint linearisation (see est-compare.h).
 *
 * In stratum h the PSU totals of z = z^A − z^B are: for the responses without a cluster (each
 * its own PSU, in A or in B, never both) the values of the groups' moment blocks, u_Aᵀx for A
 * and −u_Bᵀx for B, with means and centred sums uᵀμ and uᵀM2u; for a clustered PSU, the sum
 * u_Aᵀx_A − u_Bᵀx_B of its entries in either group; and 0 for the stratum's other PSUs. They
 * go to est_variance_of (est-variance.c) as refs of side +1 and −1, the loop est_compute uses
 * for one group. */
#include "est-compare.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "est-interval.h"
#include "est-map.h"
#include "est-variance.h"

struct cmp {
	const struct form *f;
	size_t dim, K, nest;
	const char *a, *b;
	bool seen_a, seen_b;
	struct est_map strata, psus;
	struct est_vstratum *s;
	size_t scap;
	struct est_vref *refs;
	size_t nrefs, rcap;
	uint64_t *cnt_a, *cnt_b;   /* nitems + nindices */
	struct est_variance var;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
	*p = q;
	*cap = n;
	return 0;
}

static long stratum_id(struct cmp *c, const char *name)
{
	long h;
	int r;

	if ((r = grow((void **)&c->s, &c->scap, c->strata.count + 1, sizeof *c->s)) < 0)
		return r;
	h = est_map_intern(&c->strata, name, strlen(name));
	return h;
}

static int push(struct cmp *c, struct est_vref ref)
{
	int r;

	if ((r = grow((void **)&c->refs, &c->rcap, c->nrefs + 1, sizeof *c->refs)) < 0)
		return r;
	c->refs[c->nrefs++] = ref;
	return 0;
}

static int side_of(struct cmp *c, const char *group)
{
	if (strcmp(group, c->a) == 0) {
		c->seen_a = true;
		return 1;
	}
	if (strcmp(group, c->b) == 0) {
		c->seen_b = true;
		return -1;
	}
	return 0;
}

static int on_cell(const struct est_cell_view *v, void *ctx)
{
	struct cmp *c = ctx;
	long h = stratum_id(c, v->stratum);
	struct est_vstratum *st;
	int side;
	size_t k;

	if (h < 0)
		return (int)h;
	st = &c->s[h];
	if (st->rows == 0 && v->rows) {
		st->weighting = v->weighting;
		st->fpc = v->fpc;
	}
	st->rows += v->rows;
	if (v->moments)
		st->psus += v->moments->m;
	side = side_of(c, v->group);
	if (!side || !v->rows)
		return 0;
	for (k = 0; k < c->K + c->f->nindices; k++) {
		uint64_t n = k < c->K ? v->nvalid[k] : v->nindex[k - c->K];

		(side > 0 ? c->cnt_a : c->cnt_b)[k] += n;
	}
	if (v->moments && v->moments->m)
		return push(c, (struct est_vref){ (size_t)h, side, v->moments->m, v->moments->mean, v->moments->m2, -1 });
	return 0;
}

static int on_psu(const struct est_psu_view *v, void *ctx)
{
	struct cmp *c = ctx;
	long h = stratum_id(c, v->stratum), p;
	size_t len = strlen(v->psu), before;
	char key[sizeof(long) + EST_MAX_KEY_LEN];
	int side;

	if (h < 0)
		return (int)h;
	if (len > EST_MAX_KEY_LEN)
		return -EINVAL;
	memcpy(key, &h, sizeof h);
	memcpy(key + sizeof h, v->psu, len);
	before = c->psus.count;
	p = est_map_intern(&c->psus, key, sizeof h + len);
	if (p < 0)
		return (int)p;
	if (c->psus.count != before)
		c->s[h].psus++;
	side = side_of(c, v->group);
	if (!side)
		return 0;
	return push(c, (struct est_vref){ (size_t)h, side, 1, v->totals, NULL, p });
}

void est_compare_rounds(const struct est_estimate *a, const struct est_estimate *b, struct est_contrast *out)
{
	double diff = a->estimate - b->estimate, se = sqrt(a->se * a->se + b->se * b->se);
	long df = a->df < b->df ? a->df : b->df;
	double t = se > 0 && df >= 1 ? diff / se : NAN;

	*out = (struct est_contrast){ .what = a->what, .est_a = a->estimate, .est_b = b->estimate, .diff = diff,
		.se = se, .df = df, .t = t, .p_value = isnan(t) ? NAN : est_t_pvalue(t, (double)df),
		.n_a = a->n, .n_b = b->n };
}

int est_compare_groups(struct est_design *d, const struct est_frame *frame, const struct est_options *o,
		       const char *a, const char *b, struct est_contrast *out, struct est_error *err)
{
	struct cmp c;
	double *Ta = NULL, *Tb = NULL, *ua = NULL, *ub = NULL;
	uint64_t psus_ab = 0, strata_ab = 0;
	size_t i, w, h;
	long df;
	int r = -ENOMEM;

	est_gsl_init();
	if (!(o->confidence > 0 && o->confidence < 1))
		return est_error_set(err, -EINVAL, "confidence", "bad_option", "confidence must be in (0, 1)");
	memset(&c, 0, sizeof c);
	c.f = est_design_form(d);
	c.K = c.f->nitems;
	c.dim = 2 * c.K;
	c.nest = c.f->nindices + c.K;
	c.a = a;
	c.b = b;
	est_map_init(&c.strata, EST_MAX_STRATA);
	est_map_init(&c.psus, EST_MAX_PSUS);
	c.cnt_a = calloc(c.nest, sizeof *c.cnt_a);
	c.cnt_b = calloc(c.nest, sizeof *c.cnt_b);
	Ta = calloc(c.dim, sizeof *Ta);
	Tb = calloc(c.dim, sizeof *Tb);
	ua = calloc(c.dim, sizeof *ua);
	ub = calloc(c.dim, sizeof *ub);
	if (!c.cnt_a || !c.cnt_b || !Ta || !Tb || !ua || !ub)
		goto out;
	if ((r = est_design_foreach(d, on_cell, on_psu, &c)) < 0)
		goto out;
	if (!c.seen_a || !c.seen_b || strcmp(a, b) == 0) {
		r = -ENOENT;
		goto out;
	}
	if ((r = est_variance_init(&c.var, c.f, o->lonely, c.s, c.strata.count, c.psus.count)) < 0 ||
	    (r = est_variance_prepare(&c.var, &c.strata, frame, err)) < 0)
		goto out;
	est_vrefs_sort(c.refs, c.nrefs);
	est_variance_totals(&c.var, c.refs, c.nrefs, Ta, Tb);
	/* df: the PSUs and strata with members of A or B */
	for (i = 0; i < c.nrefs; i++) {
		const struct est_vref *ref = &c.refs[i];

		if (ref->psu < 0)
			psus_ab += ref->m;
		else if (!c.var.psu_touched[ref->psu]) {
			c.var.psu_touched[ref->psu] = 1;
			psus_ab++;
		}
		if (!c.s[ref->stratum].touched) {
			c.s[ref->stratum].touched = true;
			strata_ab++;
		}
	}
	if (c.psus.count)
		memset(c.var.psu_touched, 0, c.psus.count);
	for (h = 0; h < c.strata.count; h++)
		c.s[h].touched = false;
	df = (long)psus_ab - (long)strata_ab;
	for (w = 0; w < c.nest; w++) {
		struct est_contrast *e = &out[w];
		bool anya = false, anyb = false;
		double pa = NAN, pb = NAN;
		size_t k;

		if (est_linearise(c.f, w, Ta, ua, &pa, &anya) < 0)
			pa = NAN;
		if (est_linearise(c.f, w, Tb, ub, &pb, &anyb) < 0)
			pb = NAN;
		k = w < c.f->nindices ? c.K + w : w - c.f->nindices;
		*e = (struct est_contrast){ .what = w, .est_a = 100 * pa, .est_b = 100 * pb, .diff = NAN, .se = NAN,
			.df = df, .t = NAN, .p_value = NAN, .n_a = c.cnt_a[k], .n_b = c.cnt_b[k] };
		if (isnan(pa) || isnan(pb))
			continue;
		e->diff = 100 * (pa - pb);
		e->se = anya || anyb ? 100 * sqrt(est_variance_of(&c.var, c.refs, c.nrefs, ua, ub)) : 0;
		if (e->se > 0 && df >= 1) {
			e->t = e->diff / e->se;
			e->p_value = est_t_pvalue(e->t, (double)df);
		}
	}
	r = 0;
out:
	est_map_done(&c.strata);
	est_map_done(&c.psus);
	free(c.s);
	free(c.refs);
	free(c.cnt_a);
	free(c.cnt_b);
	est_variance_done(&c.var);
	free(Ta);
	free(Tb);
	free(ua);
	free(ub);
	return r;
}
