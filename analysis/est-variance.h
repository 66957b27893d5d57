/* est-variance.h - the design variance of a linearised estimate (method.md §4 step 4), one
 * implementation for est_compute (one group) and est_compare_groups (z_A − z_B).
 *
 * The caller lists what each stratum holds as refs: blocks of m PSUs without a cluster (the
 * z-values' mean uᵀμ and centred sum of squares uᵀM2u) and clustered PSUs' totals (m = 1), each
 * on side +1 (u_a) or −1 (u_b). Per stratum they are merged as scalars (Chan et al.) with the
 * stratum's PSUs that hold none of them (z = 0), which gives Σ_j (z_hj − z̄_h)²; the strata add
 * up as (1 − f_h) n_h/(n_h − 1) Σ_j (z_hj − z̄_h)², and the lonely-PSU rule decides the rest. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "est-compute.h"
#include "est-design.h"
#include "est-error.h"
#include "est-map.h"
#include "form.h"
#include "frame.h"

/* A stratum of the design. The caller fills rows, psus, weighting and fpc; est_variance_prepare
 * sets scale, fpcfac and lonely; touched and ztot are est_variance_of's (zero them once). */
struct est_vstratum {
	uint64_t rows;               /* responses */
	uint64_t psus;               /* PSUs of the design */
	enum est_weighting weighting;
	double fpc;                  /* N_h given with the rows, or NAN */
	double scale;                /* s_h: the weights the rows were added with are multiplied by it */
	double fpcfac;               /* 1 − f_h */
	bool lonely;                 /* one PSU, under a rule other than fail */
	bool touched;
	double ztot;                 /* Σ z of the stratum (the rule `adjust`) */
};

/* What a stratum holds of the estimate's PSUs. */
struct est_vref {
	size_t stratum;
	int side;                    /* +1: z = u_aᵀx; −1: z = −u_bᵀx */
	uint64_t m;                  /* PSUs (1 for a clustered PSU) */
	const double *mean;          /* dim: μ, or the clustered PSU's totals */
	const double *m2;            /* packed M2, or NULL: M2 = 0 */
	long psu;                    /* −1, or a clustered PSU's id (< npsus) whose refs on either side
	                                are summed into one PSU total first */
};

struct est_variance {
	const struct form *f;
	size_t dim;                  /* 2 × the form's items */
	enum est_lonely rule;
	struct est_vstratum *s;      /* the caller's, nstrata of them */
	size_t nstrata;
	uint64_t total_psus;         /* PSUs of the design */
	size_t *lonely;              /* the lonely strata, in order */
	size_t nlonely;
	size_t npsus;
	double *zpsu;                /* npsus: scratch for refs with psu >= 0 */
	char *psu_touched;           /* npsus: scratch; the caller may use it between calls if it
	                                leaves it zeroed */
};

/* Sets v up for the form f, the rule and the caller's strata s (which it does not own) and
 * clustered PSU ids below npsus (0 when no ref names one). Returns 0 or -ENOMEM; v is safe to
 * est_variance_done either way. */
int est_variance_init(struct est_variance *v, const struct form *f, enum est_lonely rule,
		      struct est_vstratum *s, size_t nstrata, size_t npsus);
/* Frees what est_variance_init allocated; v may be zeroed. */
void est_variance_done(struct est_variance *v);
/* Weight scale, fpc factor and lonely flag of every stratum (names: the strata's names by
 * index; frame may be NULL), and total_psus. Returns 0, or -EINVAL with err filled (a lonely PSU
 * under `fail`, or as est_stratum_factors). */
int est_variance_prepare(struct est_variance *v, const struct est_map *names, const struct est_frame *frame,
			 struct est_error *err);
/* Sorts refs by stratum (refs of one stratum keep their order with glibc's merge sort). */
void est_vrefs_sort(struct est_vref *refs, size_t n);
/* Adds scale_h · m · μ of every ref to ta (side +1) or tb (side −1; may be NULL when no ref is
 * on that side): the weighted totals T (dim each; the caller zeroes them). */
void est_variance_totals(const struct est_variance *v, const struct est_vref *refs, size_t n,
			 double *ta, double *tb);
/* The linearisation vector u (dim) of estimate what (< nindices: that index; else item
 * what − nindices) from the totals T, and the estimate (a proportion) in *est; *any: u is not
 * 0. Returns 0, or -ENODATA when an item under it has no valid answer (*est untouched). */
int est_linearise(const struct form *f, size_t what, const double *T, double *u, double *est, bool *any);
/* The variance of Σ side · z over refs sorted by stratum (est_vrefs_sort), with u_a for side +1
 * and u_b (may equal u_a) for side −1. Never fails. */
double est_variance_of(struct est_variance *v, const struct est_vref *refs, size_t n,
		       const double *ua, const double *ub);
