/* est-block.h - moment blocks: the sums the estimator works from (docs/sipas-method.md §5).
 *
 * A block summarises m PSUs of one stratum by the mean vector μ and the centred second-moment
 * matrix M2 = Σ_j (x_j − μ)(x_j − μ)ᵀ of their totals x_j (dimension dim = 2K: w·y then w·v
 * for the K items). A clustered PSU is a block with m = 1, μ = its totals and M2 = 0 (no
 * matrix stored); the responses without a PSU of one (group, stratum) are one block with
 * moments, kept centred with the pairwise merge of Chan, Golub and LeVeque.
 *
 * M2 is stored as the packed upper triangle by rows: (a, c) with a <= c at
 * est_packed_offset(dim, a) + (c - a). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EST_MAX_DIM 2000          /* 2 × FORM_MAX_QUESTIONS */
#define EST_BATCH_ROWS 256        /* rows gathered raw before a centred merge */

struct est_block {
	size_t dim;
	uint64_t m;        /* number of PSUs summarised */
	double *mean;      /* dim: μ */
	double *m2;        /* packed upper triangle of M2, or NULL while M2 = 0 (allocated when it first
	                    * is not, for a block that keeps moments: the memory of a fold in progress
	                    * is its batches') */
	bool moments;      /* the block keeps M2 */
};

/* Raw sums of rows w·b (b a 0/1 vector), merged into a block (centred) when full. Rows with
 * the weight of the batch's first row are counted exactly: their 0/1 vectors are held
 * transposed, 64 rows to a word per coordinate, and each full word adds popcount(b_a & b_c) to
 * the integer count of every pair (a, c); rows with another weight are summed in s1/s2, up to
 * EST_BATCH_ROWS rows. Both give the same block; counting is many times faster. */
#define EST_SLICE_ROWS (1u << 24)     /* counted rows merged at the latest after this many */
#define EST_SLICE_MAX_DIM 256         /* counting for dim <= this; summing beyond */

struct est_batch {
	size_t dim;
	uint32_t n;
	double *s1;        /* dim: Σ w·b */
	double *s2;        /* packed: Σ w²·b bᵀ; a counting batch allocates it when first needed */
	bool counting;     /* dim <= EST_SLICE_MAX_DIM */
	uint32_t nslice;   /* rows counted (those in cols included) */
	uint32_t ncols;    /* rows in cols, < 64 */
	double wslice;     /* their weight */
	uint64_t *cols;    /* dim: bit r of cols[a] = b_a of the r-th row of the current word */
	uint32_t *cnt;     /* packed: Σ b_a b_c over the counted rows of past words (<= 2^24: 32 bits) */
};

/* Number of doubles in a packed upper triangle of a dim × dim matrix. */
static inline size_t est_packed_len(size_t dim) { return dim * (dim + 1) / 2; }
/* Offset of row a of the packed upper triangle (element (a, a)). */
static inline size_t est_packed_offset(size_t dim, size_t a) { return a * dim - a * (a - 1) / 2; }

/* Initialises an empty block (m = 0) of dimension dim, with a moment matrix when moments is
 * true. Returns 0, -EINVAL (dim 0 or past EST_MAX_DIM) or -ENOMEM; b is left safe to _done. */
int est_block_init(struct est_block *b, size_t dim, bool moments);
/* Frees the block's memory; b may be NULL or zeroed. */
void est_block_done(struct est_block *b);
/* Empties the block, keeping its memory. */
void est_block_reset(struct est_block *b);
/* Adds one PSU total x (dim values) with Welford's update. The block must keep moments.
 * Returns 0, -EINVAL (the block keeps no moments) or -ENOMEM. */
int est_block_add(struct est_block *b, const double *x);
/* Merges src into dst (Chan et al.): afterwards dst summarises both. dst must keep moments
 * unless src is empty; returns 0 or -EINVAL (dimensions differ, or dst has no moments). */
int est_block_merge(struct est_block *dst, const struct est_block *src);
/* Returns uᵀμ. */
double est_block_dot(const struct est_block *b, const double *u);
/* Returns uᵀ M2 u (0 for a block without moments). */
double est_block_quad(const struct est_block *b, const double *u);

/* Initialises an empty batch; returns 0, -EINVAL or -ENOMEM (batch left safe to _done). */
int est_batch_init(struct est_batch *bt, size_t dim);
/* Frees the batch's memory; bt may be NULL or zeroed. */
void est_batch_done(struct est_batch *bt);
/* Adds the row w·b, b having ones at idx[0..nidx) (strictly increasing, < dim); when the batch
 * is full it is merged into blk (which must keep moments). Returns 0 or -ENOMEM (then the
 * batch and the block are not to be used any more). */
int est_batch_add(struct est_batch *bt, struct est_block *blk, const uint16_t *idx, size_t nidx, double w);
/* The counted path without an index list: when a row of weight w can be counted, returns its
 * bit in cols (the caller ORs it into bt->cols[a] for each one of the row, then calls
 * est_batch_row_done); 0 when the row must go through est_batch_add. Same state either way. */
static inline uint64_t est_batch_row_bit(const struct est_batch *bt, double w)
{
	if (!bt->counting || (bt->nslice != 0 && w != bt->wslice))
		return 0;
	return 1ull << bt->ncols;
}
/* Ends a row set through est_batch_row_bit. Returns 0 or -ENOMEM (as est_batch_add). */
int est_batch_row_done(struct est_batch *bt, struct est_block *blk, double w);
/* Merges what the batch holds into blk and empties the batch. Returns 0 or -ENOMEM (what was
 * not merged stays in the batch). */
int est_batch_flush(struct est_batch *bt, struct est_block *blk);
