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
	b->mean = calloc(dim, sizeof *b->mean);
	if (!b->mean)
		return -ENOMEM;
	if (moments) {
		b->m2 = calloc(est_packed_len(dim), sizeof *b->m2);
		if (!b->m2) {
			free(b->mean);
			b->mean = NULL;
			return -ENOMEM;
		}
	}
	return 0;
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

void est_block_add(struct est_block *b, const double *x)
{
	size_t dim = b->dim, a, c;
	double *m2 = b->m2, n;
	double delta[EST_MAX_DIM];

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
}

/* Merges the summary (n2, mean2, M2 packed or NULL) into b. */
static void merge_raw(struct est_block *b, uint64_t n2, const double *mean2, const double *m2src)
{
	size_t dim = b->dim, a, c;
	double *m2 = b->m2;
	double n1 = (double)b->m, N = (double)(b->m + n2), coef;
	double delta[EST_MAX_DIM];

	if (n2 == 0)
		return;
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
}

int est_block_merge(struct est_block *dst, const struct est_block *src)
{
	if (dst->dim != src->dim)
		return -EINVAL;
	if (src->m == 0)
		return 0;
	if (!dst->m2)
		return -EINVAL;
	merge_raw(dst, src->m, src->mean, src->m2);
	return 0;
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
	bt->s2 = calloc(est_packed_len(dim), sizeof *bt->s2);
	if (!bt->s1 || !bt->s2) {
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
	bt->s1 = bt->s2 = NULL;
	bt->n = 0;
}

void est_batch_add(struct est_batch *bt, struct est_block *blk, const uint16_t *idx, size_t nidx, double w)
{
	size_t dim = bt->dim, i, j;
	double w2 = w * w;
	double *s2 = bt->s2;

	for (i = 0; i < nidx; i++) {
		size_t a = idx[i];
		double *row = s2 + est_packed_offset(dim, a) - a;   /* row[c] is (a, c) */

		bt->s1[a] += w;
		for (j = i; j < nidx; j++)
			row[idx[j]] += w2;
	}
	if (++bt->n == EST_BATCH_ROWS)
		est_batch_flush(bt, blk);
}

void est_batch_flush(struct est_batch *bt, struct est_block *blk)
{
	size_t dim = bt->dim, a, c;
	double n = bt->n, *s2 = bt->s2;

	if (bt->n == 0)
		return;
	/* centre the batch in place: mean = s1/n, M2 = s2 − s1 s1ᵀ/n */
	for (a = 0; a < dim; a++) {
		double sa = bt->s1[a] / n;

		for (c = a; c < dim; c++)
			*s2++ -= sa * bt->s1[c];
	}
	for (a = 0; a < dim; a++)
		bt->s1[a] /= n;
	merge_raw(blk, bt->n, bt->s1, bt->s2);
	bt->n = 0;
	memset(bt->s1, 0, dim * sizeof *bt->s1);
	memset(bt->s2, 0, est_packed_len(dim) * sizeof *bt->s2);
}
