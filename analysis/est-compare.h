/* est-compare.h - the difference of two groups of one design (docs/sipas-method.md §7:
 * two agencies of one round are compared with the joint linearisation z_A − z_B).
 *
 * For each estimate θ (the form's indices, then its items) the difference θ_A − θ_B has the
 * linearised variable z_i = z_i^A − z_i^B, summed per PSU over every PSU of the design, and its
 * variance is that of §4 step 4 (with the same lonely-PSU rules). Members shared by the groups'
 * PSUs (same stratum, same cluster) make the covariance; groups in different strata are
 * independent and the variance is Var_A + Var_B. df = PSUs with members of A or B − strata with
 * members of A or B. Built on the design's public views only (est_design_foreach). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "est-compute.h"
#include "est-design.h"
#include "est-error.h"
#include "frame.h"

struct est_contrast {
	size_t what;            /* as est_estimate.what */
	double est_a, est_b;    /* percent; NAN when null */
	double diff, se;        /* percent: θ_A − θ_B and its standard error; NAN when either is null */
	long df;
	double t, p_value;      /* NAN when se = 0 or df < 1 */
	uint64_t n_a, n_b;      /* respondents with a valid answer under it */
};

/* This round's estimate a against another round's b, independent samples: diff = a − b,
 * se = sqrt(se_a² + se_b²), df = min(df_a, df_b), t = diff / se when se > 0 and df >= 1 (else
 * NAN), p_value from t on df. Fills *out (what, est_a, est_b, n_a, n_b from a and b); never
 * fails. */
void est_compare_rounds(const struct est_estimate *a, const struct est_estimate *b, struct est_contrast *out);
/* Compares groups a and b (group keys of d). out has form->nindices + form->nitems entries.
 * frame and o as for est_compute (o->baseline is ignored). Returns 0; -ENOENT when a group key
 * is not in the design; -EINVAL with err filled (as est_compute); -ENOMEM. */
int est_compare_groups(struct est_design *d, const struct est_frame *frame, const struct est_options *o,
		       const char *a, const char *b, struct est_contrast *out, struct est_error *err);
