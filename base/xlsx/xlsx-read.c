/* xlsx-read.c - the first worksheet of a workbook as rows of text: finds the parts (package and
 * workbook relationships), reads the date system, styles and shared strings, then the sheet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx-rd.h"

/* ---- errors ---- */

/* Fills the error about a cell (or a row, col 0) with the column's header name. */
int rd_cell_fail(struct rd *d, int r, const char *code, const char *en, const char *vi)
{
	char letters[8], where[96], where_vi[96], m[256], mv[256];
	const char *name = d->col > 0 && d->col <= d->nheader ? d->header.buf + d->hoff[d->col - 1] : "";

	xlsx_column_name(d->col, letters);
	if (d->col == 0)
		snprintf(where, sizeof where, "row %ld", d->row), snprintf(where_vi, sizeof where_vi, "dòng %ld", d->row);
	else if (*name)
		snprintf(where, sizeof where, "row %ld, column %.40s (%s)", d->row, name, letters),
		snprintf(where_vi, sizeof where_vi, "dòng %ld, cột %.40s (%s)", d->row, name, letters);
	else
		snprintf(where, sizeof where, "row %ld, column %s", d->row, letters),
		snprintf(where_vi, sizeof where_vi, "dòng %ld, cột %s", d->row, letters);
	snprintf(m, sizeof m, "%s: %s", where, en);
	snprintf(mv, sizeof mv, "%s: %s", where_vi, vi);
	xlsx_fail(d->err, code, d->row, d->col, m, mv);
	if (d->err)
		snprintf(d->err->column_name, sizeof d->err->column_name, "%s", *name ? name : letters);
	return r;
}

int rd_part_fail(struct rd *d, int r, const char *code, const char *en, const char *vi)
{
	xlsx_fail(d->err, code, 0, 0, en, vi);
	return r;
}

int rd_too_long(struct rd *d)
{
	char en[128], vi[128];

	snprintf(en, sizeof en, "a text is longer than %zu bytes", d->lim.cells.max_field_bytes);
	snprintf(vi, sizeof vi, "một ô có nội dung dài quá %zu byte", d->lim.cells.max_field_bytes);
	return rd_cell_fail(d, -E2BIG, "field_too_long", en, vi);
}

/* ---- the whole ---- */

static int parse(struct rd *d, const char *part, enum part kind)
{
	static const struct xml_handlers h[] = {
		[P_RELS] = { rd_rels_start, NULL, NULL },
		[P_WORKBOOK] = { rd_workbook_start, NULL, NULL },
		[P_STYLES] = { rd_styles_start, rd_styles_end, NULL },
		[P_STRINGS] = { rd_strings_start, rd_strings_end, rd_strings_text },
		[P_SHEET] = { rd_sheet_start, rd_sheet_end, rd_sheet_text },
	};

	return xml_parse_member(d->z, part, &h[kind], d, d->err);
}

static void limits_fill(struct xlsx_limits *l, const struct xlsx_limits *in)
{
	if (in)
		*l = *in;
	if (!l->max_file_bytes)
		l->max_file_bytes = XLSX_DEFAULT_FILE_BYTES;
	if (!l->max_member_bytes)
		l->max_member_bytes = XLSX_DEFAULT_MEMBER_BYTES;
	if (!l->max_ratio)
		l->max_ratio = XLSX_DEFAULT_RATIO;
	if (!l->max_rows)
		l->max_rows = XLSX_DEFAULT_ROWS;
	if (!l->max_shared_count)
		l->max_shared_count = XLSX_DEFAULT_SHARED_COUNT;
	if (!l->max_shared_bytes)
		l->max_shared_bytes = XLSX_DEFAULT_SHARED_BYTES;
	if (!l->cells.max_field_bytes)
		l->cells.max_field_bytes = CSV_DEFAULT_FIELD_BYTES;
	if (!l->cells.max_fields)
		l->cells.max_fields = CSV_DEFAULT_FIELDS;
	if (!l->cells.max_record_bytes)
		l->cells.max_record_bytes = CSV_DEFAULT_RECORD_BYTES;
}

/* Finds the workbook, its first worksheet, shared strings and styles. */
static int discover(struct rd *d)
{
	char rels[PATH_MAX_XLSX];
	int r;

	d->base[0] = '\0';
	r = parse(d, "_rels/.rels", P_RELS);
	if (r < 0 && r != -ENOENT)
		return r;
	if (!d->workbook[0])
		snprintf(d->workbook, sizeof d->workbook, "xl/workbook.xml");
	r = parse(d, d->workbook, P_WORKBOOK);
	if (r == -ENOENT)
		return rd_part_fail(d, -EINVAL, "no_worksheet", "the file is a zip but holds no workbook",
				 "Tệp không chứa bảng tính Excel nào.");
	if (r < 0)
		return r;
	d->strings[0] = d->styles[0] = '\0';
	d->sheet_pos = d->nrids;
	rd_folder_of(d->workbook, d->base);
	if ((r = rd_rels_of(d->workbook, rels)) < 0 || ((r = parse(d, rels, P_RELS)) < 0 && r != -ENOENT))
		return r;
	if (!d->sheet[0] || !xzip_has(d->z, d->sheet))
		return rd_part_fail(d, -EINVAL, "no_worksheet", "the workbook has no worksheet",
				 "Tệp bảng tính không có trang tính (worksheet) nào.");
	return 0;
}

int xlsx_read(int fd, const struct xlsx_limits *limits, xlsx_row_fn fn, void *userdata,
	      struct xlsx_error *err)
{
	struct rd d = { .fn = fn, .ud = userdata, .err = err };
	size_t nf;
	int r;

	if (err)
		memset(err, 0, sizeof *err);
	limits_fill(&d.lim, limits);
	nf = d.lim.cells.max_fields + 1;
	strbuf_init(&d.sst, d.lim.max_shared_bytes);
	strbuf_init(&d.cell, d.lim.cells.max_field_bytes + 1);
	strbuf_init(&d.text, d.lim.cells.max_field_bytes + 64);
	strbuf_init(&d.rowbuf, d.lim.cells.max_record_bytes + nf + 1);
	strbuf_init(&d.header, d.lim.cells.max_record_bytes + nf + 1);
	d.rids = calloc(MAX_SHEETS, sizeof *d.rids);
	d.numfmts = calloc(MAX_NUMFMTS, sizeof *d.numfmts);
	d.off = calloc(nf, sizeof *d.off);
	d.hoff = calloc(nf, sizeof *d.hoff);
	d.lens = calloc(nf, sizeof *d.lens);
	d.fields = calloc(nf, sizeof *d.fields);
	r = -ENOMEM;
	if (!d.rids || !d.numfmts || !d.off || !d.hoff || !d.lens || !d.fields)
		goto out;
	if ((r = xzip_open(fd, &d.lim, &d.z, err)) < 0 || (r = discover(&d)) < 0)
		goto out;
	if (d.styles[0] && (r = parse(&d, d.styles, P_STYLES)) < 0 && r != -ENOENT)
		goto out;
	if (d.strings[0] && (r = parse(&d, d.strings, P_STRINGS)) < 0 && r != -ENOENT)
		goto out;
	r = parse(&d, d.sheet, P_SHEET);
out:
	if (r == -ENOMEM && err && !err->code)
		xlsx_fail(err, "memory", 0, 0, "out of memory", "Hết bộ nhớ.");
	xzip_close(d.z);
	strbuf_done(&d.sst);
	strbuf_done(&d.cell);
	strbuf_done(&d.text);
	strbuf_done(&d.rowbuf);
	strbuf_done(&d.header);
	free(d.sst_off);
	free(d.xf_kind);
	free(d.rids);
	free(d.numfmts);
	free(d.off);
	free(d.hoff);
	free(d.lens);
	free(d.fields);
	return r;
}
