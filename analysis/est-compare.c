/* est-compare.c - θ_A − θ_B with the joint linearisation (see est-compare.h).
 *
 * In stratum h the PSU totals of z = z^A − z^B are: for the responses without a cluster (each
 * its own PSU, in A or in B, never both) the values of the groups' moment blocks, u_Aᵀx for A
 * and −u_Bᵀx for B, with means and centred sums uᵀμ and uᵀM2u; for a clustered PSU, the sum
 * u_Aᵀx_A − u_Bᵀx_B of its entries in either group; and 0 for the stratum's other PSUs. They
 * are merged as scalars (Chan et al.) as est-compute.c does for one group. */
#include "est-compare.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "est-interval.h"
#include "est-map.h"
#include "est-stratum.h"

struct cref {
	size_t stratum;
	int side;                  /* +1: A, −1: B */
	uint64_t m;                /* PSUs (1 for a clustered PSU's entry) */
	const double *mean;
	const double *m2;          /* NULL: M2 = 0 */
	long psu;                  /* clustered PSU id, or −1 */
};

struct cstratum {
	uint64_t rows, psus;       /* responses; PSUs of the design */
	enum est_weighting weighting;
	double fpc;
	double scale, fpcfac;
	bool lonely, touched;
	double ztot;
};

struct cmp {
	const struct form *f;
	size_t dim, K, nest;
	const char *a, *b;
	bool seen_a, seen_b;
	struct est_map strata, psus;
	struct cstratum *s;
	size_t scap;
	long *psu_stratum;
	size_t pcap;
	struct cref *refs;
	size_t nrefs, rcap;
	uint64_t *cnt_a, *cnt_b;   /* nitems + nindices */
	double *zpsu;              /* per PSU id */
	char *psu_touched;
	int err;
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

static int push(struct cmp *c, struct cref ref)
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
	struct cstratum *st;
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
		return push(c, (struct cref){ (size_t)h, side, v->moments->m, v->moments->mean, v->moments->m2, -1 });
	return 0;
}

static int on_psu(const struct est_psu_view *v, void *ctx)
{
	struct cmp *c = ctx;
	long h = stratum_id(c, v->stratum), p;
	size_t len = strlen(v->psu), before;
	char key[sizeof(long) + EST_MAX_KEY_LEN];
	int side, r;

	if (h < 0)
		return (int)h;
	if (len > EST_MAX_KEY_LEN)
		return -EINVAL;
	memcpy(key, &h, sizeof h);
	memcpy(key + sizeof h, v->psu, len);
	if ((r = grow((void **)&c->psu_stratum, &c->pcap, c->psus.count + 1, sizeof *c->psu_stratum)) < 0)
		return r;
	before = c->psus.count;
	p = est_map_intern(&c->psus, key, sizeof h + len);
	if (p < 0)
		return (int)p;
	if (c->psus.count != before) {
		c->psu_stratum[p] = h;
		c->s[h].psus++;
	}
	side = side_of(c, v->group);
	if (!side)
		return 0;
	return push(c, (struct cref){ (size_t)h, side, 1, v->totals, NULL, p });
}

static int cmp_cref(const void *x, const void *y)
{
	const struct cref *a = x, *b = y;

	return (a->stratum > b->stratum) - (a->stratum < b->stratum);
}

/* As est-compute.c's prepare(): weights' scale, fpc factor and lonely strata. */
static int prepare(struct cmp *c, const struct est_frame *frame, const struct est_options *o, struct est_error *err,
		   uint64_t *total_psus)
{
	size_t h;

	*total_psus = 0;
	for (h = 0; h < c->strata.count; h++) {
		struct cstratum *st = &c->s[h];
		const char *name = est_map_key(&c->strata, h, NULL);
		int r;

		st->scale = 1;
		st->fpcfac = 1;
		if (st->psus == 0)
			continue;
		*total_psus += st->psus;
		r = est_stratum_factors(name, st->rows, st->psus, st->weighting, st->fpc, frame,
					&st->scale, &st->fpcfac, err);
		if (r < 0)
			return r;
		if (st->psus == 1) {
			if (o->lonely == EST_LONELY_FAIL)
				return est_error_set(err, -EINVAL, "stratum", "lonely_psu",
					"stratum '%s' has only one PSU (see --lonely-psu)", name);
			st->lonely = true;
		}
	}
	return 0;
}

/* The linearisation vector of estimate `what` for one side from its totals T; returns the
 * estimate (proportion), or NAN when an item under it has no valid answer. *any: u is not 0. */
static double lin_vector(const struct cmp *c, size_t what, const double *T, double *u, bool *any)
{
	const struct form *f = c->f;
	size_t K = c->K, k;
	double est = 0;

	memset(u, 0, c->dim * sizeof *u);
	*any = false;
	for (k = 0; k < K; k++) {
		double ck = what < f->nindices ? f->indices[what].coef[k] : (k == what - f->nindices);
		double Y = T[k], V = T[K + k], r;

		if (ck == 0)
			continue;
		if (!(V > 0))
			return NAN;
		r = Y / V;
		est += ck * r;
		if (Y != 0 && Y != V) {
			u[k] = ck / V;
			u[K + k] = -ck * r / V;
			*any = true;
		}
	}
	return est;
}

static double dotp(const double *u, const double *x, size_t dim)
{
	double s = 0;
	size_t a;

	for (a = 0; a < dim; a++)
		s += u[a] * x[a];
	return s;
}

static double variance(struct cmp *c, const struct est_options *o, const double *ua, const double *ub,
		       uint64_t total_psus)
{
	size_t i = 0, j, h;
	double var = 0, zall = 0;

	for (h = 0; h < c->strata.count; h++) {
		c->s[h].touched = false;
		c->s[h].ztot = 0;
	}
	while (i < c->nrefs) {
		struct cstratum *st = &c->s[c->refs[i].stratum];
		size_t first = i;
		double n = 0, mean = 0, m2 = 0, sum = 0;

		h = c->refs[i].stratum;
		/* clustered PSUs: sum the two sides' parts per PSU first */
		for (j = i; j < c->nrefs && c->refs[j].stratum == h; j++) {
			const struct cref *r = &c->refs[j];

			if (r->psu >= 0) {
				c->zpsu[r->psu] += r->side * st->scale * dotp(r->side > 0 ? ua : ub, r->mean, c->dim);
				c->psu_touched[r->psu] = 1;
			}
		}
		for (; i < c->nrefs && c->refs[i].stratum == h; i++) {
			const struct cref *r = &c->refs[i];
			const double *u = r->side > 0 ? ua : ub;
			double nb, tb, qb = 0, N, delta;

			if (r->psu >= 0) {
				if (!c->psu_touched[r->psu])
					continue;          /* already merged */
				c->psu_touched[r->psu] = 0;
				nb = 1;
				tb = c->zpsu[r->psu];
				c->zpsu[r->psu] = 0;
			} else {
				struct est_block b = { c->dim, r->m, (double *)r->mean, (double *)r->m2 };

				nb = (double)r->m;
				tb = r->side * st->scale * est_block_dot(&b, u);
				if (r->m2)
					qb = st->scale * st->scale * est_block_quad(&b, u);
			}
			N = n + nb;
			delta = tb - mean;
			mean += delta * nb / N;
			m2 += qb + delta * delta * n * nb / N;
			n = N;
			sum += nb * tb;
		}
		(void)first;
		if ((double)st->psus > n) {
			double nz = (double)st->psus - n, N = (double)st->psus;

			m2 += mean * mean * n * nz / N;
		}
		if (m2 < 0)
			m2 = 0;
		st->ztot = sum;
		st->touched = true;
		zall += sum;
		if (st->psus > 1)
			var += st->fpcfac * (double)st->psus / (double)(st->psus - 1) * m2;
	}
	if (o->lonely == EST_LONELY_ADJUST && total_psus) {
		double center = zall / (double)total_psus;

		for (h = 0; h < c->strata.count; h++)
			if (c->s[h].lonely) {
				double z = c->s[h].touched ? c->s[h].ztot : 0;

				var += c->s[h].fpcfac * (z - center) * (z - center);
			}
	}
	return var;
}

int est_compare_groups(struct est_design *d, const struct est_frame *frame, const struct est_options *o,
		       const char *a, const char *b, struct est_contrast *out, struct est_error *err)
{
	struct cmp c;
	double *Ta = NULL, *Tb = NULL, *ua = NULL, *ub = NULL;
	uint64_t total_psus = 0, psus_ab = 0, strata_ab = 0;
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
	if ((r = prepare(&c, frame, o, err, &total_psus)) < 0)
		goto out;
	r = -ENOMEM;
	c.zpsu = calloc(c.psus.count ? c.psus.count : 1, sizeof *c.zpsu);
	c.psu_touched = calloc(c.psus.count ? c.psus.count : 1, 1);
	if (!c.zpsu || !c.psu_touched)
		goto out;
	qsort(c.refs, c.nrefs, sizeof *c.refs, cmp_cref);
	/* totals and df */
	for (i = 0; i < c.nrefs; i++) {
		const struct cref *ref = &c.refs[i];
		double *T = ref->side > 0 ? Ta : Tb, wgt = c.s[ref->stratum].scale * (double)ref->m;
		size_t k;

		for (k = 0; k < c.dim; k++)
			T[k] += wgt * ref->mean[k];
		if (ref->psu < 0)
			psus_ab += ref->m;
		else if (!c.psu_touched[ref->psu]) {
			c.psu_touched[ref->psu] = 1;
			psus_ab++;
		}
		if (!c.s[ref->stratum].touched) {
			c.s[ref->stratum].touched = true;
			strata_ab++;
		}
	}
	memset(c.psu_touched, 0, c.psus.count ? c.psus.count : 1);
	for (h = 0; h < c.strata.count; h++)
		c.s[h].touched = false;
	df = (long)psus_ab - (long)strata_ab;
	for (w = 0; w < c.nest; w++) {
		struct est_contrast *e = &out[w];
		bool anya, anyb;
		double pa = lin_vector(&c, w, Ta, ua, &anya), pb;
		size_t k;

		pb = lin_vector(&c, w, Tb, ub, &anyb);
		k = w < c.f->nindices ? c.K + w : w - c.f->nindices;
		*e = (struct est_contrast){ .what = w, .est_a = 100 * pa, .est_b = 100 * pb, .diff = NAN, .se = NAN,
			.df = df, .t = NAN, .p_value = NAN, .n_a = c.cnt_a[k], .n_b = c.cnt_b[k] };
		if (isnan(pa) || isnan(pb))
			continue;
		e->diff = 100 * (pa - pb);
		e->se = anya || anyb ? 100 * sqrt(variance(&c, o, ua, ub, total_psus)) : 0;
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
	free(c.psu_stratum);
	free(c.refs);
	free(c.cnt_a);
	free(c.cnt_b);
	free(c.zpsu);
	free(c.psu_touched);
	free(Ta);
	free(Tb);
	free(ua);
	free(ub);
	return r;
}
