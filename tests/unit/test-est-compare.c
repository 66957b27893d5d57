/* test-est-compare.c - the joint linearisation of θ_A − θ_B: a one-stratum example worked by
 * hand, groups in different strata (independent: Var = Var_A + Var_B from est_compute), and
 * random clustered designs whose PSUs mix the groups against a direct implementation of the
 * joint linearisation, response by response. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "est-compare.h"
#include "est-rounds.h"
#include "fixture-est.h"
#include "form.h"
#include "test.h"

static const char one_json[] =
	"{\"id\":\"o\",\"version\":1,\"title\":\"o\",\"respondent\":\"individual\","
	"\"scales\":{\"l5\":{\"codes\":[1,2,3,4,5],\"labels\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"positive\":[4,5]}},"
	"\"sections\":[{\"id\":\"A\",\"title\":\"A\",\"questions\":["
	"{\"id\":\"Q1\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q2\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"}]}],"
	"\"indices\":[{\"id\":\"idx\",\"label\":\"I\",\"of\":[\"Q1\",\"Q2\"]}]}";

static void add(struct est_design *d, const char *group, const char *stratum, double w, int q1, int q2)
{
	int16_t codes[2] = { (int16_t)q1, (int16_t)q2 };
	struct est_row row = { group, stratum, NULL, w, NAN, codes };

	CHECK_OK(est_design_add(d, &row, NULL));
}

/* One stratum S, weights 1, every response its own PSU. Q1: A = (5, 1), B = (5, 5, 1).
 * r_A = 1/2 (V_A = 2), r_B = 2/3 (V_B = 3). z = z^A − z^B over the five PSUs:
 * (1/4, −1/4, −1/9, −1/9, 2/9), mean 0, Σz² = 1/8 + 6/81.
 * Var = 5/4 · (1/8 + 6/81); df = 5 − 1 = 4. Q2 is answered 4 by everyone: diff 0, se 0. */
static void test_hand(void)
{
	struct form *f = fixture_form(one_json);
	struct est_design *d = NULL;
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct est_contrast out[3];
	double var = 1.25 * (0.125 + 6.0 / 81.0);

	CHECK_OK(est_design_new(f, &d));
	add(d, "A", "S", 1, 5, 4);
	add(d, "A", "S", 1, 1, 4);
	add(d, "B", "S", 1, 5, 4);
	add(d, "B", "S", 1, 5, 4);
	add(d, "B", "S", 1, 1, 4);
	CHECK_OK(est_compare_groups(d, NULL, &o, "A", "B", out, NULL));
	/* out[0] = idx, out[1] = Q1, out[2] = Q2 */
	CHECK_NEAR(out[1].est_a, 50.0, 1e-12);
	CHECK_NEAR(out[1].est_b, 200.0 / 3, 1e-12);
	CHECK_NEAR(out[1].diff, 50.0 - 200.0 / 3, 1e-12);
	CHECK_NEAR(out[1].se, 100 * sqrt(var), 1e-10);
	CHECK_INT(out[1].df, 4);
	CHECK_INT(out[1].n_a, 2);
	CHECK_INT(out[1].n_b, 3);
	CHECK_NEAR(out[1].t, out[1].diff / out[1].se, 1e-12);
	CHECK(out[1].p_value > 0.7 && out[1].p_value < 0.8);   /* t = −0.334 on 4 df: p = 0.755 */
	CHECK_NEAR(out[2].diff, 0, 1e-12);
	CHECK_NEAR(out[2].se, 0, 1e-12);
	CHECK(isnan(out[2].t));
	/* idx = (Q1 + Q2)/2: half of Q1's difference and of its se */
	CHECK_NEAR(out[0].diff, (50.0 - 200.0 / 3) / 2, 1e-12);
	CHECK_NEAR(out[0].se, 50 * sqrt(var), 1e-10);
	/* unknown group, a group with itself */
	CHECK_INT(est_compare_groups(d, NULL, &o, "A", "C", out, NULL), -ENOENT);
	CHECK_INT(est_compare_groups(d, NULL, &o, "A", "A", out, NULL), -ENOENT);
	est_design_free(d);
	form_free(f);
}

/* A and B in their own strata (with other responses in a third group): the covariance is 0. */
static void test_independent(void)
{
	struct form *f = fixture_form(one_json);
	struct est_design *d = NULL;
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct est_results *res = NULL;
	struct est_contrast out[3];
	const struct est_group *ga = NULL, *gb = NULL;
	static const int a[][2] = { { 5, 4 }, { 2, -1 }, { 4, 1 }, { 3, 5 }, { 5, 2 } };
	static const int b[][2] = { { 1, 5 }, { -1, 3 }, { 5, 5 }, { 4, 4 } };
	size_t i, w;

	CHECK_OK(est_design_new(f, &d));
	for (i = 0; i < 5; i++)
		add(d, "A", "SA", 2.5, a[i][0], a[i][1]);
	for (i = 0; i < 4; i++)
		add(d, "B", "SB", 4, b[i][0], b[i][1]);
	add(d, "C", "SA", 2.5, 4, 4);
	add(d, "C", "SB", 4, 1, 2);
	CHECK_OK(est_compute(d, NULL, &o, &res, NULL));
	for (i = 1; i < res->ngroups; i++) {
		const char *k = est_design_group_key(d, (size_t)res->groups[i].group);

		if (!strcmp(k, "A"))
			ga = &res->groups[i];
		if (!strcmp(k, "B"))
			gb = &res->groups[i];
	}
	CHECK(ga && gb);
	CHECK_OK(est_compare_groups(d, NULL, &o, "A", "B", out, NULL));
	for (w = 0; w < 3; w++) {
		double sa = ga->est[w].se, sb = gb->est[w].se;

		CHECK_NEAR(out[w].est_a, ga->est[w].estimate, 1e-9);
		CHECK_NEAR(out[w].est_b, gb->est[w].estimate, 1e-9);
		CHECK_NEAR(out[w].diff, ga->est[w].estimate - gb->est[w].estimate, 1e-9);
		CHECK_NEAR(out[w].se, sqrt(sa * sa + sb * sb), 1e-9);
		CHECK_INT(out[w].df, 5 + 4 - 2);
	}
	est_results_free(res);
	est_design_free(d);
	form_free(f);
}

/* ---- random clustered designs against the formula, response by response ---- */

#define NR 240

struct rrow {
	int group;           /* 0 = A, 1 = B, 2 = other */
	int stratum, psu;    /* psu < 0: its own PSU */
	double w;
	int16_t codes[2];
};

static uint64_t rng = 88172645463325252ull;

static double unif(void)
{
	return fixture_unif(&rng);
}

/* Var(θ_A − θ_B) for estimate `what` (0: idx = (Q1 + Q2)/2, 1: Q1, 2: Q2), straight from
 * docs/sipas-method.md §5: z_i per response, PSU totals, centred squares per stratum. */
static double direct_var(const struct rrow *r, size_t n, int what, long *df)
{
	double coef[2] = { what == 0 ? 0.5 : what == 1, what == 0 ? 0.5 : what == 2 };
	double Y[2][2] = { { 0 } }, V[2][2] = { { 0 } }, tot[3][64] = { { 0 } }, var = 0;
	int seen[3][64] = { { 0 } }, own = 0, psus_ab = 0, strata_ab = 0, sab[3] = { 0 };
	double ownz[3][NR];
	int nown[3] = { 0 };
	size_t i;
	int g, k, h, j;

	for (i = 0; i < n; i++)
		for (g = 0; g < 2; g++)
			for (k = 0; k < 2; k++)
				if (r[i].group == g && r[i].codes[k] >= 0) {
					V[g][k] += r[i].w;
					Y[g][k] += r[i].w * (r[i].codes[k] >= 4);
				}
	for (i = 0; i < n; i++) {
		double z = 0;

		for (g = 0; g < 2; g++) {
			if (r[i].group != g)
				continue;
			for (k = 0; k < 2; k++)
				if (r[i].codes[k] >= 0 && coef[k] != 0)
					z += (g == 0 ? 1 : -1) * coef[k] * r[i].w *
					     ((r[i].codes[k] >= 4) - Y[g][k] / V[g][k]) / V[g][k];
		}
		h = r[i].stratum;
		if (r[i].psu < 0) {
			ownz[h][nown[h]++] = z;
			own += r[i].group < 2;
		} else {
			tot[h][r[i].psu] += z;
			seen[h][r[i].psu] |= 1 | (r[i].group < 2) << 1;
		}
		if (r[i].group < 2)
			sab[h] = 1;
	}
	for (h = 0; h < 3; h++) {
		double vals[NR + 64], mean = 0, ss = 0;
		int m = 0;

		for (j = 0; j < nown[h]; j++)
			vals[m++] = ownz[h][j];
		for (j = 0; j < 64; j++) {
			if (seen[h][j])
				vals[m++] = tot[h][j];
			psus_ab += (seen[h][j] & 2) != 0;
		}
		for (j = 0; j < m; j++)
			mean += vals[j] / m;
		for (j = 0; j < m; j++)
			ss += (vals[j] - mean) * (vals[j] - mean);
		if (m > 1)
			var += (double)m / (m - 1) * ss;
		strata_ab += sab[h];
	}
	*df = psus_ab + own - strata_ab;
	return var;
}

static void test_random_clusters(void)
{
	struct form *f = fixture_form(one_json);
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct rrow r[NR];
	int round;

	for (round = 0; round < 20; round++) {
		struct est_design *d = NULL;
		struct est_contrast out[3];
		size_t i;
		int w;

		for (i = 0; i < NR; i++) {
			double u = unif();

			r[i].group = u < 0.4 ? 0 : u < 0.75 ? 1 : 2;
			r[i].stratum = (int)(unif() * 3);
			/* strata 0 and 1 are clustered (6 PSUs mixing the groups); stratum 2 is not */
			r[i].psu = r[i].stratum < 2 ? (int)(unif() * 6) : -1;
			r[i].w = 1 + 4 * unif();
			r[i].codes[0] = unif() < 0.1 ? -1 : (int16_t)(1 + (int)(unif() * 5));
			r[i].codes[1] = unif() < 0.1 ? -1 : (int16_t)(1 + (int)(unif() * 5));
		}
		CHECK_OK(est_design_new(f, &d));
		for (i = 0; i < NR; i++) {
			static const char *const g[3] = { "A", "B", "C" }, *const s[3] = { "s0", "s1", "s2" };
			char psu[16];
			struct est_row row = { g[r[i].group], s[r[i].stratum], NULL, r[i].w, NAN, r[i].codes };

			if (r[i].psu >= 0) {
				snprintf(psu, sizeof psu, "c%d", r[i].psu);
				row.psu = psu;
			}
			CHECK_OK(est_design_add(d, &row, NULL));
		}
		CHECK_OK(est_compare_groups(d, NULL, &o, "A", "B", out, NULL));
		for (w = 0; w < 3; w++) {
			long df = 0;
			double var = direct_var(r, NR, w, &df);

			CHECK_NEAR(out[w].se, 100 * sqrt(var), 1e-9 * (1 + 100 * sqrt(var)));
			CHECK_INT(out[w].df, df);
		}
		est_design_free(d);
	}
	form_free(f);
}

/* A round against another, independent samples (est_compare_rounds). The figures are R's
 * (4.x): d = a - b; s = sqrt(se_a^2 + se_b^2); t = d / s; 2 * pt(-abs(t), min(df_a, df_b)). */
static struct est_estimate round_est(double est, double se, long df, uint64_t n)
{
	return (struct est_estimate){ .what = 3, .estimate = est, .se = se, .ci_low = NAN, .ci_high = NAN,
		.df = df, .n = n, .deff = NAN, .n_eff = NAN, .diff = NAN, .t = NAN, .p_value = NAN };
}

static void test_rounds(void)
{
	struct est_estimate a, b;
	struct est_contrast c;

	/* by hand: 80 ± 1.5 (df 40) against 75 ± 2 (df 30): se = sqrt(2.25 + 4) = 2.5, t = 2 on 30 */
	a = round_est(80, 1.5, 40, 500);
	b = round_est(75, 2, 30, 400);
	est_compare_rounds(&a, &b, &c);
	CHECK_INT(c.what, 3);
	CHECK(c.est_a == 80 && c.est_b == 75 && c.diff == 5 && c.se == 2.5 && c.t == 2);
	CHECK_INT(c.df, 30);
	CHECK_INT(c.n_a, 500);
	CHECK_INT(c.n_b, 400);
	CHECK_NEAR(c.p_value, 0.054625044962983101, 1e-12);       /* 2 * pt(-2, 30) */
	/* the golden sets' whole-survey `sipas`: strat_frame against strat_field_weights */
	a = round_est(75.4657116667649, 0.345773216536245, 1488, 1500);
	b = round_est(67.8382654117207, 0.443421095244645, 2376, 2400);
	est_compare_rounds(&a, &b, &c);
	CHECK_NEAR(c.diff, 7.6274462550442053, 1e-13);
	CHECK_NEAR(c.se, 0.56230008445827351, 1e-13);
	CHECK_INT(c.df, 1488);
	CHECK_NEAR(c.t, 13.564725430181246, 1e-13);
	CHECK(fabs(c.p_value / 1.3209835630007972e-39 - 1) < 1e-9);
	/* the other way round: the sign of t flips, p does not */
	est_compare_rounds(&b, &a, &c);
	CHECK_NEAR(c.t, -13.564725430181246, 1e-13);
	CHECK(fabs(c.p_value / 1.3209835630007972e-39 - 1) < 1e-9);
	/* se 0 on both sides (everyone satisfied in both rounds): no test */
	a = round_est(100, 0, 40, 50);
	b = round_est(100, 0, 30, 60);
	est_compare_rounds(&a, &b, &c);
	CHECK(c.diff == 0 && c.se == 0 && isnan(c.t) && isnan(c.p_value));
	/* no df on one side: no test, the difference and se stand */
	a = round_est(80, 1.5, 0, 1);
	b = round_est(75, 2, 30, 400);
	est_compare_rounds(&a, &b, &c);
	CHECK(c.diff == 5 && c.se == 2.5 && isnan(c.t) && isnan(c.p_value));
	CHECK_INT(c.df, 0);
	/* a null estimate (no valid answer): everything null */
	a = round_est(NAN, NAN, 40, 0);
	est_compare_rounds(&a, &b, &c);
	CHECK(isnan(c.diff) && isnan(c.se) && isnan(c.t) && isnan(c.p_value));
}

/* Group by group (est-rounds.c): only the groups both rounds have, the whole round first, each
 * estimate matched by id and compared as est_compare_rounds does. */
static void test_rounds_groups(void)
{
	struct form *f = fixture_form(fixture_est_form_json);
	size_t nest = f->nindices + f->nitems, k, g;
	struct est_estimate *ea = calloc(3 * nest, sizeof *ea), *eb = calloc(3 * nest, sizeof *eb);
	struct est_group ga[3], gb[3];
	static const char *const va[3] = { NULL, "A", "C" }, *const vb[3] = { NULL, "B", "C" };
	struct est_report_group ra[3], rb[3];
	const char *name = "agency";
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct est_rounds r;
	struct strbuf sb;
	const char *out, *p;

	for (g = 0; g < 3; g++) {
		for (k = 0; k < nest; k++) {
			ea[g * nest + k] = round_est(80 + (double)g, 1.5, 40, 500);
			ea[g * nest + k].what = k;
			eb[g * nest + k] = round_est(75, 2, 30, 400);
			eb[g * nest + k].what = k;
		}
		ga[g] = (struct est_group){ (long)g - 1, 100 + g, 40, &ea[g * nest] };
		gb[g] = (struct est_group){ (long)g - 1, 200 + g, 30, &eb[g * nest] };
		ra[g] = (struct est_report_group){ &ga[g], va[g] ? &va[g] : NULL };
		rb[g] = (struct est_report_group){ &gb[g], vb[g] ? &vb[g] : NULL };
	}
	CHECK(est_rounds_match_group(&ra[0], rb, 3, 1) == &rb[0]);
	CHECK(est_rounds_match_group(&ra[1], rb, 3, 1) == NULL);    /* A is in the first round only */
	CHECK(est_rounds_match_group(&ra[2], rb, 3, 1) == &rb[2]);
	CHECK_INT(est_rounds_match_estimate(f, nest - 1, f), (long long)nest - 1);
	r = (struct est_rounds){ .form = f, .against_form = f, .survey = "r2", .against = "r1", .options = &o,
		.nby = 1, .by_names = &name, .by_numeric = NULL, .na = 3, .nb = 3, .a = ra, .b = rb };
	strbuf_init(&sb, 0);
	CHECK_OK(est_rounds_json(&sb, &r));
	out = strbuf_str(&sb);
	/* the whole round, then C; A and B are each in one round only */
	p = strstr(out, "\"groups\":[{\"by\":{},\"n\":100,\"n_against\":200,");
	CHECK(p != NULL);
	CHECK(p && strstr(p, "{\"by\":{\"agency\":\"C\"},\"n\":102,\"n_against\":202,") != NULL);
	CHECK(strstr(out, "\"A\"") == NULL && strstr(out, "\"B\"") == NULL);
	/* C: 82 ± 1.5 (df 40) against 75 ± 2 (df 30): diff 7, se 2.5, t 2.8 on 30 */
	CHECK(strstr(out, "\"estimate\":82,\"against\":75,\"diff\":7,\"se\":2.5,\"df\":30,\"t\":2.8") != NULL);
	strbuf_done(&sb);
	free(ea);
	free(eb);
	form_free(f);
}

int main(void)
{
	test_hand();
	test_rounds();
	test_rounds_groups();
	test_independent();
	test_random_clusters();
	TEST_DONE();
}
