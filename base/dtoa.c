/* dtoa.c - the shortest round-trip text of a double (see dtoa.h).
 *
 * A finite normal v > 0 is m·2^e, m its 53-bit significand. For p significant digits and
 * x = floor(log10 v), the scale k = p-1-x puts v·10^k in [10^(p-1), 10^p); it is kept as an
 * exact fraction num/den of 128-bit integers, and v's unit in the last place, 2^e, scaled the
 * same way as ulp/den:
 *   k >= 0:  ulp = 5^k·2^max(0, e+k)   den = 2^max(0, -(e+k))
 *   k <  0:  ulp = 2^max(0, e+k)       den = 5^-k·2^max(0, -(e+k))
 *   num = m·ulp
 * The p digits are d = num/den rounded to nearest, a tie to the even d: glibc's printf rounds
 * the exact binary value so. The decimal d·10^-k reads back as v iff it lies strictly inside
 * v's rounding interval, |d·den - num| < ulp/2, or on its edge when m is even (strtod rounds a
 * tie to the even significand); below v when m = 2^52 the edge is ulp/4 away, the next double
 * down being half as far. Every number is kept below 2^124 (so 4·|d·den - num| fits), which
 * holds from about 1e-14 to 1e45; outside that, and for subnormals, infinities and NaNs, the
 * snprintf/strtod loop this replaces does the work.
 */
#include "dtoa.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

#define BITS_MAX 124          /* every num, den and ulp below 2^BITS_MAX */
#define SIG_BITS 53
#define POW5_U64_MAX 27       /* 5^27 < 2^64 */

static const uint64_t pow5_u64[POW5_U64_MAX + 1] = {
	1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull, 390625ull, 1953125ull,
	9765625ull, 48828125ull, 244140625ull, 1220703125ull, 6103515625ull, 30517578125ull,
	152587890625ull, 762939453125ull, 3814697265625ull, 19073486328125ull, 95367431640625ull,
	476837158203125ull, 2384185791015625ull, 11920928955078125ull, 59604644775390625ull,
	298023223876953125ull, 1490116119384765625ull, 7450580596923828125ull,
};

static const uint64_t pow10_u64[18] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
	1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
};

/* v·10^k as num/den with v's scaled ulp/den; den is 2^shift when shift >= 0. */
struct scaled {
	u128 num, den, ulp;
	int shift;
};

/* The loop this replaces: the first p whose %.*g reads back as v. */
static size_t shortest_by_printf(char buf[DTOA_BUF], double v)
{
	int p, n = 0;

	for (p = 15; p <= 17; p++) {
		n = snprintf(buf, DTOA_BUF, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return n > 0 ? (size_t)n : 0;
}

static int bit_length(u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;

	if (hi)
		return 128 - __builtin_clzll(hi);
	return lo ? 64 - __builtin_clzll(lo) : 0;
}

/* floor(n·log10 2), give or take one (corrected by the caller), for |n| < 1600. */
static int log10_pow2(int n)
{
	long t = (long)n * 78913;

	return (int)(t >= 0 ? t / 262144 : -((-t + 262143) / 262144));
}

/* v = m·2^e scaled by 10^k (see the head comment); false when a number would not fit. */
static bool scale(uint64_t m, int e, int k, struct scaled *s)
{
	int b = e + k, a = k < 0 ? -k : k;
	u128 p5;

	if (a > 2 * POW5_U64_MAX)
		return false;
	p5 = a > POW5_U64_MAX ? (u128)pow5_u64[POW5_U64_MAX] * pow5_u64[a - POW5_U64_MAX]
			      : (u128)pow5_u64[a];
	s->ulp = k >= 0 ? p5 : 1;
	s->den = k >= 0 ? 1 : p5;
	/* num = m·ulp needs ulp below 2^(BITS_MAX - SIG_BITS) */
	if (bit_length(s->ulp) + (b > 0 ? b : 0) > BITS_MAX - SIG_BITS ||
	    bit_length(s->den) + (b < 0 ? -b : 0) > BITS_MAX)
		return false;
	if (b >= 0)
		s->ulp <<= b;
	else
		s->den <<= -b;
	s->num = s->ulp * m;
	s->shift = k < 0 ? -1 : b < 0 ? -b : 0;
	return true;
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The 8 digits of n < 10^8, with leading zeros. */
static void put8(char *o, uint32_t n)
{
	uint32_t hi = n / 10000, lo = n % 10000;

	memcpy(o, digit_pairs + 2 * (hi / 100), 2);
	memcpy(o + 2, digit_pairs + 2 * (hi % 100), 2);
	memcpy(o + 4, digit_pairs + 2 * (lo / 100), 2);
	memcpy(o + 6, digit_pairs + 2 * (lo % 100), 2);
}

/* Writes the p digits of d (d < 10^p) as %g does with precision p, decimal exponent x. */
static size_t format(char buf[DTOA_BUF], bool neg, uint64_t d, int p, int x)
{
	char all[17], *dig = all + 17 - p, *o = buf;
	uint64_t low = d % 10000000000000000ull;
	int n = p, ax = x < 0 ? -x : x;

	all[0] = (char)('0' + d / 10000000000000000ull);
	put8(all + 1, (uint32_t)(low / 100000000));
	put8(all + 9, (uint32_t)(low % 100000000));
	while (n > 1 && dig[n - 1] == '0')
		n--;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= p) {
		*o++ = dig[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, dig + 1, (size_t)n - 1);
			o += n - 1;
		}
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		if (ax >= 100)
			*o++ = (char)('0' + ax / 100);
		*o++ = (char)('0' + ax / 10 % 10);
		*o++ = (char)('0' + ax % 10);
	} else if (x >= 0) {
		memcpy(o, dig, (size_t)x + 1);
		o += x + 1;
		if (n > x + 1) {
			*o++ = '.';
			memcpy(o, dig + x + 1, (size_t)(n - x - 1));
			o += n - x - 1;
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		memset(o, '0', (size_t)(-x - 1));
		o += -x - 1;
		memcpy(o, dig, (size_t)n);
		o += n;
	}
	*o = '\0';
	return (size_t)(o - buf);
}

size_t dtoa_shortest(char buf[DTOA_BUF], double v)
{
	uint64_t bits, m;
	int be, e, x, p;

	memcpy(&bits, &v, sizeof bits);
	be = (int)(bits >> 52 & 0x7ff);
	if (be <= 1 || be == 0x7ff)     /* zero, subnormal, the lowest binade, inf, NaN */
		return shortest_by_printf(buf, v);
	m = (bits & ((1ull << 52) - 1)) | 1ull << 52;
	e = be - 1075;
	x = log10_pow2(e + 52);
	for (p = 15; p <= 17; p++) {
		struct scaled s;
		u128 q, r, diff;
		int k, tries = 0, f;
		bool up;

		for (;;) {
			k = p - 1 - x;
			if (!scale(m, e, k, &s))
				return shortest_by_printf(buf, v);
			if (s.shift >= 0) {
				q = s.num >> s.shift;
				r = s.num & ((((u128)1) << s.shift) - 1);
			} else {
				q = s.num / s.den;
				r = s.num - q * s.den;
			}
			if (q < pow10_u64[p - 1])
				x--;
			else if (q >= pow10_u64[p])
				x++;
			else
				break;
			if (++tries > 2)
				return shortest_by_printf(buf, v);
		}
		up = 2 * r > s.den || (2 * r == s.den && (q & 1));
		if (p < 17) {
			/* |d·den - num| against v's half-gap on the side d lies */
			diff = up ? s.den - r : r;
			f = !up && r && m == 1ull << 52 ? 4 : 2;
			if (f * diff > s.ulp || (f * diff == s.ulp && (m & 1)))
				continue;
		}
		q += up;
		if (q == pow10_u64[p])
			return format(buf, bits >> 63, pow10_u64[p - 1], p, x + 1);
		return format(buf, bits >> 63, (uint64_t)q, p, x);
	}
	return shortest_by_printf(buf, v);     /* not reached: p = 17 always returns */
}
