/* statfile.h - writing SPSS (.sav) and Stata (.dta, format 118 = Stata 14) data files: the one
 * home of libreadstat.
 *
 * The variables, their labels and value labels, and the number of rows are given up front
 * (both formats put the row count in the file's header); rows are then added one at a time
 * and every byte the library produces goes straight to a caller's sink, so nothing but the
 * header's metadata is held in memory. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum statfile_format { STATFILE_SAV, STATFILE_DTA };

#define STATFILE_DTA_STR_MAX   2045    /* bytes of a Stata str# variable */
#define STATFILE_SAV_STR_MAX   32767   /* bytes of an SPSS string variable */

struct statfile_value_label {
	int code;
	const char *label;
};

struct statfile_var {
	const char *name;               /* [A-Za-z][A-Za-z0-9_.]*: '.' becomes '_' in .dta */
	const char *label;              /* may be NULL; cut to the format's length */
	bool numeric;                   /* else a string of width bytes */
	size_t width;                   /* strings: the longest value's bytes (at least 1); in .dta
	                                 * at most STATFILE_DTA_STR_MAX, longer values cut there */
	size_t nlabels;                 /* numeric: value labels (integer codes) */
	const struct statfile_value_label *labels;
};

/* Receives the file's bytes in order; returns 0 or a negative errno (which ends the writing). */
typedef int (*statfile_sink)(void *ud, const void *data, size_t len);

struct statfile;

/* Starts a file of nrows rows with these variables (the header goes to sink with the first
 * row, or at statfile_end when there are none). Returns
 * 0 and *out, -EINVAL with a message in err (a name the format refuses, two names that are one
 * in .dta, a string too wide for the format), or a negative errno. */
int statfile_begin(enum statfile_format fmt, const char *file_label, const struct statfile_var *vars,
		   size_t nvars, long nrows, statfile_sink sink, void *ud, struct statfile **out,
		   char *err, size_t errlen);
/* Adds one row: values[i] is variable i's value as text (a number in C syntax for numeric
 * variables), NULL for none (system missing). Returns 0 or a negative errno (-EINVAL: a
 * numeric value that is not a number, or more rows than announced). */
int statfile_row(struct statfile *w, const char *const *values);
/* Ends the file (every announced row must have been added); returns 0 or a negative errno. */
int statfile_end(struct statfile *w);
/* Frees w, finished or not; w may be NULL. */
void statfile_free(struct statfile *w);
