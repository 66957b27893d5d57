/* radix16.c - an LSD radix sort of 16-byte records on 16 one-byte digits, skipping the digits
 * on which every record agrees (a registry's agency, the high bytes of its row numbers). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "radix16.h"

#define DIGITS 16

/* Digit d (0 the least significant) of the record's key words k[0..3]. */
static unsigned digit(const uint32_t k[4], int d)
{
	return (k[3 - d / 4] >> (8 * (d % 4))) & 0xffu;
}

static void words(const unsigned char *rec, radix16_word_fn word, uint32_t k[4])
{
	int w;

	for (w = 0; w < 4; w++)
		k[w] = word(rec, w);
}

int radix16_sort(void *base, size_t n, radix16_word_fn word)
{
	size_t (*count)[256] = NULL;
	unsigned char *a = base, *b = NULL, *t;
	uint32_t k[4], first[4];
	size_t i, sum, c;
	int d, r = 0;

	if (n < 2)
		return 0;
	if (n > SIZE_MAX / RADIX16_REC || !(count = calloc(DIGITS, sizeof *count)) ||
	    !(b = malloc(n * RADIX16_REC))) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		words(a + i * RADIX16_REC, word, k);
		for (d = 0; d < DIGITS; d++)
			count[d][digit(k, d)]++;
	}
	words(a, word, first);
	for (d = 0; d < DIGITS; d++) {
		if (count[d][digit(first, d)] == n)    /* every record has the first's digit: nothing moves */
			continue;
		for (c = 0, sum = 0; c < 256; c++) {   /* counts to first positions */
			size_t here = count[d][c];

			count[d][c] = sum;
			sum += here;
		}
		for (i = 0; i < n; i++) {
			const unsigned char *rec = a + i * RADIX16_REC;

			words(rec, word, k);
			memcpy(b + count[d][digit(k, d)]++ * RADIX16_REC, rec, RADIX16_REC);
		}
		t = a;
		a = b;
		b = t;
	}
	if (a != base) {                               /* the last pass wrote the scratch copy */
		memcpy(base, a, n * RADIX16_REC);
		b = a;
	}
out:
	free(b);
	free(count);
	return r;
}
