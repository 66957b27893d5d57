/* test.h - a tiny assert header for unit tests: typed checks that print file:line.
 * A test executable returns 0 when every check passed, 1 otherwise, 77 to skip. */
#pragma once

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;

#define TEST_FAIL_(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	test_failures++; \
} while (0)

#define CHECK(cond) do { if (!(cond)) TEST_FAIL_("check failed: %s", #cond); } while (0)

#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) TEST_FAIL_("%s == %lld, expected %s == %lld", #a, a_, #b, b_); } while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) \
		TEST_FAIL_("%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)

/* |a - b| <= tol * max(1, |b|) */
#define CHECK_NEAR(a, b, tol) do { double a_ = (a), b_ = (b), t_ = (tol); \
	if (!(fabs(a_ - b_) <= t_ * (fabs(b_) > 1 ? fabs(b_) : 1))) \
		TEST_FAIL_("%s == %.17g, expected %.17g (tol %g)", #a, a_, b_, t_); } while (0)

#define CHECK_OK(expr) do { long long r_ = (long long)(expr); \
	if (r_ < 0) TEST_FAIL_("%s failed: %lld (%s)", #expr, r_, strerror((int)-r_)); } while (0)

#define TEST_SKIP(why) do { fprintf(stderr, "skipped: %s\n", why); exit(77); } while (0)

#define TEST_DONE() do { \
	if (test_failures) fprintf(stderr, "%d check(s) failed\n", test_failures); \
	return test_failures ? 1 : 0; } while (0)
