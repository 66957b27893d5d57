/* est-compute.h - estimates, standard errors and intervals from a design
 * (docs/sipas-method.md §3-6). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "est-design.h"
#include "est-error.h"
#include "frame.h"

enum est_ci { EST_CI_LOGIT, EST_CI_BETA, EST_CI_WALD };
enum est_lonely { EST_LONELY_FAIL, EST_LONELY_ADJUST, EST_LONELY_REMOVE, EST_LONELY_CERTAINTY };

struct est_options {
	double confidence;      /* in (0, 1); 0.95 */
	enum est_ci ci;
	enum est_lonely lonely;
	bool has_baseline;
	double baseline;        /* percent */
};
#define EST_OPTIONS_DEFAULT { 0.95, EST_CI_LOGIT, EST_LONELY_FAIL, false, 0 }

/* Reliability flags (docs/sipas-method.md §8, docs/formats.md estimates JSON). */
enum {
	EST_FLAG_SMALL_N    = 1u << 0,   /* fewer than EST_MIN_N respondents */
	EST_FLAG_WIDE       = 1u << 1,   /* interval wider than EST_MAX_WIDTH points */
	EST_FLAG_DEGENERATE = 1u << 2,   /* se = 0 (p = 0 or 1): the interval is the point */
	EST_FLAG_NO_ANSWERS = 1u << 3,   /* an item under it has no valid answer: estimate null */
	EST_FLAG_NO_DF      = 1u << 4,   /* df < 1: no interval, no test */
};
#define EST_MIN_N 30
#define EST_MAX_WIDTH 20.0

struct est_estimate {
	size_t what;            /* < form->nindices: that index; else item what - nindices */
	double estimate;        /* percent; NAN when null */
	double se;              /* percent; NAN when null */
	double ci_low, ci_high; /* percent; NAN when null */
	long df;                /* the group's design df */
	uint64_t n;             /* responses in the group with a valid answer under it */
	double deff, n_eff;     /* items with 0 < p < 1; NAN otherwise */
	unsigned flags;
	double diff, t, p_value;/* vs the baseline; NAN when none or null (t, p_value also when se = 0) */
};

struct est_group {
	long group;             /* -1: the whole survey; else the design's group id */
	uint64_t n;             /* responses in the group */
	long df;
	struct est_estimate *est;   /* nest estimates: the form's indices, then its items */
};

struct est_results {
	size_t nest;
	size_t ngroups;         /* 1 + the design's group count */
	struct est_group *groups;   /* [0] the whole survey, [1 + i] design group i */
};

/* Computes every estimate of every group. frame (may be NULL) supplies N_h for strata whose
 * responses carry no weight (w = N_h / n_h, n_h = responses in h) or no fpc. Returns 0 and *out
 * (free with est_results_free); -EINVAL with err filled (a lonely PSU under `fail`, a stratum
 * missing from the frame, an fpc smaller than the stratum's PSUs, bad options); -ENOMEM. */
int est_compute(struct est_design *d, const struct est_frame *frame, const struct est_options *o,
	struct est_results **out, struct est_error *err);
/* Frees results; r may be NULL. */
void est_results_free(struct est_results *r);
/* The p-value of e's test against the baseline as a reader takes it: 0 where est_t_pvalue gave
 * NAN because the tail probability underflowed (finite |t| > 8); else e->p_value (NAN when there
 * is no test). */
double est_baseline_pvalue(const struct est_estimate *e);
/* True when e differs from the baseline at level alpha (est_baseline_pvalue < alpha). */
bool est_baseline_significant(const struct est_estimate *e, double alpha);
/* Renders an estimate's flags as "small_n,wide_interval,..." into buf; returns buf, or NULL when
 * there is none. */
const char *est_flags_str(unsigned flags, char *buf, size_t len);
