/* xlsx.h - reads the first worksheet of an .xlsx workbook as rows of text, streaming, with
 * every size bounded (docs/formats.md, "Responses as a workbook").
 *
 * The workbook is a file (a zip; libzip reads it in xlsx-zip.c) whose XML parts are streamed
 * through expat (xlsx-xml.c): the package relationships name the workbook, the workbook and its
 * relationships name the first worksheet and the shared strings, the styles say which number
 * formats are dates. The worksheet is never held whole: each <row> becomes one struct
 * csv_record (the same record the CSV reader gives) with its cells as text: numbers in their
 * shortest form, dates and times as ISO 8601 (1900 or 1904 date system), booleans TRUE/FALSE,
 * shared and inline strings, a formula's cached value; spaces and tabs around a cell trimmed.
 * rec->row is the sheet's row number less one (0 = the header, row 1 of the sheet, always
 * delivered, with one empty cell at least); rows missing from the sheet or without a cell are
 * not delivered. A DOCTYPE or an entity declaration anywhere, a
 * member that inflates past its limit or past the compression ratio, a cell past the column
 * limit, a row past the row limit, an overlong string: each stops the reader with an error held
 * as data (struct xlsx_error). No I/O but reading the file; no logging. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "csv.h"

#define XLSX_DEFAULT_FILE_BYTES     ((uint64_t)256 << 20)
#define XLSX_DEFAULT_MEMBER_BYTES   ((uint64_t)1 << 30)   /* inflated XML of one part */
#define XLSX_DEFAULT_RATIO          200                   /* inflated / compressed bytes of a part */
#define XLSX_DEFAULT_ROWS           1048576               /* Excel's own limit */
#define XLSX_DEFAULT_SHARED_COUNT   1048576               /* shared strings */
#define XLSX_DEFAULT_SHARED_BYTES   ((size_t)32 << 20)    /* their text, in all */
#define XLSX_DEFAULT_STYLES         65536                 /* cell formats (cellXfs) */
#define XLSX_DEFAULT_ENTRIES        10000                 /* members of the zip */

struct xlsx_limits {
	uint64_t max_file_bytes;     /* 0 = XLSX_DEFAULT_FILE_BYTES */
	uint64_t max_member_bytes;   /* 0 = XLSX_DEFAULT_MEMBER_BYTES */
	unsigned max_ratio;          /* 0 = XLSX_DEFAULT_RATIO; parts below 1 MiB inflated are exempt */
	long max_rows;               /* the highest sheet row number; 0 = XLSX_DEFAULT_ROWS */
	size_t max_shared_count;     /* 0 = XLSX_DEFAULT_SHARED_COUNT */
	size_t max_shared_bytes;     /* 0 = XLSX_DEFAULT_SHARED_BYTES */
	struct csv_limits cells;     /* cell bytes, cells per row (the highest column), row bytes: as CSV */
};

struct xlsx_error {
	const char *code;      /* "not_xlsx", "encrypted", "no_worksheet", "bad_workbook", "zip_bomb",
	                        * "xml_entities", "too_many_rows", "too_many_columns", "field_too_long",
	                        * "record_too_long", "too_many_strings", "cell_error", "encoding",
	                        * "too_large", "stopped" (the callback returned < 0), "memory", "io" */
	long row;              /* the sheet's row number (1 = the header), 0 when not about a row */
	size_t column;         /* 1-based column, 0 when not about one cell */
	char column_name[72];  /* the header's name of that column, "" when unknown */
	char message[256];     /* English, naming the row and column */
	char message_vi[256];  /* Vietnamese, for the team that keyed the sheet */
};

/* Called for each row; a negative return stops the reader and is returned by xlsx_read. */
typedef int (*xlsx_row_fn)(void *userdata, const struct csv_record *rec);

/* Reads the first worksheet of the workbook in file descriptor fd (read with pread from
 * offset 0; not closed). Returns 0; -EINVAL (not a workbook, a bad one, a hostile one), -E2BIG
 * (a limit), -ENOMEM, -EIO, or the callback's negative value; err (may be NULL) says why. */
int xlsx_read(int fd, const struct xlsx_limits *limits, xlsx_row_fn fn, void *userdata,
	      struct xlsx_error *err);

/* Returns 1 when the first n bytes of a file look like a workbook: a zip, or the OLE container
 * in which Excel keeps an encrypted one; else 0. */
int xlsx_sniff(const void *head, size_t n);

/* Writes the spreadsheet column name of 1-based column col ("A", "AB", ...) into out (at least
 * 8 bytes). */
void xlsx_column_name(size_t col, char out[8]);
