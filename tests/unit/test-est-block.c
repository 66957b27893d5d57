/* test-est-block.c - moment blocks: Welford and batched sums against a direct two-pass
 * computation, Chan merges, quadratic forms. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "est-block.h"
#include "test.h"

static uint64_t rng = 88172645463325252ull;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* Two-pass mean and centred second moments of n rows of dim values (full dim × dim). */
static void two_pass(const double *x, size_t n, size_t dim, double *mean, double *m2)
{
	size_t i, a, c;

	for (a = 0; a < dim; a++) {
		mean[a] = 0;
		for (i = 0; i < n; i++)
			mean[a] += x[i * dim + a];
		mean[a] /= (double)n;
	}
	for (a = 0; a < dim; a++)
		for (c = 0; c < dim; c++) {
			double s = 0;

			for (i = 0; i < n; i++)
				s += (x[i * dim + a] - mean[a]) * (x[i * dim + c] - mean[c]);
			m2[a * dim + c] = s;
		}
}

static void check_block(const struct est_block *b, const double *mean, const double *m2, double tol)
{
	size_t dim = b->dim, a, c;

	for (a = 0; a < dim; a++) {
		CHECK_NEAR(b->mean[a], mean[a], tol);
		for (c = a; c < dim; c++) {
			/* relative to the scale of the entry: sqrt(M2_aa M2_cc) */
			double scale = sqrt(m2[a * dim + a] * m2[c * dim + c]);

			CHECK_NEAR(b->m2[est_packed_offset(dim, a) + c - a] / scale, m2[a * dim + c] / scale, tol);
		}
	}
}

/* Welford on values with a large offset: centred sums keep their precision. */
static void test_welford(void)
{
	enum { N = 500, D = 5 };
	static double x[N * D], mean[D], m2[D * D];
	struct est_block b;
	size_t i, a;

	for (i = 0; i < N; i++)
		for (a = 0; a < D; a++)
			x[i * D + a] = 1e6 + urand() * (double)(a + 1);
	two_pass(x, N, D, mean, m2);
	CHECK_OK(est_block_init(&b, D, true));
	for (i = 0; i < N; i++)
		est_block_add(&b, x + i * D);
	CHECK_INT(b.m, N);
	check_block(&b, mean, m2, 1e-9);
	est_block_done(&b);
	est_block_done(&b);   /* idempotent */
}

/* Merging blocks of uneven sizes equals one block of everything. */
static void test_merge(void)
{
	enum { N = 300, D = 4 };
	static double x[N * D], mean[D], m2[D * D];
	struct est_block all, parts[3], none;
	size_t cut[4] = { 0, 1, 120, N }, i, a, p;

	for (i = 0; i < N; i++)
		for (a = 0; a < D; a++)
			x[i * D + a] = urand() * 10 - 3 + (a == 2 ? 1e5 : 0);
	two_pass(x, N, D, mean, m2);
	for (p = 0; p < 3; p++) {
		CHECK_OK(est_block_init(&parts[p], D, true));
		for (i = cut[p]; i < cut[p + 1]; i++)
			est_block_add(&parts[p], x + i * D);
	}
	CHECK_OK(est_block_init(&all, D, true));
	CHECK_OK(est_block_init(&none, D, true));
	CHECK_OK(est_block_merge(&all, &none));          /* empty into empty */
	for (p = 0; p < 3; p++)
		CHECK_OK(est_block_merge(&all, &parts[p]));
	CHECK_OK(est_block_merge(&all, &none));          /* empty changes nothing */
	CHECK_INT(all.m, N);
	check_block(&all, mean, m2, 1e-9);

	/* a block without moments is a single PSU: m = 1, M2 = 0 */
	struct est_block psu;
	CHECK_OK(est_block_init(&psu, D, false));
	CHECK(psu.m2 == NULL);
	CHECK_INT(est_block_merge(&psu, &parts[0]), -EINVAL);
	CHECK_INT(est_block_merge(&all, &(struct est_block){ 3, 1, psu.mean, NULL, false }), -EINVAL);
	est_block_done(&psu);

	CHECK_INT(est_block_init(&psu, 0, true), -EINVAL);
	CHECK_INT(est_block_init(&psu, EST_MAX_DIM + 1, true), -EINVAL);
	est_block_done(&psu);
	for (p = 0; p < 3; p++)
		est_block_done(&parts[p]);
	est_block_done(&all);
	est_block_done(&none);
}

/* Weighted 0/1 rows through the batch (several flushes and a partial one) equal two-pass. */
static void test_batch(void)
{
	enum { N = 3 * EST_BATCH_ROWS + 17, D = 8 };
	static double x[N * D], mean[D], m2[D * D];
	struct est_block b;
	struct est_batch bt;
	uint16_t idx[D];
	size_t i, a, n;

	CHECK_OK(est_block_init(&b, D, true));
	CHECK_OK(est_batch_init(&bt, D));
	for (i = 0; i < N; i++) {
		double w = i % 3 ? 1.0 + urand() * 40 : 7.25;

		n = 0;
		for (a = 0; a < D; a++) {
			int bit = urand() < (a < D / 2 ? 0.9 : 0.3);

			x[i * D + a] = bit ? w : 0;
			if (bit)
				idx[n++] = (uint16_t)a;
		}
		est_batch_add(&bt, &b, idx, n, w);
	}
	/* the scatter sums (random weights) merged at every EST_BATCH_ROWS; the rows of the first
	 * row's weight (7.25) wait in the counters */
	CHECK_INT(b.m, (N - (N + 2) / 3) / EST_BATCH_ROWS * EST_BATCH_ROWS);
	est_batch_flush(&bt, &b);
	est_batch_flush(&bt, &b);   /* nothing pending: no change */
	CHECK_INT(b.m, N);
	two_pass(x, N, D, mean, m2);
	check_block(&b, mean, m2, 1e-10);
	est_batch_done(&bt);
	est_block_done(&b);
}

/* Unit weights: the batch sums are integers, so the result is exact whatever the order. */
static void test_batch_exact(void)
{
	enum { N = 1000, D = 6 };
	static uint16_t rows[N][D];
	static size_t nr[N];
	struct est_block b1, b2;
	struct est_batch t1, t2;
	size_t i, a;

	for (i = 0; i < N; i++)
		for (a = 0; a < D; a++)
			if (urand() < 0.6)
				rows[i][nr[i]++] = (uint16_t)a;
	CHECK_OK(est_block_init(&b1, D, true));
	CHECK_OK(est_block_init(&b2, D, true));
	CHECK_OK(est_batch_init(&t1, D));
	CHECK_OK(est_batch_init(&t2, D));
	for (i = 0; i < N; i++)
		est_batch_add(&t1, &b1, rows[i], nr[i], 1.0);
	for (i = N; i-- > 0;)
		est_batch_add(&t2, &b2, rows[i], nr[i], 1.0);
	est_batch_flush(&t1, &b1);
	est_batch_flush(&t2, &b2);
	for (a = 0; a < D; a++)
		CHECK_NEAR(b1.mean[a], b2.mean[a], 1e-15);
	for (a = 0; a < est_packed_len(D); a++)
		CHECK_NEAR(b1.m2[a], b2.m2[a], 1e-12);
	est_batch_done(&t1);
	est_batch_done(&t2);
	est_block_done(&b1);
	est_block_done(&b2);
}

/* Many rows of one weight, 70 coordinates (two words per column of pairs): exact counts. */
static void test_slice_overflow(void)
{
	enum { D = 70 };
	const size_t N = 70000;
	double *x = calloc(N * D, sizeof *x), *m2 = NULL;
	struct est_block b;
	struct est_batch bt;
	uint16_t idx[D];
	size_t i, a, n;

	CHECK_OK(est_block_init(&b, D, true));
	CHECK_OK(est_batch_init(&bt, D));
	CHECK(bt.counting);
	for (i = 0; i < N; i++) {
		n = 0;
		for (a = 0; a < D; a++)
			if (urand() < (a % 7 == 0 ? 0.97 : 0.5)) {
				x[i * D + a] = 2.5;
				idx[n++] = (uint16_t)a;
			}
		est_batch_add(&bt, &b, idx, n, 2.5);
	}
	CHECK_INT(b.m, 0);
	est_batch_flush(&bt, &b);
	CHECK_INT(b.m, N);
	/* exact integer moments on a few columns:
	 * M2_ac = 2.5² (N C_ac − C_a C_c)/N, mean_a = 2.5 C_a/N */
	{
		enum { S = 6 };
		static const size_t col[S] = { 0, 1, 7, 63, 64, 69 };
		long long C[S][S] = { { 0 } };
		size_t j, k;

		for (i = 0; i < N; i++)
			for (j = 0; j < S; j++)
				for (k = 0; k < S; k++)
					C[j][k] += x[i * D + col[j]] != 0 && x[i * D + col[k]] != 0;
		for (j = 0; j < S; j++) {
			CHECK_NEAR(b.mean[col[j]], 2.5 * (double)C[j][j] / (double)N, 1e-15);
			for (k = j; k < S; k++) {
				long long num = (long long)N * C[j][k] - C[j][j] * C[k][k];

				double scale = 6.25 * sqrt((double)(C[j][j] * ((long long)N - C[j][j])) *
					(double)(C[k][k] * ((long long)N - C[k][k]))) / (double)N;

				CHECK_NEAR(b.m2[est_packed_offset(D, col[j]) + col[k] - col[j]] / scale,
					6.25 * (double)num / (double)N / scale, 1e-15);
			}
		}
	}
	est_batch_done(&bt);
	est_block_done(&b);
	free(x);
	free(m2);
}

/* uᵀμ and uᵀM2u against the full matrix. */
static void test_quad(void)
{
	enum { N = 50, D = 6 };
	static double x[N * D], mean[D], m2[D * D];
	double u[D] = { 0.5, 0, -2, 1, 0, 3 }, q = 0, t = 0;
	struct est_block b;
	size_t i, a, c;

	for (i = 0; i < N * D; i++)
		x[i] = urand();
	two_pass(x, N, D, mean, m2);
	CHECK_OK(est_block_init(&b, D, true));
	for (i = 0; i < N; i++)
		est_block_add(&b, x + i * D);
	for (a = 0; a < D; a++) {
		t += u[a] * mean[a];
		for (c = 0; c < D; c++)
			q += u[a] * m2[a * D + c] * u[c];
	}
	CHECK_NEAR(est_block_dot(&b, u), t, 1e-13);
	CHECK_NEAR(est_block_quad(&b, u), q, 1e-12);
	b.m2[0] = 0;
	est_block_done(&b);
	CHECK_OK(est_block_init(&b, D, false));
	CHECK(est_block_quad(&b, u) == 0);
	est_block_done(&b);
}

int main(void)
{
	test_welford();
	test_merge();
	test_batch();
	test_batch_exact();
	test_slice_overflow();
	test_quad();
	TEST_DONE();
}
