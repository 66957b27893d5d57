/* est-rounds.h - this round against another, group by group (contract §8; docs/api.md,
 * compare): the groups of this round that the other round has too (the whole round first),
 * and in each the estimates whose id both forms have, compared as independent samples
 * (est_compare_rounds). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "est-compare.h"
#include "est-output.h"
#include "strbuf.h"

struct est_rounds {
	const struct form *form, *against_form;   /* this round's form and the other round's */
	const char *survey, *against;              /* the rounds' codes */
	const struct est_options *options;
	size_t nby;
	const char *const *by_names;
	const bool *by_numeric;                    /* nby: values written as JSON numbers */
	size_t na, nb;
	const struct est_report_group *a, *b;      /* each round's groups as reported, whole round first */
};

/* The position in form g's estimates of estimate `what` of form f (the same id), or -1. */
long est_rounds_match_estimate(const struct form *f, size_t what, const struct form *g);
/* The group of b[0..nb) with the same nby by values as a (the whole round for the whole round),
 * or NULL. */
const struct est_report_group *est_rounds_match_group(const struct est_report_group *a,
						      const struct est_report_group *b, size_t nb, size_t nby);
/* Appends the comparison document: {"survey", "against", "method", "confidence", "groups": [{"by",
 * "n", "n_against", "comparisons": [...]}...], "comparisons": the whole round's}. Returns 0 or a
 * negative errno. */
int est_rounds_json(struct strbuf *sb, const struct est_rounds *r);
