/* est-design-internal.h - the accumulator's layout, shared by est-design.c and est-compute.c only. */
#pragma once

#include "est-design.h"
#include "est-map.h"

#define EST_NONE SIZE_MAX
#define EST_CODE_WORDS ((FORM_CODE_MAX + 64) / 64)

struct est_stratum {
	uint64_t rows;               /* responses */
	uint64_t psus;               /* PSUs of the design: responses without PSU + distinct clustered PSUs */
	enum est_weighting weighting;
	double fpc;                  /* N_h given with the rows, or NAN */
	size_t first_cell, last_cell;
	size_t first_psu, last_psu;  /* clustered PSUs (global ids) */
};

struct est_cell {
	size_t group, stratum;
	size_t next_in_stratum, next_in_group;
	uint64_t rows;
	struct est_block block;      /* responses without PSU; block.mean is NULL until the first */
	struct est_batch batch;
	size_t first_entry, last_entry;
	uint64_t nentries;           /* clustered PSUs with members in the cell */
	uint64_t *counts;            /* nitems valid-answer counts, then nindices counts */
};

struct est_entry {
	size_t cell, psu, next;      /* totals at design->tot + id * dim */
};

struct est_groupacc {
	size_t first_cell, last_cell;
	uint64_t rows;
};

struct est_design {
	const struct form *form;
	size_t nitems, nindices, dim, words;
	int *item_slot;              /* nitems */
	const uint64_t **item_pos;   /* nitems: bitmap of positive codes */
	uint64_t *item_pos64;        /* nitems: its first word (codes 0..63), the common case */
	uint64_t *posmaps;           /* nscales × EST_CODE_WORDS */
	uint64_t *index_mask;        /* nindices × words: the items under each index */

	struct est_map groups, strata, cells, psus, entries;
	struct est_groupacc *g;
	struct est_stratum *s;
	struct est_cell *c;
	size_t *psu_stratum, *psu_next;
	struct est_entry *e;
	double *tot;
	size_t gcap, scap, ccap, pcap, ecap;
	size_t moment_cells;
	uint64_t rows;

	uint16_t *idx;               /* scratch: dim, the ones of a row's x */
	uint16_t *vidx;              /* scratch: nitems, its v part */
	uint64_t *valid;             /* scratch: words */
};

/* Merges every pending batch into its cell's block; returns 0 or -ENOMEM. */
int est_design_flush(struct est_design *d);
