/* report-internal.h - what the report's pages share. Internal to report/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "est-compare.h"
#include "report-draw.h"
#include "report.h"

#define REPORT_ALPHA 0.05         /* significance level of every test the report states */

/* Fonts of the report. */
extern const struct rd_font rf_title, rf_h1, rf_h2, rf_body, rf_bold, rf_small, rf_cell, rf_cell_bold,
	rf_cell_right, rf_head;

/* The state of one rendering. */
struct rp {
	struct rd *rd;
	const struct report_input *in;
	char footer[400];
};

/* The estimate of `id` in group g of form f, or NULL (g NULL, or the form has no such id). */
const struct est_estimate *rp_find(const struct form *f, const struct est_group *g, const char *id);
/* True when e is significantly below the baseline (p < REPORT_ALPHA). */
bool rp_below(const struct report_input *in, const struct est_estimate *e);
/* Compares a (estimate id of this round) with the same id in the other round's group other
 * (independent samples); returns false when there is no other round, no group or no such id. */
bool rp_vs_other(const struct report_input *in, const struct est_group *other, const char *id,
		 const struct est_estimate *a, struct est_contrast *c);
/* True when the comparison c is significant at REPORT_ALPHA (a p-value that underflowed counts). */
bool rp_significant(const struct est_contrast *c);
/* "81,4" or "–" (numfmt_dec1); "dd/mm/yyyy" from an ISO date ("" stays ""). */
const char *rp_num(char *buf, size_t len, double v);
const char *rp_date(char *buf, size_t len, const char *iso);
/* A confidence level as a percentage: "95", or "97,5". */
const char *rp_pct(char *buf, size_t len, double confidence);
/* "= 0,023", "< 0,001", or "= –" (numfmt_p after its sign). */
const char *rp_p(char *buf, size_t len, double p);
/* "+2,1 ▲" / "-3,0 ▼" (significant) or "+0,4": a difference with its direction when significant. */
const char *rp_diff(char *buf, size_t len, double diff, bool significant);
/* True when the estimate carries a reliability flag the reader must see. */
bool rp_flagged(const struct est_estimate *e);

/* A row of a table: ncols cells at the columns' x and width, in font f (cell 0 left, the rest
 * right-aligned unless left; cut with "…" when f is one_line, else wrapped); shade paints the
 * row's background. Returns the row's height. */
struct rp_col {
	double x, w;
	bool left;
};
double rp_row(struct rp *p, const struct rp_col *cols, size_t ncols, const char *const *cells, const struct rd_font *f,
	      bool shade);

/* The pages. */
void rp_cover(struct rp *p);
void rp_summary(struct rp *p);
void rp_ranking(struct rp *p);
void rp_elements(struct rp *p);
void rp_agency(struct rp *p, const struct report_agency *a);
void rp_annex(struct rp *p);
