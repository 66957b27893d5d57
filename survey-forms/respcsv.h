/* respcsv.h - reads a responses file (docs/formats.md) against a form, streaming on top of csv.h.
 *
 * The header maps columns: the design columns serial, agency, channel, stratum, psu, weight,
 * fpc, submitted_at, and question ids (an unknown or repeated column stops the reader after
 * every header fault is reported). Each data row is checked completely; a valid row goes to
 * on_row, an invalid one to on_error once per fault. Memory stays bounded whatever the file's
 * size: one row at a time, plus the serials seen (at most max_serials). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "form.h"
#include "strbuf.h"

#define RESPCSV_MAX_SERIALS  2000000    /* default bound of the duplicate-serial set */
#define RESPCSV_MAX_VALUE    64         /* bytes of a serial, stratum or psu */

struct respcsv_options {
	const char *default_channel;   /* for a blank channel: a code of channel.h; NULL = FORM_CHANNEL_DEFAULT */
	bool require_serial;           /* uploads: every row needs a serial (missing_serial) */
	bool want_json;                /* fill respcsv_row.answers_json (off for the estimator's speed) */
	bool json_uncoded;             /* with want_json: only the answers codes[] does not hold, and
	                                * answers_json NULL when there are none */
	size_t max_serials;            /* distinct serials remembered; 0 = RESPCSV_MAX_SERIALS; past it: too_many_rows */
	size_t max_errors;             /* errors passed to on_error; later ones are only counted; 0 = all */
	long row_offset;               /* added to the rows that messages name (1 for a workbook's rows,
	                                * whose header is row 1); 0 = the CSV's data rows */
	unsigned long long input_bytes;   /* the input's size when known, 0 = unknown: a hint that lets
	                                   * the serial set take its size at once (from the rows so far) */
	struct csv_limits csv;         /* zero members = csv.h defaults */
};

/* A valid row. Pointers are valid during the callback only. */
struct respcsv_row {
	long row;                  /* 1 = the first data row */
	const char *serial;        /* NULL when blank */
	const char *agency;
	const char *channel;       /* a form_channels[] code */
	const char *stratum;       /* the agency when blank */
	const char *psu;           /* NULL when blank (each response its own PSU) */
	double weight;             /* NAN when blank; else positive and finite */
	double fpc;                /* NAN when blank; else >= 1 */
	const char *submitted_at;  /* as written (a valid ISO-8601 date or timestamp), or NULL */
	const int16_t *codes;      /* form->nslots codes in slot order, FORM_NO_ANSWER when blank */
	const char *answers_json;  /* with want_json: the normalized answers object, else NULL */
	size_t answers_json_len;
};

/* One fault. Strings are valid during the callback only. */
struct respcsv_error {
	long row;                  /* 0 = the header, 1 = the first data row */
	const char *column;        /* the column's name (or question id); "" for the row or the file */
	const char *code;          /* "out_of_range", "required", "not_asked", "invalid_code", ... */
	const char *message;       /* English */
	const char *message_vi;    /* Vietnamese */
	size_t index, count;       /* this is fault index (from 0) of count faults of the row */
	const struct csv_record *raw;   /* the row's cells as read, or NULL for a fault of the file */
};

/* Callbacks return 0 to go on, or a negative errno to stop (returned by feed/finish). */
typedef int (*respcsv_row_fn)(void *userdata, const struct respcsv_row *row);
typedef int (*respcsv_error_fn)(void *userdata, const struct respcsv_error *err);

struct respcsv_stats {
	long rows;                 /* data rows read (blank rows skipped) */
	long valid;                /* rows passed to on_row */
	long invalid;              /* rows with at least one fault */
	size_t errors;             /* faults found, reported or not */
};

struct respcsv;

/* Returns a reader of responses to form f (which must outlive it), or NULL when out of memory
 * or when opt->default_channel is not a channel. opt and the callbacks may be NULL. */
struct respcsv *respcsv_new(const struct form *f, const struct respcsv_options *opt,
	respcsv_row_fn on_row, respcsv_error_fn on_error, void *userdata);
/* Parses len more bytes. Returns 0 (invalid rows included: see on_error and the stats);
 * -EINVAL for a fault of the file (encoding, quoting, header), -E2BIG past a limit, -ENOMEM,
 * or a callback's negative value; every later call returns the same. */
int respcsv_feed(struct respcsv *rc, const void *buf, size_t len);
/* Checks one record read by another reader (a workbook's row, xlsx.h): rec->row 0 is the header,
 * then data rows in order (gaps allowed); the same checks as for a CSV line. Returns as
 * respcsv_feed. Do not mix with respcsv_feed on one reader. */
int respcsv_feed_record(struct respcsv *rc, const struct csv_record *rec);
/* Ends the input; returns as respcsv_feed (-EINVAL for a file without a header). */
int respcsv_finish(struct respcsv *rc);
/* Copies the counts so far into *out. */
void respcsv_get_stats(const struct respcsv *rc, struct respcsv_stats *out);
/* Frees a reader; rc may be NULL. */
void respcsv_free(struct respcsv *rc);

/* Appends the header of a responses file for form f: the design columns, then every question
 * id in form order, then a line end; returns 0 or a negative errno. */
int respcsv_write_header(struct strbuf *sb, const struct form *f, char sep);
