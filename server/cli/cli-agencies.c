/* cli-agencies.c - `sipas agencies import FILE.csv`: upsert agencies, all or nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "csv.h"
#include "db-agencies.h"
#include "db.h"

#define AGENCIES_MAX 20000
#define AGENCY_ERRORS_SHOWN 50

enum { COL_CODE, COL_NAME, COL_LEVEL, COL_PARENT, NCOLS };
static const char *const col_names[NCOLS] = { "code", "name", "level", "parent" };

struct import {
	const char *file;
	int col[NCOLS];              /* file column of each field, -1 = absent */
	char *header[64];            /* the header's names, for messages */
	size_t nheader;
	struct db_agency *rows;
	char **strings;              /* owned copies: NCOLS per row */
	size_t n;
	size_t errors;
};

static void row_error(struct import *im, long row, const char *column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void row_error(struct import *im, long row, const char *column, const char *fmt, ...)
{
	va_list ap;

	if (im->errors++ >= AGENCY_ERRORS_SHOWN)
		return;
	if (row > 0)
		fprintf(stderr, "%s: row %ld: column %s: ", im->file, row, column);
	else
		fprintf(stderr, "%s: header: ", im->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int valid_code(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

static int on_header(struct import *im, const struct csv_record *rec)
{
	size_t i;
	int k;

	for (k = 0; k < NCOLS; k++)
		im->col[k] = -1;
	for (i = 0; i < rec->nfields && i < 64; i++) {
		im->header[im->nheader++] = strdup(rec->fields[i]);
		for (k = 0; k < NCOLS; k++)
			if (!strcmp(rec->fields[i], col_names[k]))
				break;
		if (k == NCOLS) {
			row_error(im, 0, NULL, "unknown column '%s' (expected code,name,level,parent)", rec->fields[i]);
			continue;
		}
		if (im->col[k] >= 0)
			row_error(im, 0, NULL, "column '%s' appears twice", col_names[k]);
		im->col[k] = (int)i;
	}
	for (k = 0; k < NCOLS; k++)
		if (im->col[k] < 0)
			row_error(im, 0, NULL, "missing column '%s' (expected code,name,level,parent)", col_names[k]);
	return im->errors ? -EINVAL : 0;
}

static int on_record(void *ud, const struct csv_record *rec)
{
	struct import *im = ud;
	const char *v[NCOLS];
	size_t i;
	int k;

	if (rec->row == 0)
		return on_header(im, rec);
	if (im->n == AGENCIES_MAX) {
		row_error(im, rec->row, "code", "more than %d agencies", AGENCIES_MAX);
		return -E2BIG;
	}
	if (rec->nfields != im->nheader) {
		row_error(im, rec->row, "-", "%zu cells where the header has %zu", rec->nfields, im->nheader);
		return 0;
	}
	for (k = 0; k < NCOLS; k++)
		v[k] = rec->fields[im->col[k]];
	if (!valid_code(v[COL_CODE]))
		row_error(im, rec->row, "code", "'%s' is not a code (1-32 letters, digits, '_', '.', '-')", v[COL_CODE]);
	if (!*v[COL_NAME] || strlen(v[COL_NAME]) > 300)
		row_error(im, rec->row, "name", "a name of 1 to 300 bytes is required");
	if (strcmp(v[COL_LEVEL], "province") && strcmp(v[COL_LEVEL], "department") && strcmp(v[COL_LEVEL], "commune"))
		row_error(im, rec->row, "level", "'%s' is not a level (province, department or commune)", v[COL_LEVEL]);
	if (*v[COL_PARENT] && !valid_code(v[COL_PARENT]))
		row_error(im, rec->row, "parent", "'%s' is not a code", v[COL_PARENT]);
	for (i = 0; i < im->n; i++)
		if (!strcmp(im->rows[i].code, v[COL_CODE]))
			row_error(im, rec->row, "code", "'%s' appears twice (first in row %zu)", v[COL_CODE], i + 1);
	if (im->errors)
		return 0;
	for (k = 0; k < NCOLS; k++)
		if (!(im->strings[im->n * NCOLS + (size_t)k] = strdup(v[k])))
			return -ENOMEM;
	im->rows[im->n].code = im->strings[im->n * NCOLS + COL_CODE];
	im->rows[im->n].name = im->strings[im->n * NCOLS + COL_NAME];
	im->rows[im->n].level = im->strings[im->n * NCOLS + COL_LEVEL];
	im->rows[im->n].parent = im->strings[im->n * NCOLS + COL_PARENT];
	im->n++;
	return 0;
}

/* Reads and checks the whole file; returns 0, or CLI_USAGE after printing every fault. */
static int read_file(struct import *im)
{
	struct csv_reader *r = NULL;
	char buf[65536];
	size_t n;
	FILE *f;
	int rc = 0;

	f = fopen(im->file, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", im->file, strerror(errno));
		return CLI_USAGE;
	}
	r = csv_reader_new(NULL, on_record, im);
	if (!r) {
		fclose(f);
		return CLI_RUNTIME;
	}
	while (rc >= 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
		rc = csv_reader_feed(r, buf, n);
	if (rc >= 0 && ferror(f)) {
		fprintf(stderr, "%s: %s\n", im->file, strerror(errno));
		rc = -EIO;
	}
	if (rc >= 0)
		rc = csv_reader_finish(r);
	if (rc < 0 && csv_reader_error(r) && strcmp(csv_reader_error(r)->code, "stopped")) {
		const struct csv_error *e = csv_reader_error(r);
		const char *col = e->column >= 1 && e->column <= im->nheader ? im->header[e->column - 1] : NULL;

		if (col)
			fprintf(stderr, "%s: row %ld: column %s: %s\n", im->file, e->row, col, e->message);
		else
			fprintf(stderr, "%s: row %ld: %s\n", im->file, e->row, e->message);
		im->errors++;
	}
	if (!im->errors && rc >= 0 && im->nheader == 0) {
		fprintf(stderr, "%s: the file is empty (expected the header code,name,level,parent)\n", im->file);
		im->errors++;
	}
	csv_reader_free(r);
	fclose(f);
	if (im->errors > AGENCY_ERRORS_SHOWN)
		fprintf(stderr, "%s: %zu errors in all\n", im->file, im->errors);
	if (im->errors || rc == -EINVAL || rc == -E2BIG)
		return CLI_USAGE;
	return rc < 0 ? CLI_RUNTIME : 0;
}

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas agencies import FILE.csv\n\n"
		   "Upserts agencies by code from a CSV file with the header code,name,level,parent\n"
		   "(level: province, department or commune; parent: a code in the file or already\n"
		   "stored, or empty). The whole file is checked first and stored in one transaction:\n"
		   "any bad row and nothing is stored.\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

int cli_agencies(const struct config *cfg, int argc, char **argv)
{
	struct import im;
	struct db_conn *c = NULL;
	size_t bad = 0, i;
	int status, r;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc != 3 || strcmp(argv[1], "import"))
		return usage(stderr);
	memset(&im, 0, sizeof im);
	im.file = argv[2];
	im.rows = calloc(AGENCIES_MAX, sizeof *im.rows);
	im.strings = calloc((size_t)AGENCIES_MAX * NCOLS, sizeof *im.strings);
	if (!im.rows || !im.strings) {
		status = CLI_RUNTIME;
		goto out;
	}
	if ((status = read_file(&im)) != 0)
		goto out;
	if ((status = cli_db_connect(cfg, "agencies import", &c)) != 0)
		goto out;
	r = db_agencies_upsert(c, im.rows, im.n, "cli", &bad);
	if (r == -ENOENT || r == -EINVAL) {
		fprintf(stderr, "%s: row %zu: column %s: %s\n", im.file, bad + 1,
			r == -ENOENT ? "parent" : "code", db_conn_error(c));
		status = CLI_USAGE;
	} else if (r < 0) {
		fprintf(stderr, "sipas agencies import: %s\n", db_conn_error(c));
		status = CLI_RUNTIME;
	} else {
		printf("%d agencies imported\n", r);
		status = CLI_OK;
	}
out:
	db_conn_close(c);
	if (im.strings)
		for (i = 0; i < im.n * NCOLS; i++)
			free(im.strings[i]);
	for (i = 0; i < im.nheader; i++)
		free(im.header[i]);
	free(im.strings);
	free(im.rows);
	return status;
}
