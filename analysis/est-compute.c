/* est-compute.c - from accumulated blocks to estimates (docs/sipas-method.md §3-6).
 *
 * For a group g the linearised variable of an estimate with item coefficients c_k is
 * z = uᵀx with u = (c_k/V_k on w·y_k, −c_k r_k/V_k on w·v_k), x a PSU's totals. A block of
 * m PSUs (mean μ, centred moments M2) thus holds m values of z with mean uᵀμ and centred
 * sum of squares uᵀM2u; the blocks of a stratum are merged as scalars (Chan et al.) together
 * with the stratum's PSUs that have no member of g (z = 0), which gives Σ_j (z_hj − z̄_h)². */
#include "est-compute.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "est-design-internal.h"
#include "est-interval.h"
#include "est-stratum.h"

struct ref {
	size_t stratum;
	uint64_t m;
	const double *mean;
	const double *m2;          /* NULL: M2 = 0 */
};

struct stratum_info {
	double scale;              /* s_h: the weights the rows were added with are multiplied by it */
	double fpcfac;             /* 1 − f_h */
	uint64_t n;                /* PSUs in the design */
	bool lonely;
};

struct ctx {
	struct est_design *d;
	const struct est_options *o;
	struct stratum_info *si;
	size_t nstrata;
	uint64_t total_psus;
	size_t *lonely;            /* strata with one PSU */
	size_t nlonely;
	/* scratch */
	struct ref *refs;
	size_t nrefs, refcap;
	double *T;                 /* dim */
	double *u;                 /* dim */
	double *coef;              /* nitems */
	uint64_t *counts;          /* nitems + nindices */
	double *ztot;              /* per stratum: Σ z (adjust) */
	char *touched;             /* per stratum */
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	return (x->stratum > y->stratum) - (x->stratum < y->stratum);
}

static int push_ref(struct ctx *c, size_t h, uint64_t m, const double *mean, const double *m2)
{
	if (c->nrefs == c->refcap) {
		size_t ncap = c->refcap ? c->refcap * 2 : 64;
		struct ref *n = realloc(c->refs, ncap * sizeof *n);

		if (!n)
			return -ENOMEM;
		c->refs = n;
		c->refcap = ncap;
	}
	c->refs[c->nrefs++] = (struct ref){ h, m, mean, m2 };
	return 0;
}

const char *est_flags_str(unsigned flags, char *buf, size_t len)
{
	static const char *const names[] = { "small_n", "wide_interval", "se_zero", "no_answers", "no_df" };
	size_t i, off = 0;

	if (!flags || len == 0)
		return NULL;
	buf[0] = '\0';
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(flags & (1u << i)))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s", off ? "," : "", names[i]);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return buf;
}

/* Variance of the estimate whose linearisation vector is c->u, over the refs (sorted by stratum). */
static double variance(struct ctx *c)
{
	const struct est_options *o = c->o;
	size_t dim = c->d->dim, i = 0, j;
	double var = 0, zall = 0, center;

	while (i < c->nrefs) {
		size_t h = c->refs[i].stratum;
		const struct stratum_info *s = &c->si[h];
		double n = 0, mean = 0, m2 = 0, sum = 0;

		for (; i < c->nrefs && c->refs[i].stratum == h; i++) {
			const struct ref *r = &c->refs[i];
			double nb = (double)r->m, tb = 0, qb = 0, N, delta;
			struct est_block b = { dim, r->m, (double *)r->mean, (double *)r->m2 };

			if (r->m == 0)
				continue;
			tb = s->scale * est_block_dot(&b, c->u);
			if (r->m2)
				qb = s->scale * s->scale * est_block_quad(&b, c->u);
			N = n + nb;
			delta = tb - mean;
			mean += delta * nb / N;
			m2 += qb + delta * delta * n * nb / N;
			n = N;
			sum += nb * tb;
		}
		/* the stratum's PSUs without members of the group: z = 0 */
		if ((double)s->n > n) {
			double nz = (double)s->n - n, N = (double)s->n;

			m2 += mean * mean * n * nz / N;
		}
		if (m2 < 0)
			m2 = 0;
		c->ztot[h] = sum;
		c->touched[h] = 1;
		zall += sum;
		if (s->n > 1)
			var += s->fpcfac * (double)s->n / (double)(s->n - 1) * m2;
	}
	if (o->lonely == EST_LONELY_ADJUST && c->nlonely) {
		/* R's `adjust`: a lonely PSU's total is centred on the mean of all PSU totals */
		center = zall / (double)c->total_psus;
		for (j = 0; j < c->nlonely; j++) {
			size_t h = c->lonely[j];
			double z = c->touched[h] ? c->ztot[h] : 0;

			var += c->si[h].fpcfac * (z - center) * (z - center);
		}
	}
	for (j = 0; j < c->nrefs; j++)
		c->touched[c->refs[j].stratum] = 0;
	return var;
}

static void interval(struct ctx *c, struct est_estimate *e, bool is_item)
{
	const struct est_options *o = c->o;
	double p = e->estimate / 100, se = e->se / 100, lo = NAN, hi = NAN;
	int r = -EDOM;

	if (e->df < 1) {
		e->flags |= EST_FLAG_NO_DF;
	} else if (se == 0) {
		lo = hi = p;
		e->flags |= EST_FLAG_DEGENERATE;
		r = 0;
	} else if (o->ci == EST_CI_WALD) {
		r = est_ci_wald(p, se, (double)e->df, o->confidence, &lo, &hi);
	} else if (o->ci == EST_CI_BETA && is_item) {
		r = est_ci_beta(p, se, (double)e->n, (double)e->df, o->confidence, &lo, &hi);
	} else {
		r = est_ci_logit(p, se, (double)e->df, o->confidence, &lo, &hi);
	}
	if (r == 0) {
		e->ci_low = 100 * lo;
		e->ci_high = 100 * hi;
		if (e->ci_high - e->ci_low > EST_MAX_WIDTH)
			e->flags |= EST_FLAG_WIDE;
	}
	if (is_item && se > 0 && p > 0 && p < 1 && e->n > 0) {
		double srs = p * (1 - p) / (double)e->n;

		e->deff = se * se / srs;
		e->n_eff = (double)e->n / e->deff;
	}
	if (o->has_baseline) {
		e->diff = e->estimate - o->baseline;
		if (se > 0 && e->df >= 1) {
			e->t = e->diff / e->se;
			e->p_value = est_t_pvalue(e->t, (double)e->df);
		}
	}
}

/* Fills one group's estimates from the refs in c (any order) and the group's counts. */
static int group_estimates(struct ctx *c, struct est_group *g)
{
	struct est_design *d = c->d;
	const struct form *f = d->form;
	size_t K = d->nitems, dim = d->dim, i, k, a;
	const double *T = c->T;

	qsort(c->refs, c->nrefs, sizeof *c->refs, cmp_ref);
	memset(c->T, 0, dim * sizeof *c->T);
	for (i = 0; i < c->nrefs; i++) {
		const struct ref *r = &c->refs[i];
		double w = c->si[r->stratum].scale * (double)r->m;

		for (a = 0; a < dim; a++)
			c->T[a] += w * r->mean[a];
	}
	for (i = 0; i < f->nindices + K; i++) {
		struct est_estimate *e = &g->est[i];
		bool is_item = i >= f->nindices, null = false, any = false;
		double est = 0;

		*e = (struct est_estimate){ .what = i, .estimate = NAN, .se = NAN, .ci_low = NAN, .ci_high = NAN,
			.df = g->df, .deff = NAN, .n_eff = NAN, .diff = NAN, .t = NAN, .p_value = NAN };
		if (is_item) {
			memset(c->coef, 0, K * sizeof *c->coef);
			c->coef[i - f->nindices] = 1;
		} else {
			memcpy(c->coef, f->indices[i].coef, K * sizeof *c->coef);
		}
		e->n = c->counts[is_item ? i - f->nindices : K + i];
		memset(c->u, 0, dim * sizeof *c->u);
		for (k = 0; k < K; k++) {
			double ck = c->coef[k], Y = T[k], V = T[K + k], r;

			if (ck == 0)
				continue;
			if (!(V > 0)) {
				null = true;
				break;
			}
			r = Y / V;
			est += ck * r;
			/* an item with r = 0 or 1 has y = r·v in every response: its z is exactly 0 */
			if (Y != 0 && Y != V) {
				c->u[k] = ck / V;
				c->u[K + k] = -ck * r / V;
				any = true;
			}
		}
		if (e->n < EST_MIN_N)
			e->flags |= EST_FLAG_SMALL_N;
		if (null) {
			e->flags |= EST_FLAG_NO_ANSWERS;
			continue;
		}
		e->estimate = 100 * est;
		e->se = any ? 100 * sqrt(variance(c)) : 0;
		interval(c, e, is_item);
	}
	return 0;
}

static int prepare(struct ctx *c, const struct est_frame *frame, struct est_error *err)
{
	struct est_design *d = c->d;
	size_t h;

	c->nstrata = d->strata.count;
	c->si = calloc(c->nstrata ? c->nstrata : 1, sizeof *c->si);
	c->lonely = calloc(c->nstrata ? c->nstrata : 1, sizeof *c->lonely);
	c->ztot = calloc(c->nstrata ? c->nstrata : 1, sizeof *c->ztot);
	c->touched = calloc(c->nstrata ? c->nstrata : 1, 1);
	c->T = calloc(d->dim, sizeof *c->T);
	c->u = calloc(d->dim, sizeof *c->u);
	c->coef = calloc(d->nitems, sizeof *c->coef);
	c->counts = calloc(d->nitems + d->nindices, sizeof *c->counts);
	if (!c->si || !c->lonely || !c->ztot || !c->touched || !c->T || !c->u || !c->coef || !c->counts)
		return -ENOMEM;
	for (h = 0; h < c->nstrata; h++) {
		const struct est_stratum *st = &d->s[h];
		const char *name = est_map_key(&d->strata, h, NULL);
		struct stratum_info *s = &c->si[h];
		int r;

		s->scale = 1;
		s->fpcfac = 1;
		s->n = st->psus;
		if (st->psus == 0)
			continue;
		c->total_psus += st->psus;
		r = est_stratum_factors(name, st->rows, st->psus, st->weighting, st->fpc, frame,
					&s->scale, &s->fpcfac, err);
		if (r < 0)
			return r;
		if (st->psus == 1) {
			if (c->o->lonely == EST_LONELY_FAIL)
				return est_error_set(err, -EINVAL, "stratum", "lonely_psu",
					"stratum '%s' has only one PSU (see --lonely-psu)", name);
			s->lonely = true;
			c->lonely[c->nlonely++] = h;
		}
	}
	return 0;
}

static void ctx_done(struct ctx *c)
{
	free(c->si);
	free(c->lonely);
	free(c->ztot);
	free(c->touched);
	free(c->refs);
	free(c->T);
	free(c->u);
	free(c->coef);
	free(c->counts);
}

void est_results_free(struct est_results *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ngroups; i++)
		free(r->groups[i].est);
	free(r->groups);
	free(r);
}

int est_compute(struct est_design *d, const struct est_frame *frame, const struct est_options *o,
	struct est_results **out, struct est_error *err)
{
	struct ctx c = { .d = d, .o = o };
	struct est_results *res = NULL;
	double *psutot = NULL;
	size_t K = d->nitems, ncnt = d->nitems + d->nindices, i, gi, k;
	int r;

	est_gsl_init();
	if (!(o->confidence > 0 && o->confidence < 1))
		return est_error_set(err, -EINVAL, "confidence", "bad_option", "confidence must be in (0, 1)");
	if (o->has_baseline && !isfinite(o->baseline))
		return est_error_set(err, -EINVAL, "baseline", "bad_option", "baseline must be a number");
	est_design_flush(d);
	r = prepare(&c, frame, err);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	res = calloc(1, sizeof *res);
	if (!res)
		goto out;
	res->nest = d->nindices + K;
	res->groups = calloc(1 + d->groups.count, sizeof *res->groups);
	if (!res->groups)
		goto out;
	res->ngroups = 1 + d->groups.count;
	for (gi = 0; gi < res->ngroups; gi++) {
		res->groups[gi].est = calloc(res->nest, sizeof *res->groups[gi].est);
		if (!res->groups[gi].est)
			goto out;
	}

	/* the whole survey: every moment block; each clustered PSU summed over the groups */
	if (d->psus.count) {
		psutot = calloc(d->psus.count, d->dim * sizeof *psutot);
		if (!psutot)
			goto out;
		for (i = 0; i < d->entries.count; i++) {
			double *dst = psutot + d->e[i].psu * d->dim;
			const double *src = d->tot + i * d->dim;

			for (k = 0; k < d->dim; k++)
				dst[k] += src[k];
		}
	}
	{
		struct est_group *g = &res->groups[0];
		uint64_t psus = 0, strata = 0;

		c.nrefs = 0;
		memset(c.counts, 0, ncnt * sizeof *c.counts);
		for (i = 0; i < d->cells.count; i++) {
			const struct est_cell *cell = &d->c[i];

			if (cell->block.mean && cell->block.m &&
			    (r = push_ref(&c, cell->stratum, cell->block.m, cell->block.mean, cell->block.m2)) < 0)
				goto out;
			for (k = 0; k < ncnt; k++)
				c.counts[k] += cell->counts[k];
		}
		for (i = 0; i < d->psus.count; i++)
			if ((r = push_ref(&c, d->psu_stratum[i], 1, psutot + i * d->dim, NULL)) < 0)
				goto out;
		for (i = 0; i < c.nstrata; i++) {
			psus += d->s[i].psus;
			strata += d->s[i].psus > 0;
		}
		g->group = -1;
		g->n = d->rows;
		g->df = (long)psus - (long)strata;
		if ((r = group_estimates(&c, g)) < 0)
			goto out;
	}
	for (gi = 0; gi < d->groups.count; gi++) {
		struct est_group *g = &res->groups[1 + gi];
		uint64_t psus = 0, strata = 0;

		c.nrefs = 0;
		memset(c.counts, 0, ncnt * sizeof *c.counts);
		for (i = d->g[gi].first_cell; i != EST_NONE; i = d->c[i].next_in_group) {
			const struct est_cell *cell = &d->c[i];
			size_t e;

			if (cell->block.mean && cell->block.m &&
			    (r = push_ref(&c, cell->stratum, cell->block.m, cell->block.mean, cell->block.m2)) < 0)
				goto out;
			for (e = cell->first_entry; e != EST_NONE; e = d->e[e].next)
				if ((r = push_ref(&c, cell->stratum, 1, d->tot + e * d->dim, NULL)) < 0)
					goto out;
			for (k = 0; k < ncnt; k++)
				c.counts[k] += cell->counts[k];
			if (cell->rows) {
				psus += (cell->block.mean ? cell->block.m : 0) + cell->nentries;
				strata++;
			}
		}
		g->group = (long)gi;
		g->n = d->g[gi].rows;
		g->df = (long)psus - (long)strata;
		if ((r = group_estimates(&c, g)) < 0)
			goto out;
	}
	*out = res;
	res = NULL;
	r = 0;
out:
	free(psutot);
	ctx_done(&c);
	est_results_free(res);
	return r;
}
