/* est-block.c - moment blocks: Welford updates, Chan merges, batched raw sums. */
#include "est-block.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int est_block_init(struct est_block *b, size_t dim, bool moments)
{
	memset(b, 0, sizeof *b);
	if (dim == 0 || dim > EST_MAX_DIM)
		return -EINVAL;
	b->dim = dim;
	b->moments = moments;
	b->mean = calloc(dim, sizeof *b->mean);
	return b->mean ? 0 : -ENOMEM;
}

/* Allocates the moment matrix of a block that keeps moments (M2 = 0 until then). */
static int want_m2(struct est_block *b)
{
	if (b->m2)
		return 0;
	if (!b->moments)
		return -EINVAL;
	b->m2 = calloc(est_packed_len(b->dim), sizeof *b->m2);
	return b->m2 ? 0 : -ENOMEM;
}

void est_block_done(struct est_block *b)
{
	if (!b)
		return;
	free(b->mean);
	free(b->m2);
	b->mean = b->m2 = NULL;
	b->m = 0;
}

void est_block_reset(struct est_block *b)
{
	b->m = 0;
	memset(b->mean, 0, b->dim * sizeof *b->mean);
	if (b->m2)
		memset(b->m2, 0, est_packed_len(b->dim) * sizeof *b->m2);
}

int est_block_add(struct est_block *b, const double *x)
{
	size_t dim = b->dim, a, c;
	double *m2, n;
	double delta[EST_MAX_DIM];
	int r;

	if ((r = want_m2(b)) < 0)
		return r;
	m2 = b->m2;
	b->m++;
	n = (double)b->m;
	for (a = 0; a < dim; a++) {
		delta[a] = x[a] - b->mean[a];
		b->mean[a] += delta[a] / n;
	}
	/* M2 += δ (x − μ_new)ᵀ, symmetric: (x − μ_new) = δ (n − 1)/n */
	for (a = 0; a < dim; a++) {
		double da = delta[a] * (n - 1) / n;

		if (da == 0) {
			m2 += dim - a;
			continue;
		}
		for (c = a; c < dim; c++)
			*m2++ += da * delta[c];
	}
	return 0;
}

/* Merges the summary (n2, mean2, M2 packed or NULL) into b. Returns 0, or -EINVAL / -ENOMEM
 * when b needs a moment matrix it cannot have (b unchanged). */
static int merge_raw(struct est_block *b, uint64_t n2, const double *mean2, const double *m2src)
{
	size_t dim = b->dim, a, c;
	double *m2;
	double n1 = (double)b->m, N = (double)(b->m + n2), coef;
	double delta[EST_MAX_DIM];
	int r;

	if (n2 == 0)
		return 0;
	if ((m2src || b->m > 0) && (r = want_m2(b)) < 0)
		return r;
	m2 = b->m2;
	if (!m2) {                  /* into an empty block, without moments: M2 stays 0 */
		memcpy(b->mean, mean2, dim * sizeof *b->mean);
		b->m = n2;
		return 0;
	}
	coef = n1 * (double)n2 / N;
	for (a = 0; a < dim; a++) {
		delta[a] = mean2[a] - b->mean[a];
		b->mean[a] += delta[a] * ((double)n2 / N);
	}
	for (a = 0; a < dim; a++) {
		double da = coef * delta[a];

		if (m2src) {
			for (c = a; c < dim; c++)
				*m2++ += *m2src++ + da * delta[c];
		} else if (da != 0) {
			for (c = a; c < dim; c++)
				*m2++ += da * delta[c];
		} else {
			m2 += dim - a;
		}
	}
	b->m += n2;
	return 0;
}

int est_block_merge(struct est_block *dst, const struct est_block *src)
{
	if (dst->dim != src->dim)
		return -EINVAL;
	if (src->m == 0)
		return 0;
	if (!dst->moments)
		return -EINVAL;
	return merge_raw(dst, src->m, src->mean, src->m2);
}

double est_block_dot(const struct est_block *b, const double *u)
{
	double s = 0;
	size_t a;

	for (a = 0; a < b->dim; a++)
		s += u[a] * b->mean[a];
	return s;
}

double est_block_quad(const struct est_block *b, const double *u)
{
	const double *m2 = b->m2;
	size_t dim = b->dim, a, c;
	double s = 0;

	if (!m2)
		return 0;
	for (a = 0; a < dim; a++) {
		double row = 0;

		if (u[a] == 0) {
			m2 += dim - a;
			continue;
		}
		row = 0.5 * m2[0] * u[a];   /* the diagonal counts once in uᵀM2u, the rest twice */
		for (c = a + 1; c < dim; c++)
			row += m2[c - a] * u[c];
		s += 2 * u[a] * row;
		m2 += dim - a;
	}
	return s;
}

int est_batch_init(struct est_batch *bt, size_t dim)
{
	memset(bt, 0, sizeof *bt);
	if (dim == 0 || dim > EST_MAX_DIM)
		return -EINVAL;
	bt->dim = dim;
	bt->s1 = calloc(dim, sizeof *bt->s1);
	if (dim <= EST_SLICE_MAX_DIM) {
		bt->counting = true;
		bt->cols = calloc(dim, sizeof *bt->cols);
		bt->cnt = calloc(est_packed_len(dim), sizeof *bt->cnt);
	} else {
		bt->s2 = calloc(est_packed_len(dim), sizeof *bt->s2);
	}
	if (!bt->s1 || (!bt->counting && !bt->s2) || (bt->counting && (!bt->cols || !bt->cnt))) {
		est_batch_done(bt);
		return -ENOMEM;
	}
	return 0;
}

void est_batch_done(struct est_batch *bt)
{
	if (!bt)
		return;
	free(bt->s1);
	free(bt->s2);
	free(bt->cols);
	free(bt->cnt);
	bt->s1 = bt->s2 = NULL;
	bt->cols = NULL;
	bt->cnt = NULL;
	bt->n = bt->nslice = bt->ncols = 0;
}

/* The raw sums' matrix, allocated by a counting batch when first needed. */
static int want_s2(struct est_batch *bt)
{
	if (!bt->s2 && !(bt->s2 = calloc(est_packed_len(bt->dim), sizeof *bt->s2)))
		return -ENOMEM;
	return 0;
}

/* Centres the raw sums s1/s2 of bt->n rows, merges them into blk and empties them. Returns 0
 * or the merge's error (the sums are kept). */
static int flush_raw(struct est_batch *bt, struct est_block *blk)
{
	size_t dim = bt->dim, a, c;
	double n = bt->n, *s2 = bt->s2;
	int r;

	if (bt->n == 0)
		return 0;
	if (!blk->m2 && (r = want_m2(blk)) < 0)
		return r;
	/* mean = s1/n, M2 = s2 − s1 s1ᵀ/n */
	for (a = 0; a < dim; a++) {
		double sa = bt->s1[a] / n;

		for (c = a; c < dim; c++)
			*s2++ -= sa * bt->s1[c];
	}
	for (a = 0; a < dim; a++)
		bt->s1[a] /= n;
	if ((r = merge_raw(blk, bt->n, bt->s1, bt->s2)) < 0)
		return r;
	bt->n = 0;
	memset(bt->s1, 0, dim * sizeof *bt->s1);
	memset(bt->s2, 0, est_packed_len(dim) * sizeof *bt->s2);
	return 0;
}

/* Adds the pair counts of the rows held transposed in cols (the hot loop: dim²/2 AND and
 * popcount per 64 rows; the hardware instruction where the CPU has it). */
__attribute__((target_clones("popcnt", "default")))
static void count_cols(const uint64_t *cols, size_t dim, uint32_t *cnt)
{
	size_t a, c;

	for (a = 0; a < dim; a++) {
		uint64_t ca = cols[a];

		if (!ca) {
			cnt += dim - a;
			continue;
		}
		for (c = a; c < dim; c++)
			*cnt++ += __builtin_popcountll(ca & cols[c]);
	}
}

static void count_flush_cols(struct est_batch *bt)
{
	if (bt->ncols == 0)
		return;
	count_cols(bt->cols, bt->dim, bt->cnt);
	memset(bt->cols, 0, bt->dim * sizeof *bt->cols);
	bt->ncols = 0;
}

/* Merges the counted rows: mean_a = w C_aa/n and M2_ac = w² (n C_ac − C_aa C_cc)/n, the
 * numerator in exact integer arithmetic (n, C <= 2^24). */
static int flush_slice(struct est_batch *bt, struct est_block *blk)
{
	size_t dim = bt->dim, a, c;
	double w = bt->wslice, *s2, n = bt->nslice;
	int64_t ni = bt->nslice;
	const uint32_t *cnt = bt->cnt;
	int r;

	if (bt->nslice == 0)
		return 0;
	/* the memory first, so that a failure changes nothing */
	if ((r = want_s2(bt)) < 0 || (r = want_m2(blk)) < 0)
		return r;
	count_flush_cols(bt);
	if ((r = flush_raw(bt, blk)) < 0)     /* then s1 and s2 are free to use */
		return r;
	for (a = 0; a < dim; a++)
		bt->s1[a] = (double)bt->cnt[est_packed_offset(dim, a)];
	s2 = bt->s2;
	for (a = 0; a < dim; a++) {
		int64_t ca = (int64_t)bt->s1[a];

		for (c = a; c < dim; c++) {
			int64_t num = ni * (int64_t)*cnt++ - ca * (int64_t)bt->s1[c];

			*s2++ = w * w * ((double)num / n);
		}
	}
	for (a = 0; a < dim; a++)
		bt->s1[a] = w * (bt->s1[a] / n);
	if ((r = merge_raw(blk, bt->nslice, bt->s1, bt->s2)) < 0)
		return r;
	bt->nslice = 0;
	memset(bt->cnt, 0, est_packed_len(dim) * sizeof *bt->cnt);
	memset(bt->s1, 0, dim * sizeof *bt->s1);
	memset(bt->s2, 0, est_packed_len(dim) * sizeof *bt->s2);
	return 0;
}

int est_batch_add(struct est_batch *bt, struct est_block *blk, const uint16_t *idx, size_t nidx, double w)
{
	size_t dim = bt->dim, i, j;
	int r;

	if (bt->counting && (bt->nslice == 0 || w == bt->wslice)) {
		uint64_t bit = 1ull << bt->ncols;

		for (i = 0; i < nidx; i++)
			bt->cols[idx[i]] |= bit;
		return est_batch_row_done(bt, blk, w);
	}
	if ((r = want_s2(bt)) < 0)
		return r;
	for (i = 0; i < nidx; i++) {
		size_t a = idx[i];
		double *row = bt->s2 + est_packed_offset(dim, a) - a;   /* row[c] is (a, c) */
		double w2 = w * w;

		bt->s1[a] += w;
		for (j = i; j < nidx; j++)
			row[idx[j]] += w2;
	}
	if (++bt->n == EST_BATCH_ROWS)
		return flush_raw(bt, blk);
	return 0;
}

int est_batch_row_done(struct est_batch *bt, struct est_block *blk, double w)
{
	bt->wslice = w;
	bt->nslice++;
	if (++bt->ncols == 64)
		count_flush_cols(bt);
	if (bt->nslice == EST_SLICE_ROWS)
		return flush_slice(bt, blk);
	return 0;
}

int est_batch_flush(struct est_batch *bt, struct est_block *blk)
{
	int r = flush_raw(bt, blk);

	return r < 0 ? r : flush_slice(bt, blk);
}
