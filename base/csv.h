/* csv.h - a streaming push parser for RFC 4180 CSV with bounded memory (docs/formats.md).
 *
 * Feed the bytes in chunks of any size; each complete record goes to a callback. The first
 * record is the header (row 0); data rows count from 1. The separator is taken from the header
 * line: ';' when it has a ';' and no ',' outside quotes, else ','. A leading UTF-8 BOM is
 * skipped; lines end in CRLF, LF or CR; empty lines are skipped (but counted in row numbers
 * after the header); spaces and tabs around unquoted cells are trimmed; quoted cells may hold
 * "" and line breaks. Invalid UTF-8, NUL bytes, unclosed quotes and sizes past the limits stop
 * the reader with an error held as data (csv_reader_error). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define CSV_DEFAULT_FIELD_BYTES  ((size_t)64 << 10)
#define CSV_DEFAULT_FIELDS       2000
#define CSV_DEFAULT_RECORD_BYTES ((size_t)1 << 20)

struct csv_limits {
	size_t max_field_bytes;    /* bytes of one cell; 0 = CSV_DEFAULT_FIELD_BYTES */
	size_t max_fields;         /* cells of one record; 0 = CSV_DEFAULT_FIELDS */
	size_t max_record_bytes;   /* bytes of one record; 0 = CSV_DEFAULT_RECORD_BYTES */
};

struct csv_record {
	long row;                      /* 0 = the header, 1 = the first data row */
	long line;                     /* the line of the file the record starts on (1-based) */
	size_t nfields;
	const char *const *fields;     /* NUL-terminated copies, valid during the callback only */
	const size_t *lens;            /* byte lengths of the fields */
	const char *ahead;             /* the input after this record's line end, when the reader holds it */
	size_t ahead_len;              /* (a hint to prefetch for the next record: NULL and 0 when unknown) */
};

struct csv_error {
	const char *code;   /* "encoding", "nul", "quote", "field_too_long", "too_many_fields",
	                     * "record_too_long", "stopped" (the callback returned < 0), "memory" */
	long row;           /* as struct csv_record counts */
	long line;          /* 1-based line of the file */
	size_t column;      /* 1-based cell number, 0 when the error is not about one cell */
	char message[256];  /* English, naming the row and column */
};

/* Called for each record; a negative return stops the reader and is returned by feed/finish. */
typedef int (*csv_record_fn)(void *userdata, const struct csv_record *rec);

struct csv_reader;

/* Returns a new reader (free with csv_reader_free), or NULL when out of memory. limits may be NULL. */
struct csv_reader *csv_reader_new(const struct csv_limits *limits, csv_record_fn fn, void *userdata);
/* Parses len more bytes. Returns 0; -EINVAL (bad data), -E2BIG (a limit), -ENOMEM, or the
 * callback's negative value, after which the reader refuses more input and csv_reader_error says why. */
int csv_reader_feed(struct csv_reader *r, const void *buf, size_t len);
/* Ends the input, delivering a last record without a line end. Returns as csv_reader_feed. */
int csv_reader_finish(struct csv_reader *r);
/* Returns the error that stopped the reader, or NULL. Owned by the reader. */
const struct csv_error *csv_reader_error(const struct csv_reader *r);
/* Returns the separator, or 0 while the header line is incomplete. */
char csv_reader_separator(const struct csv_reader *r);
/* Frees a reader; r may be NULL. */
void csv_reader_free(struct csv_reader *r);

/* Appends n bytes of s as one CSV cell, quoted when it holds sep, a quote, a line break or
 * surrounding spaces; returns 0 or a negative errno. */
int csv_write_field(struct strbuf *sb, const char *s, size_t n, char sep);
/* True when a text cell of n bytes at s begins with a character that makes a spreadsheet read
 * it as a formula: '=', '+', '-', '@', a tab or a carriage return. */
bool csv_formula_start(const char *s, size_t n);
/* As csv_write_field for a text cell of an export: one that csv_formula_start flags is written
 * with a leading apostrophe, so that a spreadsheet shows it as text (docs/formats.md). */
int csv_write_text(struct strbuf *sb, const char *s, size_t n, char sep);
