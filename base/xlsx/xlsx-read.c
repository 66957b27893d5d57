/* xlsx-read.c - the first worksheet of a workbook as rows of text: package and workbook
 * relationships, the date system, styles, shared strings, then the sheet, one row at a time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx-int.h"

#define PATH_MAX_XLSX   256
#define RID_MAX         64
#define MAX_SHEETS      1024
#define MAX_NUMFMTS     4096

enum part { P_NONE, P_RELS, P_WORKBOOK, P_STYLES, P_STRINGS, P_SHEET };

struct rd {
	struct xzip *z;
	struct xlsx_limits lim;
	struct xlsx_error *err;
	xlsx_row_fn fn;
	void *ud;

	/* discovery */
	char base[PATH_MAX_XLSX];          /* folder of the part whose relationships are read */
	char workbook[PATH_MAX_XLSX];
	char sheet[PATH_MAX_XLSX], strings[PATH_MAX_XLSX], styles[PATH_MAX_XLSX];
	char (*rids)[RID_MAX];             /* the workbook's sheets, in order */
	size_t nrids;
	size_t sheet_pos;                  /* position of the worksheet found so far in rids */
	bool date1904;

	/* styles */
	bool in_numfmts, in_cellxfs;
	struct { int id; unsigned char kind; } *numfmts;
	size_t nnumfmts;
	unsigned char *xf_kind;            /* per cell format: xlsx_format_kind */
	size_t nxf, cap_xf;

	/* shared strings */
	struct strbuf sst;                 /* the strings, NUL-terminated, one after another */
	uint32_t *sst_off;                 /* nsst + 1 offsets */
	size_t nsst, cap_sst;
	bool in_si, in_t, in_rph;

	/* the sheet */
	bool in_data, in_cell, in_v, in_is, in_phonetic;
	long row, last_row;                /* sheet row numbers */
	size_t col, last_col;              /* 1-based; col 0: past the column limit */
	char ctype;                        /* 'n', 's', 'b', 'e', 't' (str, inlineStr), 'd' */
	unsigned char ckind;               /* the cell format's kind */
	struct strbuf cell;                /* the cell's raw text */
	struct strbuf text;                /* its value as text */
	struct strbuf rowbuf;              /* the row's cells, NUL-terminated */
	size_t *off, *lens;
	const char **fields;
	size_t nf;
	struct strbuf header;              /* names of the header's cells, NUL-terminated */
	size_t *hoff;
	size_t nheader;
	bool header_sent;
};

/* ---- errors ---- */

/* Fills the error about a cell (or a row, col 0) with the column's header name. */
static int cell_fail(struct rd *d, int r, const char *code, const char *en, const char *vi)
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

static int part_fail(struct rd *d, int r, const char *code, const char *en, const char *vi)
{
	xlsx_fail(d->err, code, 0, 0, en, vi);
	return r;
}

/* ---- paths ---- */

/* The folder of part ("xl/workbook.xml" -> "xl/"). */
static void folder_of(const char *part, char out[PATH_MAX_XLSX])
{
	const char *s = strrchr(part, '/');
	size_t n = s ? (size_t)(s - part) + 1 : 0;

	memcpy(out, part, n);
	out[n] = '\0';
}

/* Resolves a relationship's target against base into out, dropping "." and ".."; returns 0 or
 * -EINVAL when it does not fit or climbs out of the package. */
static int resolve(const char *base, const char *target, char out[PATH_MAX_XLSX])
{
	char tmp[2 * PATH_MAX_XLSX];
	size_t n = 0, seg;
	const char *p;

	if (snprintf(tmp, sizeof tmp, "%s%s", *target == '/' ? "" : base, *target == '/' ? target + 1 : target) >=
	    (int)sizeof tmp)
		return -EINVAL;
	for (p = tmp; *p; p += seg + (p[seg] == '/')) {
		seg = strcspn(p, "/");
		if (seg == 0 || (seg == 1 && p[0] == '.'))
			continue;
		if (seg == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0)
				return -EINVAL;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			while (n > 0 && out[n - 1] != '/')
				n--;
			continue;
		}
		if (n + seg + 2 > PATH_MAX_XLSX)
			return -EINVAL;
		memcpy(out + n, p, seg);
		n += seg;
		out[n++] = '/';
	}
	if (n == 0)
		return -EINVAL;
	out[n - 1] = '\0';
	return 0;
}

/* The relationships part of part ("xl/workbook.xml" -> "xl/_rels/workbook.xml.rels"). */
static int rels_of(const char *part, char out[PATH_MAX_XLSX])
{
	const char *s = strrchr(part, '/');
	int n = s ? snprintf(out, PATH_MAX_XLSX, "%.*s_rels/%s.rels", (int)(s - part) + 1, part, s + 1)
		  : snprintf(out, PATH_MAX_XLSX, "_rels/%s.rels", part);

	return n < PATH_MAX_XLSX ? 0 : -EINVAL;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && !strcmp(s + n - k, tail);
}

/* ---- relationships ---- */

static int rels_start(void *ud, const char *name, const char **a)
{
	struct rd *d = ud;
	const char *type = xml_attr(a, "Type"), *target = xml_attr(a, "Target"), *id = xml_attr(a, "Id");
	const char *mode = xml_attr(a, "TargetMode");
	char path[PATH_MAX_XLSX];
	size_t i;

	if (strcmp(name, "Relationship") || !type || !target || (mode && !strcmp(mode, "External")))
		return 0;
	if (resolve(d->base, target, path) < 0)
		return 0;
	if (!d->workbook[0] && ends_with(type, "/officeDocument"))
		snprintf(d->workbook, sizeof d->workbook, "%s", path);
	else if (ends_with(type, "/sharedStrings"))
		snprintf(d->strings, sizeof d->strings, "%s", path);
	else if (ends_with(type, "/styles"))
		snprintf(d->styles, sizeof d->styles, "%s", path);
	else if (ends_with(type, "/worksheet") && id)
		for (i = 0; i < d->nrids && i < d->sheet_pos; i++)
			if (!strcmp(d->rids[i], id)) {
				d->sheet_pos = i;
				snprintf(d->sheet, sizeof d->sheet, "%s", path);
				break;
			}
	return 0;
}

/* ---- the workbook ---- */

static int workbook_start(void *ud, const char *name, const char **a)
{
	struct rd *d = ud;
	const char *v;

	if (!strcmp(name, "workbookPr")) {
		v = xml_attr(a, "date1904");
		d->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
	} else if (!strcmp(name, "sheet") && (v = xml_attr(a, "id")) && d->nrids < MAX_SHEETS) {
		snprintf(d->rids[d->nrids++], RID_MAX, "%s", v);
	}
	return 0;
}

/* ---- styles: which cell formats are dates ---- */

static int styles_start(void *ud, const char *name, const char **a)
{
	struct rd *d = ud;
	const char *id = xml_attr(a, "numFmtId");
	int fid = id ? atoi(id) : 0;
	size_t i;

	if (!strcmp(name, "numFmts"))
		d->in_numfmts = true;
	else if (!strcmp(name, "cellXfs"))
		d->in_cellxfs = true;
	else if (d->in_numfmts && !strcmp(name, "numFmt") && id && d->nnumfmts < MAX_NUMFMTS) {
		d->numfmts[d->nnumfmts].id = fid;
		d->numfmts[d->nnumfmts++].kind = (unsigned char)xlsx_format_kind(-1, xml_attr(a, "formatCode"));
	} else if (d->in_cellxfs && !strcmp(name, "xf")) {
		unsigned char kind = (unsigned char)xlsx_format_kind(fid, NULL);

		if (fid >= 164 || kind == 0)
			for (i = 0; i < d->nnumfmts; i++)
				if (d->numfmts[i].id == fid)
					kind = d->numfmts[i].kind;
		if (d->nxf == XLSX_DEFAULT_STYLES)
			return part_fail(d, -E2BIG, "bad_workbook", "the workbook has too many cell formats",
					 "Tệp bảng tính có quá nhiều định dạng ô.");
		if (d->nxf == d->cap_xf) {
			size_t cap = d->cap_xf ? 2 * d->cap_xf : 64;
			void *p = realloc(d->xf_kind, cap);

			if (!p)
				return -ENOMEM;
			d->xf_kind = p;
			d->cap_xf = cap;
		}
		d->xf_kind[d->nxf++] = kind;
	}
	return 0;
}

static int styles_end(void *ud, const char *name)
{
	struct rd *d = ud;

	if (!strcmp(name, "numFmts"))
		d->in_numfmts = false;
	else if (!strcmp(name, "cellXfs"))
		d->in_cellxfs = false;
	return 0;
}

/* ---- shared strings ---- */

static int too_long(struct rd *d)
{
	char en[128], vi[128];

	snprintf(en, sizeof en, "a text is longer than %zu bytes", d->lim.cells.max_field_bytes);
	snprintf(vi, sizeof vi, "một ô có nội dung dài quá %zu byte", d->lim.cells.max_field_bytes);
	return cell_fail(d, -E2BIG, "field_too_long", en, vi);
}

static int strings_start(void *ud, const char *name, const char **a)
{
	struct rd *d = ud;

	if (!strcmp(name, "si")) {
		if (d->nsst >= d->lim.max_shared_count)
			return part_fail(d, -E2BIG, "too_many_strings", "the workbook has too many shared strings",
					 "Tệp bảng tính có quá nhiều chuỗi văn bản.");
		d->in_si = true;
	} else if (!strcmp(name, "rPh")) {
		d->in_rph = true;           /* phonetic runs are no part of the text */
	} else if (!strcmp(name, "t") && d->in_si && !d->in_rph) {
		d->in_t = true;
	}
	return 0;
}

static int strings_text(void *ud, const char *s, size_t n)
{
	struct rd *d = ud;
	size_t start = d->sst_off ? d->sst_off[d->nsst] : 0;

	if (!d->in_t)
		return 0;
	if (d->sst.len - start + n > d->lim.cells.max_field_bytes)
		return too_long(d);
	if (d->sst.len + n + 1 > d->lim.max_shared_bytes)
		return part_fail(d, -E2BIG, "too_many_strings", "the workbook's shared strings are larger than the limit",
				 "Tệp bảng tính có quá nhiều văn bản.");
	return strbuf_append(&d->sst, s, n);
}

static int strings_end(void *ud, const char *name)
{
	struct rd *d = ud;

	if (!strcmp(name, "t")) {
		d->in_t = false;
	} else if (!strcmp(name, "rPh")) {
		d->in_rph = false;
	} else if (!strcmp(name, "si") && d->in_si) {
		d->in_si = false;
		if (strbuf_putc(&d->sst, '\0') < 0)
			return -ENOMEM;
		if (d->nsst + 2 > d->cap_sst) {
			size_t cap = d->cap_sst ? 2 * d->cap_sst : 1024;
			void *p = realloc(d->sst_off, cap * sizeof *d->sst_off);

			if (!p)
				return -ENOMEM;
			d->sst_off = p;
			if (!d->cap_sst)
				d->sst_off[0] = 0;
			d->cap_sst = cap;
		}
		d->sst_off[++d->nsst] = (uint32_t)d->sst.len;
	}
	return 0;
}

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
		cell_fail(d, r, "stopped", "reading stopped", "dừng đọc");
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
		return cell_fail(d, -EINVAL, "bad_workbook", "the sheet's rows are out of order",
				 "các dòng của trang tính không theo thứ tự");
	if (r > d->lim.max_rows) {
		char en[128], vi[128];

		snprintf(en, sizeof en, "the sheet has more than %ld rows", d->lim.max_rows);
		snprintf(vi, sizeof vi, "trang tính có quá %ld dòng", d->lim.max_rows);
		return cell_fail(d, -E2BIG, "too_many_rows", en, vi);
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
			return cell_fail(d, -EINVAL, "bad_workbook", "the cell names a shared string the workbook lacks",
					 "ô tham chiếu một chuỗi văn bản không có trong tệp");
		return strbuf_append(&d->text, d->sst.buf + d->sst_off[idx], d->sst_off[idx + 1] - d->sst_off[idx] - 1);
	case 'b':
		return strbuf_puts(&d->text, v[0] == '1' ? "TRUE" : "FALSE");
	case 'e':
		return cell_fail(d, -EINVAL, "cell_error", "the cell holds a formula error; enter a value",
				 "ô chứa lỗi công thức; hãy nhập giá trị");
	case 't': case 'd':
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
		return cell_fail(d, r, "bad_workbook", "the cell's number cannot be read", "không đọc được số trong ô");
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

		snprintf(en, sizeof en, "a cell lies past column %zu, the limit", d->lim.cells.max_fields);
		snprintf(vi, sizeof vi, "có ô nằm ngoài cột thứ %zu (giới hạn)", d->lim.cells.max_fields);
		return cell_fail(d, -E2BIG, "too_many_columns", en, vi);
	}
	if (d->col <= d->last_col)
		return cell_fail(d, -EINVAL, "bad_workbook", "the row's cells are out of order",
				 "các ô của dòng không theo thứ tự");
	if (d->rowbuf.len + (d->col - d->nf) + n > d->lim.cells.max_record_bytes) {
		char en[128], vi[128];

		snprintf(en, sizeof en, "the row is longer than %zu bytes", d->lim.cells.max_record_bytes);
		snprintf(vi, sizeof vi, "dòng dài quá %zu byte", d->lim.cells.max_record_bytes);
		return cell_fail(d, -E2BIG, "record_too_long", en, vi);
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

static int sheet_start(void *ud, const char *name, const char **a)
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

static int sheet_text(void *ud, const char *s, size_t n)
{
	struct rd *d = ud;

	if (!d->in_v)
		return 0;
	if (d->cell.len + n > d->lim.cells.max_field_bytes)
		return too_long(d);
	return strbuf_append(&d->cell, s, n);
}

static int sheet_end(void *ud, const char *name)
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

/* ---- the whole ---- */

static int parse(struct rd *d, const char *part, enum part kind)
{
	static const struct xml_handlers h[] = {
		[P_RELS] = { rels_start, NULL, NULL },
		[P_WORKBOOK] = { workbook_start, NULL, NULL },
		[P_STYLES] = { styles_start, styles_end, NULL },
		[P_STRINGS] = { strings_start, strings_end, strings_text },
		[P_SHEET] = { sheet_start, sheet_end, sheet_text },
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
		return part_fail(d, -EINVAL, "no_worksheet", "the file is a zip but holds no workbook",
				 "Tệp không chứa bảng tính Excel nào.");
	if (r < 0)
		return r;
	d->strings[0] = d->styles[0] = '\0';
	d->sheet_pos = d->nrids;
	folder_of(d->workbook, d->base);
	if ((r = rels_of(d->workbook, rels)) < 0 || ((r = parse(d, rels, P_RELS)) < 0 && r != -ENOENT))
		return r;
	if (!d->sheet[0] || !xzip_has(d->z, d->sheet))
		return part_fail(d, -EINVAL, "no_worksheet", "the workbook has no worksheet",
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
