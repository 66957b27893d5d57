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
/* One cell of the estimates table, as est_report_cells hands it out. */
enum est_cell_kind {
	EST_CELL_TEXT,      /* text */
	EST_CELL_CODE,      /* an answer code of a by= question, as text */
	EST_CELL_INTEGER,   /* number: a count */
	EST_CELL_NUMBER,    /* number: a figure; not finite = an empty cell */
	EST_CELL_END,       /* the end of a row */
};
struct est_cell {
	enum est_cell_kind kind;
	const char *text;   /* TEXT, CODE (may be NULL: an empty cell) */
	double number;      /* INTEGER, NUMBER */
};
typedef int (*est_cell_fn)(void *ud, const struct est_cell *c);

/* Calls fn for every cell of the estimates table, a header row then one row per group ×
 * estimate, each row ended by EST_CELL_END; returns 0 or fn's negative return. */
int est_report_cells(const struct est_report *r, est_cell_fn fn, void *ud);
/* Appends that table as CSV (a text cell that could be read as a formula gets a leading
 * apostrophe, docs/formats.md); returns 0 or a negative errno. */
int est_report_csv(struct strbuf *sb, const struct est_report *r);
