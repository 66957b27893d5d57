/* est-design.h - the design accumulator: moment blocks keyed by (group key, stratum, PSU).
 *
 * Responses are added one at a time (or whole blocks, for a server that keeps them stored);
 * memory grows with the number of cells (group × stratum) and clustered PSUs times the items,
 * never with the number of responses. A group key is an opaque string the caller chooses (the
 * values of its --by columns; "" when there is none); est_compute() reports the whole survey
 * and each group key. Not thread-safe; one design per thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "est-block.h"
#include "est-error.h"
#include "form.h"

#define EST_MAX_GROUPS   100000
#define EST_MAX_STRATA   100000
#define EST_MAX_CELLS    200000
#define EST_MAX_PSUS     50000000   /* clustered PSUs */
#define EST_MAX_KEY_LEN  1024       /* bytes of a group key, a stratum or a PSU id */
#define EST_MAX_MOMENT_BYTES ((size_t)1 << 30)  /* moment matrices of all cells together */

/* How a stratum's weights are given. */
enum est_weighting {
	EST_W_NONE = 0,     /* no rows yet */
	EST_W_FRAME,        /* no weight column: N_h / n_h from the frame at compute time, else 1 */
	EST_W_GIVEN,        /* each row carries its weight */
};

/* One response. */
struct est_row {
	const char *group;      /* group key ("" for none) */
	const char *stratum;    /* stratum (required, non-empty) */
	const char *psu;        /* cluster id, or NULL/"": the response is its own PSU */
	double weight;          /* > 0, or NAN: from the frame (or 1) */
	double fpc;             /* N_h, or NAN: from the frame (or none) */
	const int16_t *codes;   /* form->nslots answer codes, FORM_NO_ANSWER for blank */
};

/* A cell (group key × stratum) as exported and imported; the clustered PSUs come separately. */
struct est_cell_view {
	const char *group;
	const char *stratum;
	uint64_t rows;                    /* responses in the cell, clustered or not */
	enum est_weighting weighting;
	double fpc;                       /* N_h given with the rows, or NAN */
	const struct est_block *moments;  /* the responses without PSU (moments->m of them); may be NULL */
	const uint64_t *nvalid;           /* form->nitems: responses with a valid answer to the item */
	const uint64_t *nindex;           /* form->nindices: responses with a valid answer under the index */
};

/* A clustered PSU's totals within one cell (dim values: w·y then w·v per item). */
struct est_psu_view {
	const char *group;
	const char *stratum;
	const char *psu;
	const double *totals;
};

struct est_design;

/* Creates an empty design for a form (which must outlive it). Returns 0 and *out (free with
 * est_design_free), -EINVAL when the form has no items, or -ENOMEM. */
int est_design_new(const struct form *form, struct est_design **out);
/* Frees a design; d may be NULL. */
void est_design_free(struct est_design *d);
/* Adds one response. Returns 0; -EINVAL with err filled (bad weight, weights given for some rows
 * of a stratum only, fpc varying within a stratum, a code outside [0, 9999], an empty stratum);
 * -E2BIG past a limit; -ENOMEM. After -EINVAL the design is unchanged (after -E2BIG or
 * -ENOMEM it may hold an empty group or cell, which reports no responses). */
int est_design_add(struct est_design *d, const struct est_row *row, struct est_error *err);

/* Adds a cell's sums (merging with what the cell holds). Returns 0, -EINVAL (err filled) or
 * -ENOMEM; dimensions must match the form. */
int est_design_add_cell(struct est_design *d, const struct est_cell_view *c, struct est_error *err);
/* Adds a clustered PSU's totals (summing with what the PSU holds in that cell); its responses
 * are counted by est_design_add_cell. Returns 0, -EINVAL (err filled), -E2BIG or -ENOMEM. */
int est_design_add_psu(struct est_design *d, const struct est_psu_view *p, struct est_error *err);
/* Calls cell_cb for every cell, then psu_cb for every clustered PSU entry (either may be NULL),
 * in insertion order; stops at the first negative return and returns it; else 0. */
int est_design_foreach(struct est_design *d,
	int (*cell_cb)(const struct est_cell_view *c, void *ctx),
	int (*psu_cb)(const struct est_psu_view *p, void *ctx), void *ctx);
/* Merges everything src holds into dst (same form). Returns 0 or a negative errno (err filled). */
int est_design_merge(struct est_design *dst, struct est_design *src, struct est_error *err);

/* The form; the item count; the number of group keys seen and the i-th (in first-seen order). */
const struct form *est_design_form(const struct est_design *d);
size_t est_design_ngroups(const struct est_design *d);
const char *est_design_group_key(const struct est_design *d, size_t i);
/* Responses added so far. */
uint64_t est_design_rows(const struct est_design *d);
