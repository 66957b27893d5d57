/* xlsx-sheet.c - the worksheet, streamed: each <row> becomes one csv_record of its cells' text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx-rd.h"

/* ---- the sheet ---- */

/* Appends an empty cell (a gap in the row). */
static int put_empty(struct rd *d)
{
	d->off[d->nf] = d->rowbuf.len;
	d->lens[d->nf++] = 0;
	return strbuf_putc(&d->rowbuf, '\0');
}

static int emit(struct rd *d, long sheet_row)
{
	struct csv_record rec = { 0 };
	size_t i;
	int r;

	if (d->nf == 0 && sheet_row > 1)
		return 0;              /* a row without a cell is no row */
	if (d->nf == 0 && put_empty(d) < 0)
		return -ENOMEM;        /* a header without a cell: one empty name, as CSV gives */
	for (i = 0; i < d->nf; i++)
		d->fields[i] = d->rowbuf.buf + d->off[i];
	rec.row = sheet_row - 1;
	rec.line = sheet_row;
	rec.nfields = d->nf;
	rec.fields = d->fields;
	rec.lens = d->lens;
	if (sheet_row == 1) {
		/* the header's names, to name columns in errors */
		strbuf_reset(&d->header);
		if (strbuf_append(&d->header, d->rowbuf.buf, d->rowbuf.len) < 0)
			return -ENOMEM;
		memcpy(d->hoff, d->off, d->nf * sizeof *d->off);
		d->nheader = d->nf;
	}
	d->header_sent = true;
	if ((r = d->fn(d->ud, &rec)) < 0) {
		d->col = 0;
		d->row = sheet_row;
		rd_cell_fail(d, r, "stopped", "reading stopped", "dừng đọc");
	}
	return r;
}

static int row_start(struct rd *d, const char **a)
{
	const char *v = xml_attr(a, "r");
	long r = v ? strtol(v, NULL, 10) : d->last_row + 1;
	int k;

	d->row = r;
	d->col = 0;
	if (r <= d->last_row || r < 1)
		return rd_cell_fail(d, -EINVAL, "bad_workbook", "the sheet's rows are out of order",
				 "các dòng của trang tính không theo thứ tự");
	if (r > d->lim.max_rows) {
		char en[128], vi[128];

		snprintf(en, sizeof en, "the sheet has more than %ld rows", d->lim.max_rows);
		snprintf(vi, sizeof vi, "trang tính có quá %ld dòng", d->lim.max_rows);
		return rd_cell_fail(d, -E2BIG, "too_many_rows", en, vi);
	}
	/* the header is row 1, even when the sheet leaves it out */
	if (!d->header_sent && r > 1) {
		d->nf = 0;
		strbuf_reset(&d->rowbuf);
		if ((k = emit(d, 1)) < 0)
			return k;
	}
	d->last_row = r;
	d->last_col = 0;
	d->nf = 0;
	strbuf_reset(&d->rowbuf);
	return 0;
}

static int cell_start(struct rd *d, const char **a)
{
	const char *ref = xml_attr(a, "r"), *t = xml_attr(a, "t"), *s = xml_attr(a, "s");
	size_t xf = s ? (size_t)strtoul(s, NULL, 10) : 0;

	d->in_cell = true;
	strbuf_reset(&d->cell);
	snprintf(d->ref, sizeof d->ref, "%s", ref ? ref : "");
	if (ref)
		d->col = xlsx_ref_column(ref, d->lim.cells.max_fields);
	else
		d->col = d->last_col + 1 <= d->lim.cells.max_fields ? d->last_col + 1 : 0;
	d->ctype = 'n';
	if (t) {
		if (!strcmp(t, "s"))
			d->ctype = 's';
		else if (!strcmp(t, "b"))
			d->ctype = 'b';
		else if (!strcmp(t, "e"))
			d->ctype = 'e';
		else if (!strcmp(t, "str") || !strcmp(t, "inlineStr"))
			d->ctype = 't';
		else if (!strcmp(t, "d"))
			d->ctype = 'd';
	}
	d->ckind = xf < d->nxf ? d->xf_kind[xf] : 0;
	return 0;
}

/* A cell's raw text as its value's text, in d->text. */
static int cell_value(struct rd *d)
{
	const char *v = d->cell.buf ? d->cell.buf : "";
	size_t n = d->cell.len;
	unsigned long idx;
	char *end;
	double serial;
	int r;

	strbuf_reset(&d->text);
	if (n == 0)
		return 0;
	switch (d->ctype) {
	case 's':
		idx = strtoul(v, &end, 10);
		if (end == v || *end || idx >= d->nsst)
			return rd_cell_fail(d, -EINVAL, "bad_workbook", "the cell names a shared string the workbook lacks",
					 "ô tham chiếu một chuỗi văn bản không có trong tệp");
		return strbuf_append(&d->text, d->sst.buf + d->sst_off[idx], d->sst_off[idx + 1] - d->sst_off[idx] - 1);
	case 'b':
		return strbuf_puts(&d->text, v[0] == '1' ? "TRUE" : "FALSE");
	case 'e':
		return rd_cell_fail(d, -EINVAL, "cell_error", "the cell holds a formula error; enter a value",
				 "ô chứa lỗi công thức; hãy nhập giá trị");
	case 't':
		if ((r = strbuf_append(&d->text, v, n)) < 0)
			return r;
		xlsx_unescape(&d->text, 0);
		return 0;
	case 'd':
		return strbuf_append(&d->text, v, n);
	}
	if (d->ckind) {
		serial = strtod(v, &end);
		if (!*end && end != v) {
			if (d->ckind == 3 && serial >= 0 && serial < 1) {
				long long secs = (long long)(serial * 86400.0 + 0.5);

				if (secs >= 86400)
					secs = 86399;
				return strbuf_printf(&d->text, "%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60, secs % 60);
			}
			r = xlsx_put_date(&d->text, serial, d->date1904, d->ckind == 2);
			if (r != -EINVAL)
				return r;
			strbuf_reset(&d->text);
		}
	}
	r = xlsx_put_number(&d->text, v, n);
	if (r == -EINVAL)
		return rd_cell_fail(d, r, "bad_workbook", "the cell's number cannot be read", "không đọc được số trong ô");
	return r;
}

static int cell_end(struct rd *d)
{
	const char *s;
	size_t n;
	int r;

	d->in_cell = false;
	if ((r = cell_value(d)) < 0)
		return r;
	s = d->text.buf ? d->text.buf : "";
	n = d->text.len;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;          /* an empty cell, however styled or far, is no cell */
	if (d->col == 0) {
		char en[128], vi[128];

		snprintf(en, sizeof en, "the cell %s lies past column %zu, the limit", d->ref, d->lim.cells.max_fields);
		snprintf(vi, sizeof vi, "ô %s nằm ngoài cột thứ %zu (giới hạn)", d->ref, d->lim.cells.max_fields);
		return rd_cell_fail(d, -E2BIG, "too_many_columns", en, vi);
	}
	if (d->col <= d->last_col)
		return rd_cell_fail(d, -EINVAL, "bad_workbook", "the row's cells are out of order",
				 "các ô của dòng không theo thứ tự");
	if (d->rowbuf.len + (d->col - d->nf) + n > d->lim.cells.max_record_bytes) {
		char en[128], vi[128];

		snprintf(en, sizeof en, "the row is longer than %zu bytes", d->lim.cells.max_record_bytes);
		snprintf(vi, sizeof vi, "dòng dài quá %zu byte", d->lim.cells.max_record_bytes);
		return rd_cell_fail(d, -E2BIG, "record_too_long", en, vi);
	}
	while (d->nf + 1 < d->col)
		if (put_empty(d) < 0)
			return -ENOMEM;
	d->off[d->nf] = d->rowbuf.len;
	d->lens[d->nf++] = n;
	d->last_col = d->col;
	if (strbuf_append(&d->rowbuf, s, n) < 0 || strbuf_putc(&d->rowbuf, '\0') < 0)
		return -ENOMEM;
	return 0;
}

int rd_sheet_start(void *ud, const char *name, const char **a)
{
	struct rd *d = ud;

	if (!d->in_data) {
		if (!strcmp(name, "sheetData"))
			d->in_data = true;
		return 0;
	}
	switch (name[0]) {
	case 'r':
		if (!strcmp(name, "row"))
			return row_start(d, a);
		if (!strcmp(name, "rPh"))
			d->in_phonetic = true;
		break;
	case 'c':
		if (!name[1])
			return cell_start(d, a);
		break;
	case 'v':
		if (!name[1])
			d->in_v = true;
		break;
	case 'i':
		if (!strcmp(name, "is"))
			d->in_is = true;
		break;
	case 't':
		if (!name[1] && d->in_is && !d->in_phonetic)
			d->in_v = true;      /* an inline string's text (its runs' too) */
		break;
	}
	return 0;
}

int rd_sheet_text(void *ud, const char *s, size_t n)
{
	struct rd *d = ud;

	if (!d->in_v)
		return 0;
	if (d->cell.len + n > d->lim.cells.max_field_bytes)
		return rd_too_long(d);
	return strbuf_append(&d->cell, s, n);
}

int rd_sheet_end(void *ud, const char *name)
{
	struct rd *d = ud;

	if (!d->in_data)
		return 0;
	switch (name[0]) {
	case 'r':
		if (!strcmp(name, "row"))
			return emit(d, d->row);
		if (!strcmp(name, "rPh"))
			d->in_phonetic = false;
		break;
	case 'c':
		if (!name[1] && d->in_cell)
			return cell_end(d);
		break;
	case 'v': case 't':
		if (!name[1])
			d->in_v = false;
		break;
	case 'i':
		if (!strcmp(name, "is"))
			d->in_is = false;
		break;
	case 's':
		if (!strcmp(name, "sheetData"))
			d->in_data = false;
		break;
	}
	return 0;
}

