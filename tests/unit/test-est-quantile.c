/* test-est-quantile.c - the beta and t quantiles (analysis/est-quantile.c) against R's qbeta and
 * qt on the grid of tests/golden/quantiles (made by tests/golden/make-quantiles.R): shapes from
 * 0.05 to 10^6, probabilities from 10^-6 to 1 − 10^-6. Agreement: a relative 1e-9; the median
 * of t is 0 exactly (see tests/golden/README.md for what the figures reach). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "est-interval.h"
#include "est-quantile.h"
#include "test.h"

#define TOL 1e-9

static double worst;

static void rel(double got, double want, const char *what)
{
	double e = want == 0 ? fabs(got) : fabs(got - want) / fabs(want);

	if (!(e <= TOL)) {
		fprintf(stderr, "%s: %.17g, R %.17g (relative %.3g)\n", what, got, want, e);
		test_failures++;
	}
	if (e > worst)
		worst = e;
}

/* Reads the rows of a golden CSV of ncol numbers (after its header) into fn. Returns rows. */
static int each_row(const char *name, int ncol, void (*fn)(const double *v))
{
	char path[512], line[512];
	FILE *f;
	int rows = 0;

	snprintf(path, sizeof path, "%s/tests/golden/quantiles/%s", SIPAS_SOURCE_ROOT, name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		test_failures++;
		return 0;
	}
	if (!fgets(line, sizeof line, f))
		test_failures++;
	while (fgets(line, sizeof line, f)) {
		double v[4];
		char *p = line, *end;
		int k;

		for (k = 0; k < ncol; k++) {
			v[k] = strtod(p, &end);
			CHECK(end != p);
			p = end + (*end == ',');
		}
		fn(v);
		rows++;
	}
	fclose(f);
	return rows;
}

static void beta_row(const double *v)
{
	char what[160];

	snprintf(what, sizeof what, "qbeta(%.17g, %.17g, %.17g)", v[0], v[1], v[2]);
	rel(est_beta_quantile(v[0], v[1], v[2]), v[3], what);
}

static void t_row(const double *v)
{
	char what[160];

	snprintf(what, sizeof what, "qt(%.17g, %.17g)", v[0], v[1]);
	if (v[0] == 0.5) {
		/* the median is 0 (R's qt(0.5, 0.5) gives 2.6e-16) */
		CHECK(est_t_quantile(v[0], v[1]) == 0 && fabs(v[2]) <= 1e-15);
		return;
	}
	rel(est_t_quantile(v[0], v[1]), v[2], what);
}

static void test_grid(void)
{
	int n;

	worst = 0;
	n = each_row("beta.csv", 4, beta_row);
	CHECK_INT(n, 1100);
	fprintf(stderr, "beta: %d quantiles, largest relative difference from R %.3g\n", n, worst);
	worst = 0;
	n = each_row("t.csv", 3, t_row);
	CHECK_INT(n, 165);
	fprintf(stderr, "t: %d quantiles, largest relative difference from R %.3g\n", n, worst);
}

static void test_edges(void)
{
	/* undefined */
	CHECK(isnan(est_beta_quantile(0.5, 0, 1)));
	CHECK(isnan(est_beta_quantile(0.5, 1, -1)));
	CHECK(isnan(est_beta_quantile(0.5, INFINITY, 1)));
	CHECK(isnan(est_beta_quantile(-0.1, 1, 1)));
	CHECK(isnan(est_beta_quantile(NAN, 1, 1)));
	CHECK(isnan(est_t_quantile(0.5, 0)));
	CHECK(isnan(est_t_quantile(0, 10)));
	CHECK(isnan(est_t_quantile(1, 10)));
	CHECK(isnan(est_t_quantile(0.3, INFINITY)));
	/* the ends and the centre */
	CHECK(est_beta_quantile(0, 2, 3) == 0);
	CHECK(est_beta_quantile(1, 2, 3) == 1);
	CHECK(est_t_quantile(0.5, 7) == 0);
	/* Beta(1, 1) is uniform; Beta(a, 1) has F = x^a */
	rel(est_beta_quantile(0.3, 1, 1), 0.3, "uniform");
	rel(est_beta_quantile(0.3, 4, 1), pow(0.3, 0.25), "x^4");
	/* symmetry: the quantile of Beta(a, b) at p is one minus that of Beta(b, a) at 1 − p */
	rel(est_beta_quantile(0.025, 516.3, 30), 1 - est_beta_quantile(0.975, 30, 516.3), "symmetry");
	rel(est_t_quantile(0.01, 12), -est_t_quantile(0.99, 12), "t symmetry");
	/* the cdf inverts the quantile, where GSL's own continued fraction stops at its cap */
	rel(est_beta_cdf(est_beta_quantile(0.5, 1e6, 1e6), 1e6, 1e6), 0.5, "cdf(quantile)");
	CHECK(isnan(est_beta_cdf(1.5, 1, 1)));
}

static void test_korn_graubard(void)
{
	double lo = 0, hi = 0;

	/* the case: a small design effect, n* p ≈ 516, n* (1 − p) ≈ 30; R:
	 * qbeta(0.025, 516, 31) = 0.92446..., the interval is not null */
	CHECK_OK(est_ci_beta(0.945, 0.0097, 2000, 1500, 0.95, &lo, &hi));
	CHECK(lo > 0.9 && lo < 0.945 && hi > 0.945 && hi < 0.97);
	/* a design effect far below 1: shapes in the millions */
	CHECK_OK(est_ci_beta(0.8, 1e-4, 1000000, 999000, 0.95, &lo, &hi));
	CHECK(lo < 0.8 && hi > 0.8 && hi - lo < 0.001);
}

int main(void)
{
	test_grid();
	test_edges();
	test_korn_graubard();
	TEST_DONE();
}
