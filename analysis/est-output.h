/* est-output.h - the estimates document of docs/formats.md (estimates JSON), as JSON or as
 * CSV (one row per group × estimate with the same fields). Shared by `sipas analyze` and the server. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "est-compute.h"
#include "est-options.h"
#include "strbuf.h"

/* One group as reported: its results and the values of the --by columns. */
struct est_report_group {
	const struct est_group *group;
	const char *const *by_values;   /* nby values (NULL only for the whole survey) */
};

struct est_report {
	const struct form *form;
	const struct est_options *options;
	const char *baseline_label;      /* may be NULL */
	size_t nby;
	const char *const *by_names;     /* the --by columns */
	const bool *by_numeric;          /* nby: the values are answer codes, written as JSON numbers */
	size_t ngroups;
	const struct est_report_group *groups;   /* in output order; the whole survey first */
};

/* The id and the label of estimate what (an index below f->nindices, else an item in
 * f->items order), as the documents name it. */
const char *est_id(const struct form *f, size_t what);
const char *est_label(const struct form *f, size_t what);
/* Appends the member "by": {name: value...} of a group (values NULL: the whole survey, {});
 * numeric values are written as JSON numbers. Returns 0 or a negative errno. */
int est_report_by_json(struct strbuf *sb, size_t nby, const char *const *names, const bool *numeric,
		       const char *const *values);
/* Appends the JSON document (one line, then "\n"); returns 0 or a negative errno. */
int est_report_json(struct strbuf *sb, const struct est_report *r);
/* Appends a header row and one CSV row per group × estimate; returns 0 or a negative errno. */
int est_report_csv(struct strbuf *sb, const struct est_report *r);
