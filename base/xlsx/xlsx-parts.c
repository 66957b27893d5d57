/* xlsx-parts.c - the workbook's parts before its sheet: relationships (which part is the
 * workbook, its first worksheet, shared strings and styles), the date system, which cell
 * formats are dates, and the shared strings table (bounded). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx-rd.h"

/* ---- paths ---- */

/* The folder of part ("xl/workbook.xml" -> "xl/"). */
void rd_folder_of(const char *part, char out[PATH_MAX_XLSX])
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
int rd_rels_of(const char *part, char out[PATH_MAX_XLSX])
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

int rd_rels_start(void *ud, const char *name, const char **a)
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

int rd_workbook_start(void *ud, const char *name, const char **a)
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

int rd_styles_start(void *ud, const char *name, const char **a)
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
			return rd_part_fail(d, -E2BIG, "bad_workbook", "the workbook has too many cell formats",
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

int rd_styles_end(void *ud, const char *name)
{
	struct rd *d = ud;

	if (!strcmp(name, "numFmts"))
		d->in_numfmts = false;
	else if (!strcmp(name, "cellXfs"))
		d->in_cellxfs = false;
	return 0;
}

/* ---- shared strings ---- */

int rd_strings_start(void *ud, const char *name, const char **a)
{
	struct rd *d = ud;

	if (!strcmp(name, "si")) {
		if (d->nsst >= d->lim.max_shared_count)
			return rd_part_fail(d, -E2BIG, "too_many_strings", "the workbook has too many shared strings",
					 "Tệp bảng tính có quá nhiều chuỗi văn bản.");
		d->in_si = true;
	} else if (!strcmp(name, "rPh")) {
		d->in_rph = true;           /* phonetic runs are no part of the text */
	} else if (!strcmp(name, "t") && d->in_si && !d->in_rph) {
		d->in_t = true;
	}
	return 0;
}

int rd_strings_text(void *ud, const char *s, size_t n)
{
	struct rd *d = ud;
	size_t start = d->sst_off ? d->sst_off[d->nsst] : 0;

	if (!d->in_t)
		return 0;
	if (d->sst.len - start + n > d->lim.cells.max_field_bytes)
		return rd_too_long(d);
	if (d->sst.len + n + 1 > d->lim.max_shared_bytes)
		return rd_part_fail(d, -E2BIG, "too_many_strings", "the workbook's shared strings are larger than the limit",
				 "Tệp bảng tính có quá nhiều văn bản.");
	return strbuf_append(&d->sst, s, n);
}

int rd_strings_end(void *ud, const char *name)
{
	struct rd *d = ud;

	if (!strcmp(name, "t")) {
		d->in_t = false;
	} else if (!strcmp(name, "rPh")) {
		d->in_rph = false;
	} else if (!strcmp(name, "si") && d->in_si) {
		d->in_si = false;
		xlsx_unescape(&d->sst, d->sst_off ? d->sst_off[d->nsst] : 0);
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

