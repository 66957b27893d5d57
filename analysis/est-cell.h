/* est-cell.h - the kept aggregates' bytes: a design's cell (est_cell_view) or clustered PSU
 * (est_psu_view) as the server stores it, and back.
 *
 * A cell is a header (magic "SEC1", the form's dimensions, rows, m, fpc, weighting, whether
 * M2 follows), then the block's mean (dim doubles, when m > 0), its packed M2 (when kept), the
 * items' then the indices' valid-answer counts (uint64). A PSU is its dim totals. Native byte
 * order and layout: bytes for the machine and build that wrote them, not for exchange. A form
 * of other dimensions makes them unreadable (-EIO): the server then rebuilds. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "est-block.h"
#include "est-design.h"
#include "form.h"
#include "strbuf.h"

#define EST_CELL_MAGIC 0x31434553u       /* "SEC1" */

/* Aligned copies of the stored arrays of one cell, for a form; what est_cell_decode fills. */
struct est_cell_decoder {
	const struct form *f;
	size_t dim;
	double *mean;                /* dim */
	double *m2;                  /* packed dim × dim */
	uint64_t *counts;            /* nitems + nindices */
	struct est_block blk;
};

/* Writes cell v of a design of form f to sb (reset first). Returns 0 or -ENOMEM (sb then holds
 * a part). */
int est_cell_encode(struct strbuf *sb, const struct form *f, const struct est_cell_view *v);
/* The bytes of a clustered PSU of form f: its totals as they are (dim doubles). */
size_t est_psu_encoded_len(const struct form *f);

/* Sets s up for cells of form f (which must outlive it). Returns 0 or -ENOMEM; s is safe to
 * est_cell_decoder_done either way. */
int est_cell_decoder_init(struct est_cell_decoder *s, const struct form *f);
/* Frees s's arrays; s may be zeroed. */
void est_cell_decoder_done(struct est_cell_decoder *s);
/* Reads the cell in data (len bytes) of group and stratum into *out, whose arrays are s's (valid
 * until s decodes again). Returns 0, or -EIO for bytes of another layout or form (*out then
 * unchanged). */
int est_cell_decode(struct est_cell_decoder *s, const char *group, const char *stratum,
		    const void *data, size_t len, struct est_cell_view *out);
/* Reads the clustered PSU psu in data (len bytes) of group and stratum into *out, whose totals
 * are s's. Returns 0, or -EIO when len is not est_psu_encoded_len (*out then unchanged). */
int est_psu_decode(struct est_cell_decoder *s, const char *group, const char *stratum, const char *psu,
		   const void *data, size_t len, struct est_psu_view *out);
