/* est-compute.c - from accumulated blocks to estimates (docs/sipas-method.md §3-6).
 *
 * For a group g the linearised variable of an estimate with item coefficients c_k is
 * z = uᵀx with u = (c_k/V_k on w·y_k, −c_k r_k/V_k on w·v_k), x a PSU's totals. A block of
 * m PSUs (mean μ, centred moments M2) thus holds m values of z with mean uᵀμ and centred
 * sum of squares uᵀM2u; the blocks of a stratum are merged as scalars (Chan et al.) together
 * with the stratum's PSUs that have no member of g (z = 0), which gives Σ_j (z_hj − z̄_h)²: the
 * loop est_variance_of (est-variance.c) that est_compare_groups shares. */
#include "est-compute.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "est-design-internal.h"
#include "est-interval.h"
#include "est-variance.h"

struct ctx {
	struct est_design *d;
	const struct est_options *o;
	struct est_vstratum *si;   /* per stratum */
	struct est_variance var;
	/* scratch */
	struct est_vref *refs;
	size_t nrefs, refcap;
	double *T;                 /* dim */
	double *u;                 /* dim */
	uint64_t *counts;          /* nitems + nindices */
};

static int push_ref(struct ctx *c, size_t h, uint64_t m, const double *mean, const double *m2)
{
	if (c->nrefs == c->refcap) {
		size_t ncap = c->refcap ? c->refcap * 2 : 64;
		struct est_vref *n = realloc(c->refs, ncap * sizeof *n);

		if (!n)
			return -ENOMEM;
		c->refs = n;
		c->refcap = ncap;
	}
	c->refs[c->nrefs++] = (struct est_vref){ h, 1, m, mean, m2, -1 };
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

double est_baseline_pvalue(const struct est_estimate *e)
{
	if (isnan(e->p_value) && isfinite(e->t) && fabs(e->t) > 8)
		return 0;
	return e->p_value;
}

bool est_baseline_significant(const struct est_estimate *e, double alpha)
{
	double p = est_baseline_pvalue(e);

	return isfinite(p) && p < alpha;
}

/* Fills one group's estimates from the refs in c (any order) and the group's counts. */
static int group_estimates(struct ctx *c, struct est_group *g)
{
	struct est_design *d = c->d;
	const struct form *f = d->form;
	size_t K = d->nitems, i;

	est_vrefs_sort(c->refs, c->nrefs);
	memset(c->T, 0, d->dim * sizeof *c->T);
	est_variance_totals(&c->var, c->refs, c->nrefs, c->T, NULL);
	for (i = 0; i < f->nindices + K; i++) {
		struct est_estimate *e = &g->est[i];
		bool is_item = i >= f->nindices, any = false;
		double est = 0;
		int null;

		*e = (struct est_estimate){ .what = i, .estimate = NAN, .se = NAN, .ci_low = NAN, .ci_high = NAN,
			.df = g->df, .deff = NAN, .n_eff = NAN, .diff = NAN, .t = NAN, .p_value = NAN };
		e->n = c->counts[is_item ? i - f->nindices : K + i];
		null = est_linearise(f, i, c->T, c->u, &est, &any) < 0;
		if (e->n < EST_MIN_N)
			e->flags |= EST_FLAG_SMALL_N;
		if (null) {
			e->flags |= EST_FLAG_NO_ANSWERS;
			continue;
		}
		e->estimate = 100 * est;
		e->se = any ? 100 * sqrt(est_variance_of(&c->var, c->refs, c->nrefs, c->u, c->u)) : 0;
		interval(c, e, is_item);
	}
	return 0;
}

static int prepare(struct ctx *c, const struct est_frame *frame, struct est_error *err)
{
	struct est_design *d = c->d;
	size_t h, nstrata = d->strata.count;
	int r;

	c->si = calloc(nstrata ? nstrata : 1, sizeof *c->si);
	c->T = calloc(d->dim, sizeof *c->T);
	c->u = calloc(d->dim, sizeof *c->u);
	c->counts = calloc(d->nitems + d->nindices, sizeof *c->counts);
	if (!c->si || !c->T || !c->u || !c->counts)
		return -ENOMEM;
	for (h = 0; h < nstrata; h++)
		c->si[h] = (struct est_vstratum){ .rows = d->s[h].rows, .psus = d->s[h].psus,
			.weighting = d->s[h].weighting, .fpc = d->s[h].fpc };
	if ((r = est_variance_init(&c->var, d->form, c->o->lonely, c->si, nstrata, 0)) < 0)
		return r;
	return est_variance_prepare(&c->var, &d->strata, frame, err);
}

static void ctx_done(struct ctx *c)
{
	est_variance_done(&c->var);
	free(c->si);
	free(c->refs);
	free(c->T);
	free(c->u);
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
	if ((r = est_design_flush(d)) < 0)
		return r;
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
		for (i = 0; i < d->strata.count; i++) {
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
