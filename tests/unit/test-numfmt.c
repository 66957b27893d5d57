/* test-numfmt.c - numbers with a decimal comma (base/numfmt.c). */
#include <math.h>

#include "numfmt.h"
#include "test.h"

int main(void)
{
	char b[32];

	CHECK_STR(numfmt_dec1(b, sizeof b, 81.44), "81,4");
	CHECK_STR(numfmt_dec1(b, sizeof b, 79.3), "79,3");
	CHECK_STR(numfmt_dec1(b, sizeof b, 100), "100,0");
	CHECK_STR(numfmt_dec1(b, sizeof b, -0.04), "0,0");
	CHECK_STR(numfmt_dec1(b, sizeof b, -2.06), "-2,1");
	CHECK_STR(numfmt_dec1(b, sizeof b, NAN), "–");
	CHECK_STR(numfmt_dec1(b, sizeof b, INFINITY), "–");
	CHECK_STR(numfmt_signed1(b, sizeof b, 2.12), "+2,1");
	CHECK_STR(numfmt_signed1(b, sizeof b, 0.04), "0,0");
	CHECK_STR(numfmt_signed1(b, sizeof b, -0.04), "0,0");
	CHECK_STR(numfmt_signed1(b, sizeof b, -9.8), "-9,8");
	CHECK_STR(numfmt_signed1(b, sizeof b, NAN), "–");
	CHECK_STR(numfmt_p(b, sizeof b, 0.0228), "0,023");
	CHECK_STR(numfmt_p(b, sizeof b, 0.001), "0,001");
	CHECK_STR(numfmt_p(b, sizeof b, 0.00099), "< 0,001");
	CHECK_STR(numfmt_p(b, sizeof b, 0), "< 0,001");
	CHECK_STR(numfmt_p(b, sizeof b, NAN), "–");
	/* a short buffer is cut, never overrun */
	CHECK_STR(numfmt_dec1(b, 4, 81.44), "81,");
	TEST_DONE();
}
