/* test-radix16.c - radix16_sort (server/store/radix16.c) gives qsort's order under a full
 * comparator: random keys with many ties in each word, digits every record shares (skipped
 * passes), sorted, reversed and all-equal input, 0 to 3 records, and stability. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix16.h"
#include "test.h"

struct rec {
	uint32_t w[4];
};
_Static_assert(sizeof(struct rec) == RADIX16_REC, "a test record is a radix16 record");

static uint32_t word(const void *p, int w)
{
	return ((const struct rec *)p)->w[w];
}

/* Only the first word is key: the others read as 0 */
static uint32_t first_word(const void *p, int w)
{
	return w == 0 ? ((const struct rec *)p)->w[0] : 0;
}

static int cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int i;

	for (i = 0; i < 4; i++)
		if (x->w[i] != y->w[i])
			return x->w[i] < y->w[i] ? -1 : 1;
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Sorts a copy both ways and compares; returns the number of differing records. */
static size_t differ(const struct rec *in, size_t n)
{
	struct rec *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
	size_t i, bad = 0;

	if (!a || !b)
		abort();
	memcpy(a, in, n * sizeof *a);
	memcpy(b, in, n * sizeof *b);
	CHECK_OK(radix16_sort(a, n, word));
	qsort(b, n, sizeof *b, cmp);
	for (i = 0; i < n; i++)
		bad += memcmp(&a[i], &b[i], sizeof a[i]) != 0;
	free(a);
	free(b);
	return bad;
}

int main(void)
{
	enum { N = 100000 };
	static struct rec r[N];
	size_t i, n;
	int w;

	/* random words: the first with few values (agencies), the last unique (rows), the middle
	 * two full 32-bit with ties forced on some */
	for (i = 0; i < N; i++) {
		r[i].w[0] = next() % 37;
		r[i].w[1] = i % 5 ? next() : 7;
		r[i].w[2] = next();
		r[i].w[3] = (uint32_t)(N - i);
	}
	CHECK_INT(differ(r, N), 0);
	for (n = 0; n < 4; n++)
		CHECK_INT(differ(r, n), 0);
	/* every byte of every word random, including the top ones */
	for (i = 0; i < N; i++)
		for (w = 0; w < 4; w++)
			r[i].w[w] = next() ^ (next() << 16);
	CHECK_INT(differ(r, N), 0);
	/* already sorted, reversed, all equal */
	qsort(r, N, sizeof *r, cmp);
	CHECK_INT(differ(r, N), 0);
	for (i = 0; i < N / 2; i++) {
		struct rec t = r[i];

		r[i] = r[N - 1 - i];
		r[N - 1 - i] = t;
	}
	CHECK_INT(differ(r, N), 0);
	for (i = 0; i < N; i++)
		r[i] = (struct rec){ { 5, 6, 7, 8 } };
	CHECK_INT(differ(r, N), 0);
	/* stable: records equal in the key words keep their order (the key is w[0] only, through
	 * first_word; w[3] numbers the records in their first order) */
	for (i = 0; i < N; i++)
		r[i] = (struct rec){ { next() % 3, 0, 0, (uint32_t)i } };
	{
		struct rec *s = malloc(N * sizeof *s);

		if (!s)
			abort();
		memcpy(s, r, sizeof r);
		CHECK_OK(radix16_sort(s, N, first_word));
		for (i = 1; i < N; i++)
			CHECK(s[i - 1].w[0] < s[i].w[0] || (s[i - 1].w[0] == s[i].w[0] && s[i - 1].w[3] < s[i].w[3]));
		free(s);
	}
	TEST_DONE();
}
