/* upload.h - the paper-upload pipeline that the API and `sipas upload` share.
 *
 * Bytes of a responses file (docs/formats.md) go in chunk by chunk: they are hashed (SHA-256 of
 * the whole file), read and checked row by row against the round's form (respcsv), each row's
 * agency is checked against the round and the caller's scope, and every valid row is streamed
 * to PostgreSQL (COPY) inside one transaction. upload_finish then checks what only the
 * database knows (the same file stored before, serials already stored) and commits - or, when
 * any row was invalid or it is a dry run, rolls back. Memory stays bounded whatever the size of
 * the file: at most UPLOAD_MAX_ERRORS errors are kept, and failing rows go to a FILE the
 * caller passes. A workbook (.xlsx) goes through the same checks: its bytes are hashed and kept
 * in a temporary file (a zip is read from its end), and upload_finish reads its first worksheet
 * (xlsx.h) row by row into the same reader; its errors name the sheet's rows (header = 1). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UPLOAD_MAX_ERRORS 1000
#define UPLOAD_CODE_MAX 33          /* agency codes */
#define UPLOAD_XLSX_MAX_BYTES ((uint64_t)256 << 20)   /* a workbook's file */

enum upload_format {
	UPLOAD_CSV,                 /* the responses CSV (docs/formats.md) */
	UPLOAD_XLSX,                /* the same columns in a workbook's first worksheet */
};

struct db_conn;
struct form;
struct upload;

struct upload_opts {
	int survey_id;
	const struct form *form;
	bool dry_run;                   /* check everything, keep nothing */
	bool restricted;                /* a team: rows may only name the agencies below */
	size_t nagencies;
	const char (*agencies)[UPLOAD_CODE_MAX];
	int token_id;                   /* 0 = none (the CLI) */
	const char *actor;              /* token name or user, for the record */
	const char *file_name;          /* or NULL */
	FILE *failed_rows;              /* or NULL: failing rows as CSV with an `error` column */
	enum upload_format format;
};

/* One error, with its row (CSV: 1 = the first data row, 0 = the header or the whole file; a
 * workbook: the sheet's row, 1 = the header, 0 = the whole file). */
struct upload_error {
	long row;
	char column[72];
	char code[32];
	char message[320];              /* English */
	char message_vi[320];           /* Vietnamese */
};

struct upload_result {
	long rows;                      /* data rows read */
	uint64_t bytes;
	long long upload_id;            /* > 0 once stored */
	long long earlier_upload;       /* the same file's earlier upload (upload_finish gave -EEXIST) */
	size_t errors_total;            /* every error found */
	size_t nerrors;                 /* kept: at most UPLOAD_MAX_ERRORS, in row order */
	const struct upload_error *errors;
	uint8_t sha256[32];
};

/* Starts an upload on c (which must stay held until upload_free). Returns 0 and *out, or a
 * negative errno (-ECONNREFUSED: the database; -ENOMEM). */
int upload_new(struct db_conn *c, const struct upload_opts *o, struct upload **out);
/* Reads len more bytes of the file. Returns 0 (invalid rows are not failures: they are
 * recorded), or a negative errno when the upload cannot go on (database gone, memory; -E2BIG:
 * a workbook past UPLOAD_XLSX_MAX_BYTES). */
int upload_feed(struct upload *u, const void *data, size_t len);
/* Ends the file and decides. Returns 0 (stored, or for a dry run valid), -EINVAL (invalid:
 * see the errors; nothing stored), -EEXIST (the same file was stored before: see
 * earlier_upload), or another negative errno (nothing stored). */
int upload_finish(struct upload *u);
/* The counts and errors so far; owned by u. */
const struct upload_result *upload_result(const struct upload *u);
/* Rolls back anything not committed and frees u; u may be NULL. */
void upload_free(struct upload *u);
