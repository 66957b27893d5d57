/* est-variance.c - the per-stratum variance loop (see est-variance.h). */
#include "est-variance.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "est-block.h"
#include "est-stratum.h"

int est_variance_init(struct est_variance *v, const struct form *f, enum est_lonely rule,
		      struct est_vstratum *s, size_t nstrata, size_t npsus)
{
	memset(v, 0, sizeof *v);
	v->f = f;
	v->dim = 2 * f->nitems;
	v->rule = rule;
	v->s = s;
	v->nstrata = nstrata;
	v->npsus = npsus;
	v->lonely = calloc(nstrata ? nstrata : 1, sizeof *v->lonely);
	if (!v->lonely)
		return -ENOMEM;
	if (npsus) {
		v->zpsu = calloc(npsus, sizeof *v->zpsu);
		v->psu_touched = calloc(npsus, 1);
		if (!v->zpsu || !v->psu_touched)
			return -ENOMEM;
	}
	return 0;
}

void est_variance_done(struct est_variance *v)
{
	free(v->lonely);
	free(v->zpsu);
	free(v->psu_touched);
	v->lonely = NULL;
	v->zpsu = NULL;
	v->psu_touched = NULL;
}

int est_variance_prepare(struct est_variance *v, const struct est_map *names, const struct est_frame *frame,
			 struct est_error *err)
{
	size_t h;

	v->total_psus = 0;
	v->nlonely = 0;
	for (h = 0; h < v->nstrata; h++) {
		struct est_vstratum *s = &v->s[h];
		const char *name = est_map_key(names, h, NULL);
		int r;

		s->scale = 1;
		s->fpcfac = 1;
		s->lonely = false;
		if (s->psus == 0)
			continue;
		v->total_psus += s->psus;
		r = est_stratum_factors(name, s->rows, s->psus, s->weighting, s->fpc, frame,
					&s->scale, &s->fpcfac, err);
		if (r < 0)
			return r;
		if (s->psus == 1) {
			if (v->rule == EST_LONELY_FAIL)
				return est_error_set(err, -EINVAL, "stratum", "lonely_psu",
					"stratum '%s' has only one PSU (see --lonely-psu)", name);
			s->lonely = true;
			v->lonely[v->nlonely++] = h;
		}
	}
	return 0;
}

static int cmp_vref(const void *a, const void *b)
{
	const struct est_vref *x = a, *y = b;

	return (x->stratum > y->stratum) - (x->stratum < y->stratum);
}

void est_vrefs_sort(struct est_vref *refs, size_t n)
{
	qsort(refs, n, sizeof *refs, cmp_vref);
}

void est_variance_totals(const struct est_variance *v, const struct est_vref *refs, size_t n,
			 double *ta, double *tb)
{
	size_t i, a;

	for (i = 0; i < n; i++) {
		const struct est_vref *r = &refs[i];
		double *T = r->side > 0 ? ta : tb, w = v->s[r->stratum].scale * (double)r->m;

		for (a = 0; a < v->dim; a++)
			T[a] += w * r->mean[a];
	}
}

int est_linearise(const struct form *f, size_t what, const double *T, double *u, double *est, bool *any)
{
	size_t K = f->nitems, k;
	double sum = 0;

	memset(u, 0, 2 * K * sizeof *u);
	*any = false;
	for (k = 0; k < K; k++) {
		double ck = what < f->nindices ? f->indices[what].coef[k] : (k == what - f->nindices);
		double Y = T[k], V = T[K + k], r;

		if (ck == 0)
			continue;
		if (!(V > 0))
			return -ENODATA;
		r = Y / V;
		sum += ck * r;
		/* an item with r = 0 or 1 has y = r·v in every response: its z is exactly 0 */
		if (Y != 0 && Y != V) {
			u[k] = ck / V;
			u[K + k] = -ck * r / V;
			*any = true;
		}
	}
	*est = sum;
	return 0;
}

static double dotp(const double *u, const double *x, size_t dim)
{
	double s = 0;
	size_t a;

	for (a = 0; a < dim; a++)
		s += u[a] * x[a];
	return s;
}

double est_variance_of(struct est_variance *v, const struct est_vref *refs, size_t n,
		       const double *ua, const double *ub)
{
	size_t dim = v->dim, i = 0, j;
	double var = 0, zall = 0;

	while (i < n) {
		size_t h = refs[i].stratum;
		struct est_vstratum *s = &v->s[h];
		double cnt = 0, mean = 0, m2 = 0, sum = 0;

		/* clustered PSUs: sum the two sides' parts per PSU first */
		if (v->zpsu)
			for (j = i; j < n && refs[j].stratum == h; j++) {
				const struct est_vref *r = &refs[j];

				if (r->psu >= 0) {
					v->zpsu[r->psu] += r->side * s->scale * dotp(r->side > 0 ? ua : ub, r->mean, dim);
					v->psu_touched[r->psu] = 1;
				}
			}
		for (; i < n && refs[i].stratum == h; i++) {
			const struct est_vref *r = &refs[i];
			double nb, tb, qb = 0, N, delta;

			if (r->psu >= 0 && v->zpsu) {
				if (!v->psu_touched[r->psu])
					continue;          /* already merged */
				v->psu_touched[r->psu] = 0;
				nb = 1;
				tb = v->zpsu[r->psu];
				v->zpsu[r->psu] = 0;
			} else {
				struct est_block b = { dim, r->m, (double *)r->mean, (double *)r->m2, r->m2 != NULL };
				const double *u = r->side > 0 ? ua : ub;

				if (r->m == 0)
					continue;
				nb = (double)r->m;
				tb = r->side * s->scale * est_block_dot(&b, u);
				if (r->m2)
					qb = s->scale * s->scale * est_block_quad(&b, u);
			}
			N = cnt + nb;
			delta = tb - mean;
			mean += delta * nb / N;
			m2 += qb + delta * delta * cnt * nb / N;
			cnt = N;
			sum += nb * tb;
		}
		/* the stratum's PSUs that hold none of the refs: z = 0 */
		if ((double)s->psus > cnt) {
			double nz = (double)s->psus - cnt, N = (double)s->psus;

			m2 += mean * mean * cnt * nz / N;
		}
		if (m2 < 0)
			m2 = 0;
		s->ztot = sum;
		s->touched = true;
		zall += sum;
		if (s->psus > 1)
			var += s->fpcfac * (double)s->psus / (double)(s->psus - 1) * m2;
	}
	if (v->rule == EST_LONELY_ADJUST && v->nlonely) {
		/* R's `adjust`: a lonely PSU's total is centred on the mean of all PSU totals */
		double center = zall / (double)v->total_psus;

		for (j = 0; j < v->nlonely; j++) {
			const struct est_vstratum *s = &v->s[v->lonely[j]];
			double z = s->touched ? s->ztot : 0;

			var += s->fpcfac * (z - center) * (z - center);
		}
	}
	for (j = 0; j < n; j++)
		v->s[refs[j].stratum].touched = false;
	return var;
}
