/* test-sample-size.c - sample sizes (contract §6) against hand-computed values and R's figures.
 *
 * R (4.x, base stats), committed here so that the test needs no R (and over a grid of 2 592
 * cases in tests/golden/sample-size/cases.csv, made by make-sample-size.R):
 *   f <- function(N, m=5, c=0.95, p=0.5, d=1, mn=30) { z <- qnorm(1-(1-c)/2);
 *        n0 <- z^2*p*(1-p)*d/(m/100)^2; n <- ceiling(n0/(1+(n0-1)/N)); min(max(n, min(mn, N)), N) }
 *   qnorm(0.975) = 1.9599639845400536, qnorm(0.995) = 2.5758293035488999
 *   z^2*0.25/0.0025 = 384.14588206941232; qnorm(0.995)^2*0.21*1.5/0.0009 = 2322.2138103574239
 *   f(1) = 1, f(2) = 2, f(20) = 20, f(257) = 155, f(10000) = 370, f(1e9) = 385,
 *   f(5000, m=20) = 30, f(100000, m=3, c=0.99, p=0.3, d=1.5) = 2270, f(500, m=10, c=0.9) = 60 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sample-size.h"
#include "test.h"

#define CASES SIPAS_SOURCE_ROOT "/tests/golden/sample-size/cases.csv"

static long long target(long long N, double margin, double conf, double p, double deff, long long min)
{
	struct sample_size_params s = { margin, conf, p, deff, min, 1 };

	return sample_size_target(sample_size_n0(&s), N, min);
}

static void test_n0(void)
{
	struct sample_size_params s;
	const char *what;

	sample_size_defaults(&s);
	CHECK_OK(sample_size_check(&s, &what));
	CHECK_NEAR(sample_size_n0(&s), 384.14588206941232, 1e-12);
	s.margin = 3;
	s.confidence = 0.99;
	s.p = 0.3;
	s.deff = 1.5;
	CHECK_NEAR(sample_size_n0(&s), 2322.2138103574239, 1e-12);
}

static void test_targets(void)
{
	/* by hand: 384.1459 / (1 + 383.1459/257) = 154.22 -> 155 */
	CHECK_INT(target(257, 5, 0.95, 0.5, 1, 30), 155);
	/* 384.1459 / 1.0383146 = 369.97 -> 370 */
	CHECK_INT(target(10000, 5, 0.95, 0.5, 1, 30), 370);
	CHECK_INT(target(1000000000, 5, 0.95, 0.5, 1, 30), 385);
	/* N_h below the minimum: everyone (N_h = 20 < 30); N_h = 1 and 2 */
	CHECK_INT(target(20, 5, 0.95, 0.5, 1, 30), 20);
	CHECK_INT(target(1, 5, 0.95, 0.5, 1, 30), 1);
	CHECK_INT(target(2, 5, 0.95, 0.5, 1, 30), 2);
	CHECK_INT(target(0, 5, 0.95, 0.5, 1, 30), 0);
	/* raised to the minimum: n0 = 24.009, n = 24 -> 30 */
	CHECK_INT(target(5000, 20, 0.95, 0.5, 1, 30), 30);
	CHECK_INT(target(5000, 20, 0.95, 0.5, 1, 0), 24);
	CHECK_INT(target(100000, 3, 0.99, 0.3, 1.5, 30), 2270);
	CHECK_INT(target(500, 10, 0.9, 0.5, 1, 30), 60);
}

static void test_invitations(void)
{
	CHECK_INT(sample_size_invitations(155, 257, 1), 155);
	CHECK_INT(sample_size_invitations(155, 257, 0.6), 257);     /* ceil(258.3) capped at N_h */
	CHECK_INT(sample_size_invitations(30, 1000, 0.5), 60);
	/* 30 / 0.3 is 100.00000000000001 in binary floating point: still 100 */
	CHECK_INT(sample_size_invitations(30, 1000, 0.3), 100);
	CHECK_INT(sample_size_invitations(31, 1000, 0.3), 104);     /* 103.33 -> 104 */
	CHECK_INT(sample_size_invitations(0, 1000, 0.5), 0);
}

static void test_check(void)
{
	struct sample_size_params s;
	const char *what;

	sample_size_defaults(&s);
	s.margin = 0;
	CHECK_INT(sample_size_check(&s, &what), -EINVAL);
	CHECK_STR(what, "margin");
	sample_size_defaults(&s);
	s.confidence = 1;
	CHECK_INT(sample_size_check(&s, &what), -EINVAL);
	CHECK_STR(what, "confidence");
	sample_size_defaults(&s);
	s.p = 1;
	CHECK_INT(sample_size_check(&s, &what), -EINVAL);
	CHECK_STR(what, "p");
	sample_size_defaults(&s);
	s.deff = 0.5;
	CHECK_INT(sample_size_check(&s, &what), -EINVAL);
	CHECK_STR(what, "deff");
	sample_size_defaults(&s);
	s.min = -1;
	CHECK_INT(sample_size_check(&s, &what), -EINVAL);
	CHECK_STR(what, "min");
	sample_size_defaults(&s);
	s.response_rate = 0;
	CHECK_INT(sample_size_check(&s, &what), -EINVAL);
	CHECK_STR(what, "response-rate");
}

/* Every case of R's grid (tests/golden/sample-size/make-sample-size.R, committed as cases.csv):
 * n0 to 1e-12 (relative), target and invitations exactly. */
static void test_r_grid(void)
{
	char line[512];
	FILE *f = fopen(CASES, "r");
	long n = 0;

	if (!f) {
		TEST_FAIL_("cannot open %s", CASES);
		return;
	}
	if (!fgets(line, sizeof line, f))
		TEST_FAIL_("%s is empty", CASES);
	while (fgets(line, sizeof line, f)) {
		struct sample_size_params s;
		double N, n0, target, inv;
		const char *what;

		if (sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lld,%lf,%lf,%lf,%lf", &N, &s.margin, &s.confidence, &s.p,
			   &s.deff, &s.min, &s.response_rate, &n0, &target, &inv) != 10) {
			TEST_FAIL_("bad line %s", line);
			continue;
		}
		n++;
		CHECK_OK(sample_size_check(&s, &what));
		CHECK_NEAR(sample_size_n0(&s), n0, 1e-12);
		if (sample_size_target(sample_size_n0(&s), (long long)N, s.min) != (long long)target)
			TEST_FAIL_("case %ld (%s): target %lld, R says %.0f", n, line,
				   sample_size_target(sample_size_n0(&s), (long long)N, s.min), target);
		if (sample_size_invitations((long long)target, (long long)N, s.response_rate) != (long long)inv)
			TEST_FAIL_("case %ld (%s): invitations %lld, R says %.0f", n, line,
				   sample_size_invitations((long long)target, (long long)N, s.response_rate), inv);
	}
	fclose(f);
	CHECK_INT(n, 2592);
}

int main(void)
{
	test_r_grid();
	test_n0();
	test_targets();
	test_invitations();
	test_check();
	TEST_DONE();
}
