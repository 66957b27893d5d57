/* test-est-interval.c - t quantiles, p-values and the three intervals against figures R's
 * survey package gives (tests/golden/sets/edge_cases; qt(0.975, df) known to 16 digits). */
#include <errno.h>
#include <math.h>

#include "est-interval.h"
#include "test.h"

static void rel(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol * fabs(want))) {
		fprintf(stderr, "%s: %.17g, expected %.17g\n", what, got, want);
		test_failures++;
	}
}

static void test_t(void)
{
	/* R: qt(0.975, c(294, 60, 5)) */
	rel(est_t_quantile(0.975, 294), 1.9680656892939465, 1e-12, "qt(.975, 294)");
	rel(est_t_quantile(0.975, 60), 2.0002978220142595, 1e-12, "qt(.975, 60)");
	rel(est_t_quantile(0.975, 5), 2.5705818356363141, 1e-12, "qt(.975, 5)");
	rel(est_t_quantile(0.025, 5), -2.5705818356363141, 1e-12, "qt(.025, 5)");
	CHECK(isnan(est_t_quantile(0.975, 0)));
	CHECK(isnan(est_t_quantile(1.5, 10)));
	/* R: 2 * pt(-abs(t), df) */
	rel(est_t_pvalue(-0.0599613198996247, 294), 0.952227179126218, 1e-12, "p(t, 294)");
	rel(est_t_pvalue(4.86391357869724, 34), 2.57677330485537e-05, 1e-9, "p(t, 34)");
	rel(est_t_pvalue(-25.8484197328402, 2376), 4.92132568382784e-130, 1e-9, "p far tail");
	/* where GSL's Cornish-Fisher approximation of the t tail (df > 30, t² < 10 df) is off by 3e-7 */
	rel(est_t_pvalue(30.2128662964383, 109), 8.61314251724482e-55, 1e-9, "p tail, df 109");
	rel(est_t_pvalue(17.4555013142767, 52), 2.14330271155027e-23, 1e-9, "p tail, df 52");
	/* past the smallest double the p-value is 0, not missing */
	CHECK(est_t_pvalue(200, 2000) == 0);
	CHECK(est_t_pvalue(-200, 2000) == 0);
	CHECK(est_t_pvalue(0, 10) == 1);
	CHECK(isnan(est_t_pvalue(1, 0)));
	CHECK(isnan(est_t_pvalue(NAN, 10)));
}

static void test_intervals(void)
{
	double lo = 0, hi = 0;

	/* edge_cases, whole survey, sipas: p = 79.18%, se = 2.06, df = 294 */
	CHECK_OK(est_ci_logit(0.791762702753571, 0.0206349234556583, 294, 0.95, &lo, &hi));
	rel(lo, 0.748244150537799, 1e-9, "logit lo");
	rel(hi, 0.829473058724336, 1e-9, "logit hi");
	CHECK_OK(est_ci_wald(0.791762702753571, 0.0206349234556583, 294, 0.95, &lo, &hi));
	rel(lo, 0.751151817899283, 1e-9, "wald lo");
	rel(hi, 0.832373587607859, 1e-9, "wald hi");
	/* Wald may leave [0, 1]: AG01, E1_2 */
	CHECK_OK(est_ci_wald(0.881048368411785, 0.0720549828856749, 34, 0.95, &lo, &hi));
	rel(hi, 1.02748171175018, 1e-9, "wald hi > 1");
	/* Korn–Graubard: whole survey E1_1 (n = 185) and AG01 E1_2 (n = 24, df = 34) */
	CHECK_OK(est_ci_beta(0.753238754952526, 0.0368378297266754, 185, 294, 0.95, &lo, &hi));
	rel(lo, 0.672564362913961, 1e-8, "beta lo");
	rel(hi, 0.822693738455745, 1e-8, "beta hi");
	CHECK_OK(est_ci_beta(0.881048368411785, 0.0720549828856749, 24, 34, 0.95, &lo, &hi));
	rel(lo, 0.665363773604094, 1e-8, "beta lo small n");
	rel(hi, 0.979817133094206, 1e-8, "beta hi small n");
	CHECK_OK(est_ci_logit(0.881048368411785, 0.0720549828856749, 34, 0.95, &lo, &hi));
	rel(lo, 0.646835804375515, 1e-9, "logit lo AG01");
	rel(hi, 0.967693024774738, 1e-9, "logit hi AG01");

	/* a wider confidence gives a wider interval */
	{
		double l90, h90;

		CHECK_OK(est_ci_logit(0.5, 0.05, 100, 0.90, &l90, &h90));
		CHECK_OK(est_ci_logit(0.5, 0.05, 100, 0.99, &lo, &hi));
		CHECK(lo < l90 && hi > h90);
		CHECK_NEAR(l90 + h90, 1.0, 1e-15);   /* symmetric about 1/2 */
	}
	/* undefined: p at 0 or 1, bad confidence, no df, n < 2 for beta */
	CHECK_INT(est_ci_logit(1.0, 0.01, 10, 0.95, &lo, &hi), -EDOM);
	CHECK_INT(est_ci_logit(0.5, 0.01, 10, 1.0, &lo, &hi), -EDOM);
	CHECK_INT(est_ci_wald(0.5, 0.01, 0, 0.95, &lo, &hi), -EDOM);
	CHECK_INT(est_ci_beta(0.5, 0.01, 1, 10, 0.95, &lo, &hi), -EDOM);
	CHECK_INT(est_ci_beta(0.5, 0, 10, 10, 0.95, &lo, &hi), -EDOM);
}

int main(void)
{
	test_t();
	test_intervals();
	TEST_DONE();
}
