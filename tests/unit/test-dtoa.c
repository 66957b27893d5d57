/* test-dtoa.c - the shortest round-trip text of a double (base/dtoa.c) against the
 * snprintf/strtod loop it replaced (dtoa-ref.h), byte for byte: edge cases, then pseudo-random
 * doubles drawn four ways from a fixed seed. Stops at the first mismatch, printing the value as
 * %a. Under valgrind (SIPAS_VALGRIND=1) it draws 2,500 of each kind.
 *
 *   test-dtoa --bench [N]   times both on N (default 1,000,000) estimate-like values and
 *                           prints ns per number, the best of 3 runs (bench/dtoa)
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <time.h>

#include "dtoa-ref.h"
#include "dtoa.h"
#include "test.h"

static long checked;

static void check(double v)
{
	char got[DTOA_BUF], want[32];
	size_t ngot = dtoa_shortest(got, v), nwant = dtoa_reference(want, v);

	if (ngot != nwant || strcmp(got, want) != 0) {
		fprintf(stderr, "dtoa_shortest(%a) == \"%s\" (%zu), expected \"%s\" (%zu), after %ld values\n",
			v, got, ngot, want, nwant, checked);
		exit(1);
	}
	checked++;
}

static void check_both_signs(double v)
{
	check(v);
	check(-v);
}

/* splitmix64: a fixed sequence from a fixed seed */
static uint64_t next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double unit(uint64_t *state)
{
	return (double)(next(state) >> 11) * 0x1p-53;
}

static double from_bits(uint64_t bits)
{
	double v;

	memcpy(&v, &bits, sizeof v);
	return v;
}

/* Values like the estimates: percentages, ratios of sums, log-uniform in [1e-6, 1e7]. */
static double estimate_like(uint64_t *state)
{
	uint64_t r = next(state);

	switch (r % 3) {
	case 0:
		return 100 * unit(state);
	case 1:
		return (double)(next(state) % 1000000 + 1) / (double)(next(state) % 1000000 + 1);
	default:
		return pow(10, -6 + 13 * unit(state));
	}
}

/* m·2^e over the fast path's range (about 1e-14 to 1e45) and a little past both ends: full
 * significands, short ones (exact decimals and ties), and the binade's ends. */
static double scaled_significand(uint64_t *state)
{
	uint64_t r = next(state), m = (next(state) >> 11) | 1ull << 52;
	int e = (int)(r % 220) - 56 - 52;

	switch (r >> 8 & 7) {
	case 0:
		m = 1ull << 52;
		break;
	case 1:
		m = (1ull << 53) - 1;
		break;
	case 2: case 3: case 4:
		m &= ~0ull << (r >> 16) % 53;
		break;
	}
	return ldexp((double)m, e);
}

/* A decimal of 1 to 17 digits scaled by 10^-22 to 10^22: the nearest double, as strtod reads it. */
static double short_decimal(uint64_t *state)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	uint64_t r = next(state);
	uint64_t digits = (r % 17) + 1, n = next(state) % (uint64_t)p10[digits];
	int j = (int)((r >> 8) % 23);

	if (n >= 1ull << 53)
		n >>= 4;
	/* both exact, so the quotient and the product are correctly rounded */
	return r >> 16 & 1 ? (double)n / p10[j] : (double)n * p10[j];
}

static void test_named(void)
{
	char b[DTOA_BUF];

	/* p = 15, 16 and 17 each win */
	CHECK_INT(dtoa_shortest(b, 0.1), 3);
	CHECK_STR(b, "0.1");
	dtoa_shortest(b, 1.0 / 3);
	CHECK_STR(b, "0.3333333333333333");
	dtoa_shortest(b, 0.1 + 0.2);
	CHECK_STR(b, "0.30000000000000004");
	dtoa_shortest(b, 79.3);
	CHECK_STR(b, "79.3");
	dtoa_shortest(b, -1e-5);
	CHECK_STR(b, "-1e-05");
	dtoa_shortest(b, 1e-4);
	CHECK_STR(b, "0.0001");
	dtoa_shortest(b, 1e15);
	CHECK_STR(b, "1e+15");
	dtoa_shortest(b, 123456789012345);
	CHECK_STR(b, "123456789012345");
	dtoa_shortest(b, 9.9999999999999999e22);
	CHECK_STR(b, "1e+23");
	/* ties at the last digit go to the even digit, as glibc rounds */
	dtoa_shortest(b, 1125899906842624.25);
	CHECK_STR(b, "1125899906842624.2");
	dtoa_shortest(b, 1125899906842624.75);
	CHECK_STR(b, "1125899906842624.8");
	dtoa_shortest(b, DBL_MAX);
	CHECK_STR(b, "1.7976931348623157e+308");
	dtoa_shortest(b, 5e-324);
	CHECK_STR(b, "4.94065645841247e-324");
	CHECK_INT(dtoa_shortest(b, -2.2250738585072014e-308), 24);
	CHECK_STR(b, "-2.2250738585072014e-308");
}

static void test_edges(void)
{
	static const double values[] = {
		0.0, 0.1, 0.2, 0.3, 0.30000000000000004, 79.3, 79.176270275357104, 81.4, 99.95, 1e-5,
		1e-4, 0.00009999999999999999, 5e-324, 1e-323, 2.2250738585072009e-308,
		2.2250738585072014e-308, DBL_MAX, 1e23, 9.9999999999999999e22, 8.41e21, 5e-310,
		1125899906842624.25, 1125899906842624.75, 123456789012345.5, 123456789012346.5,
		9007199254740993.0, 9007199254740991.0, 4503599627370495.5, 999999999999999.94,
		1e15, 1e16, 1e17, 123456789012345678.0, 1.5e-14, 1e-14, 1e-15, 1e-16, 1e45, 1e46,
		1e-100, 1e100, 1e300, 0.5, 2.5, 1.0 / 3, 2.0 / 3, 100.0 / 7,
	};
	size_t i;
	int n;

	for (i = 0; i < sizeof values / sizeof values[0]; i++)
		check_both_signs(values[i]);
	check(-0.0);
	check(INFINITY);
	check(-INFINITY);
	check(NAN);
	check(-NAN);
	/* powers of 2 and 10 and their neighbours (the sign alternating: the code has one path) */
	for (n = -1074; n <= 1023; n++) {
		double v = ldexp(n & 1 ? -1 : 1, n);

		check(v);
		check(nextafter(v, 0));
		check(nextafter(v, 2 * v));
		check(3 * v);
	}
	for (n = -323; n <= 308; n++) {
		char s[16];
		double v;

		snprintf(s, sizeof s, "%se%d", n & 1 ? "-1" : "1", n);
		v = strtod(s, NULL);
		check(v);
		check(nextafter(v, 0));
		check(nextafter(v, 2 * v));
		snprintf(s, sizeof s, "%se%d", n & 1 ? "9.5" : "-9.5", n);
		check(strtod(s, NULL));
	}
}

/* per_kind values of each kind, each with a random sign (the bit patterns have their own) */
static void test_random(long per_kind)
{
	uint64_t state = 20261130;
	long i;

	for (i = 0; i < per_kind; i++)
		check(from_bits(next(&state)));
	for (i = 0; i < per_kind; i++)
		check(copysign(estimate_like(&state), (double)(next(&state) & 1) - 0.5));
	for (i = 0; i < per_kind; i++)
		check(copysign(scaled_significand(&state), (double)(next(&state) & 1) - 0.5));
	for (i = 0; i < per_kind; i++)
		check(copysign(short_decimal(&state), (double)(next(&state) & 1) - 0.5));
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ns per number of both ways on n estimate-like values, the best of 3 runs each; the lengths
 * written must add up the same. */
static int bench(long n)
{
	uint64_t state = 20261130;
	double *v = malloc((size_t)n * sizeof *v), best_ref = INFINITY, best_new = INFINITY;
	size_t sum_ref = 0, sum_new = 0;
	char b[DTOA_BUF];
	long i;
	int run;

	if (!v || n <= 0)
		return free(v), 2;
	for (i = 0; i < n; i++)
		v[i] = estimate_like(&state);
	for (run = 0; run < 3; run++) {
		double t0 = seconds(), t1, t2;

		for (i = 0; i < n; i++)
			sum_ref += dtoa_reference(b, v[i]);
		t1 = seconds();
		for (i = 0; i < n; i++)
			sum_new += dtoa_shortest(b, v[i]);
		t2 = seconds();
		best_ref = fmin(best_ref, t1 - t0);
		best_new = fmin(best_new, t2 - t1);
	}
	free(v);
	printf("%ld estimate-like values, best of 3: snprintf/strtod loop %.1f ns/number, "
	       "dtoa_shortest %.1f ns/number, %.1fx faster\n", n, best_ref * 1e9 / (double)n,
	       best_new * 1e9 / (double)n, best_ref / best_new);
	return sum_ref == sum_new ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *vg = getenv("SIPAS_VALGRIND");
	long per_kind = vg && *vg && strcmp(vg, "0") ? 2500 : 500000;

	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench(argc > 2 ? atol(argv[2]) : 1000000);
	test_named();
	test_edges();
	test_random(per_kind);
	fprintf(stderr, "%ld values agree\n", checked);
	TEST_DONE();
}
