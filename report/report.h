/* report.h - the round's report as an A4 PDF in Vietnamese (docs/api.md, report.pdf): a cover,
 * a one-minute summary, the ranking chart, the elements table, one page per agency and a
 * method annex; or, with `only`, one agency's page alone.
 *
 * The library draws what it is given and reads nothing: the caller computes the estimates
 * (analysis/) and gathers the round's facts. cairo, pango and fontconfig live only in this
 * folder; the fonts are the files of Debian's fonts-dejavu-core, loaded into a private
 * fontconfig configuration so that no other font on the machine can be chosen. The same input
 * gives the same bytes: the PDF's dates are the input's `date`, nothing depends on the clock. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "est-compute.h"
#include "form.h"
#include "strbuf.h"

#define REPORT_MAX_AGENCIES 5000

/* One agency as its page shows it. */
struct report_agency {
	const char *code;
	const char *name;
	const struct est_group *group;     /* this round; NULL when it has no responses */
	const struct est_group *other;     /* the other round; NULL when none */
	long long target;                  /* planned responses; < 0 when the frame gives none */
	long long invited, used;           /* invitations made and used; invited 0 = no invitations */
};

/* One round as the report names it. */
struct report_round {
	const char *code;
	const char *title;
	const struct form *form;
	const struct est_group *whole;     /* the whole round's estimates */
};

struct report_input {
	struct report_round round;
	bool has_other;
	struct report_round other;         /* with has_other: the round compared against */
	const char *period_from, *period_to;   /* ISO dates of the first and last response, or "" */
	const char *date;                  /* the PDF's creation date, ISO ("2026-03-31") */
	bool has_baseline;
	double baseline;
	const char *baseline_label;        /* may be "" */
	double confidence;                 /* of the intervals, such as 0.95 */
	const char *ci_method;             /* "logit", "beta" or "wald" */
	size_t nagencies;                  /* at most REPORT_MAX_AGENCIES */
	const struct report_agency *agencies;  /* with responses in this round, in code order */
	const char *only;                  /* an agency code: that agency's page alone; or NULL */
	const char *only_name;             /* with only: its name (its page when it has no responses) */
};

/* The fonts the renders of a process share, loaded at the first render. */
struct report_fonts;
/* Makes an empty set of fonts (nothing is loaded yet). Returns 0 and *out, or -ENOMEM. */
int report_fonts_new(struct report_fonts **out);
/* Frees fonts (no render may be running); NULL is fine. */
void report_fonts_free(struct report_fonts *fonts);

/* Renders the report into out (appended) with fonts. Returns 0; -ENOENT when the font files are
 * missing; -EINVAL for an input past its limits; -EIO when cairo fails (err gets the reason);
 * -ENOMEM. out may hold part of a document on failure. Thread-safe: renders sharing fonts take
 * turns. */
int report_pdf(struct report_fonts *fonts, const struct report_input *in, struct strbuf *out, char *err,
	       size_t errlen);
