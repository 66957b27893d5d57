/* test-est-compute.c - the estimator: a 2-stratum, 6-response example worked by hand, a direct
 * implementation of docs/sipas-method.md §5 (response by response, two-pass) against the
 * block-based one on random designs, the lonely-PSU rules, and the properties (row order, weight scale, a
 * group that is the whole survey, merged and re-imported designs). */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "est-compute.h"
#include "fixture-est.h"
#include "form.h"
#include "test.h"

static const char pair_json[] =
	"{\"id\":\"p\",\"version\":1,\"title\":\"p\",\"respondent\":\"individual\","
	"\"scales\":{\"l5\":{\"codes\":[1,2,3,4,5],\"labels\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"positive\":[4,5]}},"
	"\"sections\":[{\"id\":\"A\",\"title\":\"A\",\"questions\":["
	"{\"id\":\"Q1\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q2\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"}]}],"
	"\"indices\":[{\"id\":\"idx\",\"label\":\"I\",\"of\":[\"Q1\",\"Q2\"]}]}";

/* ---- the hand-worked example ------------------------------------------------------------ */

/* Strata A (w = 2) and B (w = 4), three responses each, every response its own PSU:
 *   A1 (5,4) A2 (2,-) A3 (4,1) B1 (1,5) B2 (-,3) B3 (5,5).
 * Q1: Y = 8, V = 14, r = 4/7; z·49 = A (3,-4,3), B (-8,0,6): Var = (49 + 148)/49².
 * Q2: Y = 10, V = 16, r = 5/8; z·64 = A (3,0,-5), B (6,-10,6): Var = (49 + 256)/64².
 * idx = (r1 + r2)/2 = 67/112; z·2·3136 = A (339,-256,-53), B (-218,-490,678):
 *   Var = (3/2 · 182966 + 3/2 · 747008)/(4 · 3136²). df = 6 − 2 = 4. */
static const int16_t hand_codes[6][2] = { { 5, 4 }, { 2, -1 }, { 4, 1 }, { 1, 5 }, { -1, 3 }, { 5, 5 } };

static void add_hand(struct est_design *d, bool frame_weights, const char *group)
{
	for (int i = 0; i < 6; i++) {
		struct est_row row = { group, i < 3 ? "A" : "B", NULL,
			frame_weights ? NAN : (i < 3 ? 2.0 : 4.0), NAN, hand_codes[i] };

		CHECK_OK(est_design_add(d, &row, NULL));
	}
}

static void test_hand(void)
{
	struct form *f = fixture_form(pair_json);
	struct est_design *d = NULL;
	struct est_results *res = NULL;
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct est_frame *fr = NULL;
	const struct est_estimate *e;
	double var_idx = 1.5 * (182966.0 + 747008.0) / (4.0 * 3136.0 * 3136.0);

	CHECK_INT(f->nitems, 2);
	CHECK_OK(est_design_new(f, &d));
	add_hand(d, false, "");
	CHECK_OK(est_compute(d, NULL, &o, &res, NULL));
	CHECK_INT(res->ngroups, 2);
	CHECK_INT(res->nest, 3);
	CHECK_INT(res->groups[0].n, 6);
	CHECK_INT(res->groups[0].df, 4);
	e = &res->groups[0].est[1];   /* Q1 */
	CHECK_NEAR(e->estimate, 100.0 * 4 / 7, 1e-13);
	CHECK_NEAR(e->se, 100.0 * sqrt(197.0) / 49, 1e-12);
	CHECK_INT(e->n, 5);
	CHECK_INT(e->df, 4);
	e = &res->groups[0].est[2];   /* Q2 */
	CHECK_NEAR(e->estimate, 62.5, 1e-13);
	CHECK_NEAR(e->se, 100.0 * sqrt(305.0) / 64, 1e-12);
	CHECK_INT(e->n, 5);
	e = &res->groups[0].est[0];   /* idx */
	CHECK_NEAR(e->estimate, 100.0 * 67 / 112, 1e-13);
	CHECK_NEAR(e->se, 100.0 * sqrt(var_idx), 1e-12);
	CHECK_INT(e->n, 6);
	CHECK(e->flags & EST_FLAG_SMALL_N);
	CHECK(isnan(e->diff));
	/* the group "" is everybody: the same figures */
	CHECK_NEAR(res->groups[1].est[0].se, e->se, 1e-13);
	est_results_free(res);
	res = NULL;
	est_design_free(d);

	/* weights from a frame (N_A = 6, N_B = 12 give w = 2 and 4) and fpc f_A = 1/2, f_B = 1/4 */
	CHECK_OK(est_frame_new(&fr));
	CHECK_OK(est_frame_set(fr, "A", 6, NAN));
	CHECK_OK(est_frame_set(fr, "B", 12, 5));
	CHECK_INT(est_frame_set(fr, "B", 12, 5), -EEXIST);
	CHECK_INT(est_frame_set(fr, "C", 0.5, NAN), -EINVAL);
	CHECK_OK(est_design_new(f, &d));
	add_hand(d, true, "g");
	CHECK_OK(est_compute(d, fr, &o, &res, NULL));
	e = &res->groups[0].est[1];
	CHECK_NEAR(e->estimate, 100.0 * 4 / 7, 1e-13);
	CHECK_NEAR(e->se, 100.0 * sqrt(0.5 * 49 + 0.75 * 148) / 49, 1e-12);
	e = &res->groups[0].est[0];
	CHECK_NEAR(e->se, 100.0 * sqrt(1.5 * (0.5 * 182966.0 + 0.75 * 747008.0) / (4.0 * 3136.0 * 3136.0)), 1e-12);
	est_results_free(res);
	res = NULL;

	/* a frame without the stratum */
	{
		struct est_frame *small = NULL;
		struct est_error err;

		CHECK_OK(est_frame_new(&small));
		CHECK_OK(est_frame_set(small, "A", 6, NAN));
		CHECK_INT(est_compute(d, small, &o, &res, &err), -EINVAL);
		CHECK_STR(err.code, "not_in_frame");
		CHECK(strstr(err.message, "'B'") != NULL);
		est_frame_free(small);
		CHECK_OK(est_frame_new(&small));
		CHECK_OK(est_frame_set(small, "A", 2, NAN));
		CHECK_OK(est_frame_set(small, "B", 12, NAN));
		CHECK_INT(est_compute(d, small, &o, &res, &err), -EINVAL);
		CHECK_STR(err.code, "population_too_small");
		est_frame_free(small);
	}
	est_design_free(d);
	est_frame_free(fr);
	form_free(f);
}

/* ---- a direct implementation of docs/sipas-method.md §5 ------------------------------------ */

struct resp {
	int group;          /* 0 .. G-1 */
	int stratum;
	int psu;            /* -1: its own PSU */
	double weight;      /* NAN: from the frame */
	int16_t codes[5];   /* gender, Q1..Q4 */
};

struct dataset {
	size_t n;
	struct resp *r;
	int nstrata;
	double pop[64];     /* N_h, or NAN */
	bool fpc_in_rows;   /* fpc given in the rows rather than the frame */
};

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static double urand(void)
{
	return fixture_unif(&rng);
}

static int irand(int n)
{
	return (int)(urand() * n);
}

/* Estimate and variance of coefficient vector c (4 items) in group g (-1: all), or false when null. */
static bool direct(const struct dataset *ds, const struct form *f, int g, const double *c,
	enum est_lonely lonely, double *est, double *var)
{
	size_t n = ds->n, i;
	double Y[4] = { 0 }, V[4] = { 0 }, R[4];
	static double w[4096], z[4096];
	int rows_h[64] = { 0 }, k, h;

	for (i = 0; i < n; i++)
		rows_h[ds->r[i].stratum]++;
	for (i = 0; i < n; i++) {
		const struct resp *r = &ds->r[i];

		w[i] = !isnan(r->weight) ? r->weight : !isnan(ds->pop[r->stratum]) ? ds->pop[r->stratum] / rows_h[r->stratum] : 1;
		if (g >= 0 && r->group != g)
			continue;
		for (k = 0; k < 4; k++) {
			int code = r->codes[1 + k];

			if (code < 0)
				continue;
			V[k] += w[i];
			Y[k] += w[i] * (code >= 4);
		}
	}
	*est = 0;
	for (k = 0; k < 4; k++) {
		if (c[k] == 0)
			continue;
		if (V[k] == 0)
			return false;
		R[k] = Y[k] / V[k];
		*est += c[k] * R[k];
	}
	for (i = 0; i < n; i++) {
		const struct resp *r = &ds->r[i];

		z[i] = 0;
		if (g >= 0 && r->group != g)
			continue;
		for (k = 0; k < 4; k++) {
			int code = r->codes[1 + k];

			if (c[k] == 0 || code < 0)
				continue;
			z[i] += c[k] * w[i] * ((code >= 4) - R[k]) / V[k];
		}
	}
	/* PSU totals: clustered PSUs are ids 0..63 within a stratum; others get their own */
	static double tot[64][4096];
	static int npsu[64];
	static int psu_of[4096];
	int h2, j, total_psus = 0;
	double zall = 0;

	for (h = 0; h < ds->nstrata; h++)
		npsu[h] = 0;
	for (h = 0; h < ds->nstrata; h++) {
		int map[64];

		for (j = 0; j < 64; j++)
			map[j] = -1;
		for (i = 0; i < n; i++) {
			const struct resp *r = &ds->r[i];

			if (r->stratum != h)
				continue;
			if (r->psu < 0) {
				psu_of[i] = npsu[h]++;
			} else {
				if (map[r->psu] < 0)
					map[r->psu] = npsu[h]++;
				psu_of[i] = map[r->psu];
			}
		}
		for (j = 0; j < npsu[h]; j++)
			tot[h][j] = 0;
		for (i = 0; i < n; i++)
			if (ds->r[i].stratum == h)
				tot[h][psu_of[i]] += z[i];
		total_psus += npsu[h];
		for (j = 0; j < npsu[h]; j++)
			zall += tot[h][j];
	}
	*var = 0;
	for (h2 = 0; h2 < ds->nstrata; h2++) {
		double mean = 0, ss = 0, N = ds->pop[h2], fac = 1;
		int nh = npsu[h2];

		if (nh == 0)
			continue;
		if (!isnan(N))
			fac = 1 - nh / N;
		for (j = 0; j < nh; j++)
			mean += tot[h2][j];
		mean /= nh;
		if (nh == 1) {
			if (lonely == EST_LONELY_ADJUST) {
				double center = zall / total_psus;

				*var += fac * (tot[h2][0] - center) * (tot[h2][0] - center);
			}
			continue;
		}
		for (j = 0; j < nh; j++)
			ss += (tot[h2][j] - mean) * (tot[h2][j] - mean);
		*var += fac * nh / (nh - 1.0) * ss;
	}
	(void)f;
	return true;
}

static void make_dataset(struct dataset *ds, size_t n, int nstrata, int ngroups, bool clusters,
	int weights /* 0 none, 1 given, 2 frame */, bool fpc, bool lonely)
{
	size_t i;
	int h;

	ds->n = n;
	ds->nstrata = nstrata;
	ds->r = calloc(n, sizeof *ds->r);
	for (h = 0; h < nstrata; h++)
		ds->pop[h] = NAN;
	for (i = 0; i < n; i++) {
		struct resp *r = &ds->r[i];
		double bias = urand();

		r->stratum = lonely && i == 0 ? 0 : (lonely ? 1 + irand(nstrata - 1) : irand(nstrata));
		r->group = (r->stratum + irand(2)) % ngroups;
		r->psu = clusters && urand() < 0.8 ? irand(6) : -1;
		if (lonely && i == 0)
			r->psu = -1;
		r->weight = weights == 1 ? 1 + r->stratum + urand() * 5 : NAN;
		r->codes[0] = (int16_t)(1 + irand(2));
		for (int k = 0; k < 4; k++)
			r->codes[1 + k] = urand() < 0.15 ? FORM_NO_ANSWER : (int16_t)(urand() < bias ? 4 + irand(2) : 1 + irand(3));
	}
	if (weights == 2 || fpc)
		for (h = 0; h < nstrata; h++)
			ds->pop[h] = (double)n * (2 + h);
	ds->fpc_in_rows = false;
}

static struct est_design *design_of(const struct form *f, const struct dataset *ds, const size_t *order,
	bool rows_fpc, double wscale)
{
	struct est_design *d = NULL;
	size_t i;

	CHECK_OK(est_design_new(f, &d));
	for (i = 0; i < ds->n; i++) {
		const struct resp *r = &ds->r[order ? order[i] : i];
		char group[16], stratum[16], psu[16];
		struct est_row row;

		snprintf(group, sizeof group, "G%d", r->group);
		snprintf(stratum, sizeof stratum, "S%02d", r->stratum);
		snprintf(psu, sizeof psu, "p%d", r->psu);
		row = (struct est_row){ group, stratum, r->psu >= 0 ? psu : NULL, r->weight * wscale,
			rows_fpc ? ds->pop[r->stratum] : NAN, r->codes };
		CHECK_OK(est_design_add(d, &row, NULL));
	}
	return d;
}

static struct est_frame *frame_of(const struct dataset *ds)
{
	struct est_frame *fr = NULL;
	char name[16];

	CHECK_OK(est_frame_new(&fr));
	for (int h = 0; h < ds->nstrata; h++) {
		snprintf(name, sizeof name, "S%02d", h);
		if (!isnan(ds->pop[h]))
			CHECK_OK(est_frame_set(fr, name, ds->pop[h], NAN));
	}
	return fr;
}

static void compare_direct(const struct form *f, const struct dataset *ds, const struct est_results *res,
	struct est_design *d, enum est_lonely lonely)
{
	size_t gi, i, k;

	for (gi = 0; gi < res->ngroups; gi++) {
		const struct est_group *g = &res->groups[gi];
		int group = -1;

		if (g->group >= 0)
			group = atoi(est_design_group_key(d, (size_t)g->group) + 1);
		for (i = 0; i < res->nest; i++) {
			const struct est_estimate *e = &g->est[i];
			double c[4] = { 0 }, est, var;
			bool ok;

			if (i < f->nindices)
				for (k = 0; k < 4; k++)
					c[k] = f->indices[i].coef[k];
			else
				c[i - f->nindices] = 1;
			ok = direct(ds, f, group, c, lonely, &est, &var);
			CHECK(ok == !isnan(e->estimate));
			if (!ok)
				continue;
			CHECK_NEAR(e->estimate, 100 * est, 1e-12);
			CHECK_NEAR(e->se, 100 * sqrt(var), 1e-10);
		}
	}
}

static void test_random_designs(void)
{
	struct form *f = fixture_form(fixture_est_form_json);
	static const struct { size_t n; int strata, groups; bool clusters; int weights; bool fpc; bool lonely; } cases[] = {
		{ 200, 3, 2, false, 0, false, false },
		{ 500, 5, 3, false, 1, false, false },
		{ 400, 4, 4, false, 2, true, false },
		{ 300, 4, 2, true, 1, false, false },
		{ 600, 6, 5, true, 1, true, false },
		{ 250, 3, 2, true, 2, true, false },
		{ 300, 4, 3, false, 1, false, true },
		{ 300, 4, 3, true, 2, true, true },
		{ 3000, 7, 7, false, 2, true, false },
	};
	size_t ci;

	CHECK_INT(f->nitems, 4);
	CHECK_NEAR(f->indices[0].coef[0], 0.3, 1e-15);
	for (ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
		struct dataset ds;
		struct est_design *d;
		struct est_frame *fr;
		struct est_results *res = NULL;
		struct est_options o = EST_OPTIONS_DEFAULT;
		enum est_lonely modes[] = { EST_LONELY_ADJUST, EST_LONELY_REMOVE, EST_LONELY_CERTAINTY };

		make_dataset(&ds, cases[ci].n, cases[ci].strata, cases[ci].groups, cases[ci].clusters,
			cases[ci].weights, cases[ci].fpc, cases[ci].lonely);
		fr = cases[ci].weights == 2 || cases[ci].fpc ? frame_of(&ds) : NULL;
		d = design_of(f, &ds, NULL, false, 1);
		for (size_t m = 0; m < (cases[ci].lonely ? 3u : 1u); m++) {
			o.lonely = cases[ci].lonely ? modes[m] : EST_LONELY_FAIL;
			struct est_error err = { "", "", "" };

			CHECK_OK(est_compute(d, fr, &o, &res, &err));
			if (!res) {
				fprintf(stderr, "case %zu: %s: %s\n", ci, err.code, err.message);
				continue;
			}
			compare_direct(f, &ds, res, d, o.lonely);
			est_results_free(res);
			res = NULL;
		}
		if (cases[ci].lonely) {
			struct est_error err;

			o.lonely = EST_LONELY_FAIL;
			CHECK_INT(est_compute(d, fr, &o, &res, &err), -EINVAL);
			CHECK_STR(err.code, "lonely_psu");
			CHECK(strstr(err.message, "'S00'") != NULL);
		}
		est_design_free(d);
		est_frame_free(fr);
		free(ds.r);
	}
	form_free(f);
}

/* ---- properties ----------------------------------------------------------------------------- */

static void check_same(const struct est_results *a, const struct est_results *b, const struct est_design *da,
	const struct est_design *db, double tol)
{
	size_t ga, gb, i;

	CHECK_INT(a->ngroups, b->ngroups);
	for (ga = 0; ga < a->ngroups; ga++) {
		const struct est_group *x = &a->groups[ga], *y = NULL;

		/* match groups by key (first-seen order may differ) */
		for (gb = 0; gb < b->ngroups; gb++) {
			const struct est_group *c = &b->groups[gb];

			if ((x->group < 0 && c->group < 0) || (x->group >= 0 && c->group >= 0 &&
			    !strcmp(est_design_group_key(da, (size_t)x->group), est_design_group_key(db, (size_t)c->group))))
				y = c;
		}
		CHECK(y != NULL);
		if (!y)
			continue;
		CHECK_INT(x->n, y->n);
		CHECK_INT(x->df, y->df);
		for (i = 0; i < a->nest; i++) {
			const struct est_estimate *e = &x->est[i], *f = &y->est[i];

			CHECK_INT(e->n, f->n);
			CHECK_INT(e->df, f->df);
			CHECK_INT(e->flags, f->flags);
			CHECK(isnan(e->estimate) == isnan(f->estimate));
			if (isnan(e->estimate))
				continue;
			CHECK_NEAR(e->estimate, f->estimate, tol);
			CHECK_NEAR(e->se, f->se, tol);
			CHECK_NEAR(e->ci_low, f->ci_low, tol);
			CHECK_NEAR(e->ci_high, f->ci_high, tol);
		}
	}
}

static int copy_cell(const struct est_cell_view *c, void *ctx)
{
	return est_design_add_cell(ctx, c, NULL);
}

static int copy_psu(const struct est_psu_view *p, void *ctx)
{
	return est_design_add_psu(ctx, p, NULL);
}

static void test_properties(void)
{
	struct form *f = fixture_form(fixture_est_form_json);
	struct dataset ds;
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct est_results *base = NULL, *res = NULL;
	struct est_design *d0, *d;
	size_t *order, i;

	make_dataset(&ds, 1500, 5, 4, true, 1, true, false);
	order = calloc(ds.n, sizeof *order);
	for (i = 0; i < ds.n; i++)
		order[i] = i;
	for (i = ds.n - 1; i > 0; i--) {
		size_t j = (size_t)irand((int)i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	o.has_baseline = true;
	o.baseline = 79.3;
	d0 = design_of(f, &ds, NULL, true, 1);
	CHECK_OK(est_compute(d0, NULL, &o, &base, NULL));

	/* row order does not matter */
	d = design_of(f, &ds, order, true, 1);
	CHECK_OK(est_compute(d, NULL, &o, &res, NULL));
	check_same(base, res, d0, d, 1e-11);
	est_results_free(res);
	est_design_free(d);

	/* every weight times a constant: same estimates and se */
	d = design_of(f, &ds, NULL, true, 37.5);
	CHECK_OK(est_compute(d, NULL, &o, &res, NULL));
	check_same(base, res, d0, d, 1e-11);
	est_results_free(res);
	est_design_free(d);

	/* two halves merged, and an export re-imported, equal the whole */
	{
		struct dataset h1 = ds, h2 = ds;
		struct est_design *a, *b, *c = NULL;

		h1.n = ds.n / 3;
		h2.r = ds.r + h1.n;
		h2.n = ds.n - h1.n;
		a = design_of(f, &h1, NULL, true, 1);
		b = design_of(f, &h2, NULL, true, 1);
		CHECK_OK(est_design_merge(a, b, NULL));
		CHECK_INT(est_design_rows(a), ds.n);
		CHECK_OK(est_compute(a, NULL, &o, &res, NULL));
		check_same(base, res, d0, a, 1e-11);
		est_results_free(res);
		CHECK_OK(est_design_new(f, &c));
		CHECK_OK(est_design_foreach(a, copy_cell, copy_psu, c));
		CHECK_OK(est_compute(c, NULL, &o, &res, NULL));
		check_same(base, res, d0, c, 1e-11);
		est_results_free(res);
		est_design_free(a);
		est_design_free(b);
		est_design_free(c);
	}

	/* a group that is the whole survey gives the whole-survey figures */
	{
		struct dataset one = ds;
		struct est_results *r1 = NULL;

		one.r = calloc(ds.n, sizeof *one.r);
		memcpy(one.r, ds.r, ds.n * sizeof *one.r);
		for (i = 0; i < ds.n; i++)
			one.r[i].group = 0;
		d = design_of(f, &one, NULL, true, 1);
		CHECK_OK(est_compute(d, NULL, &o, &r1, NULL));
		CHECK_INT(r1->ngroups, 2);
		CHECK_INT(r1->groups[1].df, base->groups[0].df);
		CHECK_INT(r1->groups[1].n, base->groups[0].n);
		for (i = 0; i < r1->nest; i++) {
			CHECK_NEAR(r1->groups[1].est[i].estimate, base->groups[0].est[i].estimate, 1e-12);
			CHECK_NEAR(r1->groups[1].est[i].se, base->groups[0].est[i].se, 1e-12);
			CHECK_NEAR(r1->groups[1].est[i].p_value, base->groups[0].est[i].p_value, 1e-9);
		}
		est_results_free(r1);
		est_design_free(d);
		free(one.r);
	}
	est_results_free(base);
	est_design_free(d0);
	free(order);
	free(ds.r);
	form_free(f);
}

/* ---- edge cases: nulls, se 0, lonely PSUs, bad rows ------------------------------------------ */

static void test_edges(void)
{
	struct form *f = fixture_form(pair_json);
	struct est_design *d = NULL;
	struct est_results *res = NULL;
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct est_error err;
	int16_t all_pos[2] = { 5, 4 }, none[2] = { -1, -1 }, q1only[2] = { 4, -1 }, neg[2] = { 2, -1 };
	struct est_row row;
	int i;

	CHECK_OK(est_design_new(f, &d));
	for (i = 0; i < 40; i++) {
		/* group X: Q1 always positive, Q2 never answered; group Y: mixed */
		row = (struct est_row){ "X", "S1", NULL, 1.0, NAN, i % 2 ? all_pos : q1only };
		if (i % 2)
			row.codes = q1only;
		CHECK_OK(est_design_add(d, &row, NULL));
		row = (struct est_row){ "Y", "S2", NULL, 1.0, NAN, i % 3 ? all_pos : neg };
		CHECK_OK(est_design_add(d, &row, NULL));
	}
	row = (struct est_row){ "Y", "S2", NULL, 1.0, NAN, none };
	CHECK_OK(est_design_add(d, &row, NULL));

	/* errors leave the design unchanged */
	row = (struct est_row){ "Y", "S2", NULL, NAN, NAN, all_pos };
	CHECK_INT(est_design_add(d, &row, &err), -EINVAL);
	CHECK_STR(err.code, "mixed_weights");
	CHECK_STR(err.column, "weight");
	row = (struct est_row){ "Y", "S2", NULL, -1, NAN, all_pos };
	CHECK_INT(est_design_add(d, &row, &err), -EINVAL);
	CHECK_STR(err.code, "bad_weight");
	row = (struct est_row){ "Y", "S2", NULL, 1, 500, all_pos };
	CHECK_INT(est_design_add(d, &row, &err), -EINVAL);
	CHECK_STR(err.code, "fpc_varies");
	row = (struct est_row){ "Y", "", NULL, 1, NAN, all_pos };
	CHECK_INT(est_design_add(d, &row, &err), -EINVAL);
	CHECK_STR(err.code, "required");
	{
		int16_t bad[2] = { 12000, -1 };

		row = (struct est_row){ "Y", "S2", NULL, 1, NAN, bad };
		CHECK_INT(est_design_add(d, &row, &err), -EINVAL);
		CHECK_STR(err.code, "out_of_range");
		CHECK_STR(err.column, "Q1");
	}
	CHECK_INT(est_design_rows(d), 81);

	o.has_baseline = true;
	o.baseline = 50;
	CHECK_OK(est_compute(d, NULL, &o, &res, NULL));
	CHECK_INT(res->ngroups, 3);
	CHECK_STR(est_design_group_key(d, 0), "X");
	{
		const struct est_group *x = &res->groups[1], *y = &res->groups[2];

		CHECK_INT(x->n, 40);
		CHECK_INT(x->df, 39);
		CHECK_INT(y->n, 41);
		/* X: the index is null (Q2 never answered), df and n still there */
		CHECK(isnan(x->est[0].estimate) && isnan(x->est[0].se) && isnan(x->est[0].ci_low));
		CHECK(x->est[0].flags & EST_FLAG_NO_ANSWERS);
		CHECK_INT(x->est[0].n, 40);
		CHECK_INT(x->est[0].df, 39);
		CHECK(isnan(x->est[0].diff));
		CHECK(isnan(x->est[2].estimate));
		CHECK_INT(x->est[2].n, 0);
		/* X: Q1 is 100%, se 0, the interval is the point, no t or p */
		CHECK(x->est[1].estimate == 100);
		CHECK(x->est[1].se == 0);
		CHECK(x->est[1].ci_low == 100 && x->est[1].ci_high == 100);
		CHECK(x->est[1].flags & EST_FLAG_DEGENERATE);
		CHECK_NEAR(x->est[1].diff, 50, 1e-15);
		CHECK(isnan(x->est[1].t) && isnan(x->est[1].p_value));
		CHECK(isnan(x->est[1].deff));
		/* Y: Q2 always positive when answered: 100 with se 0; the index is not degenerate */
		CHECK(y->est[2].estimate == 100 && y->est[2].se == 0);
		CHECK(y->est[0].se > 0);
		CHECK_INT(y->est[0].n, 40);     /* the response with no answer does not count */
		CHECK(y->est[1].deff > 0 && y->est[1].n_eff > 0);
		CHECK_NEAR(y->est[1].n_eff, (double)y->est[1].n / y->est[1].deff, 1e-12);
	}
	est_results_free(res);
	res = NULL;
	{
		char buf[64];

		CHECK(est_flags_str(0, buf, sizeof buf) == NULL);
		CHECK_STR(est_flags_str(EST_FLAG_SMALL_N | EST_FLAG_DEGENERATE, buf, sizeof buf), "small_n,se_zero");
	}

	/* one response alone in a stratum */
	row = (struct est_row){ "Y", "LONE", NULL, 3.0, NAN, neg };
	CHECK_OK(est_design_add(d, &row, NULL));
	CHECK_INT(est_compute(d, NULL, &o, &res, &err), -EINVAL);
	CHECK_STR(err.code, "lonely_psu");
	CHECK(strstr(err.message, "LONE") != NULL);
	{
		struct est_results *rm = NULL, *ce = NULL, *ad = NULL;

		o.lonely = EST_LONELY_REMOVE;
		CHECK_OK(est_compute(d, NULL, &o, &rm, NULL));
		o.lonely = EST_LONELY_CERTAINTY;
		CHECK_OK(est_compute(d, NULL, &o, &ce, NULL));
		o.lonely = EST_LONELY_ADJUST;
		CHECK_OK(est_compute(d, NULL, &o, &ad, NULL));
		/* remove and certainty: the stratum contributes nothing; adjust: it adds (z − mean)² */
		CHECK_NEAR(rm->groups[2].est[1].se, ce->groups[2].est[1].se, 1e-15);
		CHECK(ad->groups[2].est[1].se > rm->groups[2].est[1].se);
		/* the lonely stratum counts in df: 41 + 1 PSUs − 2 strata */
		CHECK_INT(ad->groups[2].df, 40);
		CHECK_INT(ad->groups[0].df, 82 - 3);
		est_results_free(rm);
		est_results_free(ce);
		est_results_free(ad);
	}
	est_design_free(d);
	form_free(f);
}

/* The baseline's p-value as the dashboard reads it: an underflowed tail (NAN with a finite,
 * large |t|) is 0; every other value stands. */
static void test_baseline_pvalue(void)
{
	struct est_estimate e = { .diff = -3.8, .t = -11.09, .p_value = 1.64e-27 };

	CHECK(est_baseline_pvalue(&e) == 1.64e-27);
	CHECK(est_baseline_significant(&e, 0.05));
	e.t = -40;
	e.p_value = NAN;
	CHECK(est_baseline_pvalue(&e) == 0);
	CHECK(est_baseline_significant(&e, 0.05));
	e.t = 8.5;
	CHECK(est_baseline_pvalue(&e) == 0);
	e.t = 8;                          /* not past 8: not an underflow, no p-value */
	CHECK(isnan(est_baseline_pvalue(&e)));
	CHECK(!est_baseline_significant(&e, 0.05));
	e.t = NAN;                        /* se 0 or no df: no test */
	CHECK(isnan(est_baseline_pvalue(&e)));
	CHECK(!est_baseline_significant(&e, 0.05));
	e.t = -INFINITY;
	CHECK(isnan(est_baseline_pvalue(&e)));
	e.t = 1.2;
	e.p_value = 0.05;                 /* at the level: not below it */
	CHECK(est_baseline_pvalue(&e) == 0.05);
	CHECK(!est_baseline_significant(&e, 0.05));
	CHECK(est_baseline_significant(&e, 0.1));
}

int main(void)
{
	test_baseline_pvalue();
	test_hand();
	test_random_designs();
	test_properties();
	test_edges();
	TEST_DONE();
}
