/* handlers-export-xlsx.c - GET /api/v1/surveys/{survey}/template.xlsx (the data-entry workbook
 * of the survey teams) and /responses.xlsx (the microdata, as responses.csv). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst.h"
#include "app.h"
#include "channel.h"
#include "db-export.h"
#include "db-surveys.h"
#include "db.h"
#include "export-file.h"
#include "form-cache.h"
#include "handlers.h"
#include "utf8.h"
#include "xlsx-write.h"

#define SHEET_ENTRY    "Phiếu"       /* the template's first sheet: one row per questionnaire */
#define SHEET_CODEBOOK "Bảng mã"     /* its second sheet: the codes of every column */
#define SHEET_DATA     "Dữ liệu"     /* responses.xlsx */
#define TEMPLATE_AGENCIES_MAX 5000   /* agencies listed in a template */

static double chars(const char *s)
{
	return s ? (double)utf8_count(s, strlen(s)) : 0;
}

/* ---- template.xlsx ---- */

/* The template being written: the codebook sheet row by row, and what each entry column's
 * drop-down needs. */
struct tpl {
	struct xlsx *w;
	int entry, book;         /* sheet numbers */
	uint32_t row;            /* the codebook's next row */
	double wcol, wcode, wlabel, wtext;   /* the codebook's column widths */
	struct strbuf msg;       /* the current column's input message: "code = label; ..." */
	uint32_t first;          /* the current column's first code row */
	double wentry;           /* the current entry column's width */
	const struct http_auth *team;   /* a team token: only its agencies are listed; else NULL */
};

/* One codebook row: column, code (a number when is_number), label, text. */
static int book_row(struct tpl *t, const char *column, const char *code, int number, const char *label,
		    const char *text)
{
	int r;

	if ((r = xlsx_select(t->w, t->book)) < 0 || (r = xlsx_text(t->w, t->row, 0, column)) < 0)
		return r;
	if (code)
		r = xlsx_text(t->w, t->row, 1, code);
	else if (number >= 0)
		r = xlsx_number(t->w, t->row, 1, number);
	if (r < 0 || (r = xlsx_text(t->w, t->row, 2, label)) < 0 || (r = xlsx_text(t->w, t->row, 3, text)) < 0)
		return r;
	t->row++;
	if (chars(column) > t->wcol)
		t->wcol = chars(column);
	if (chars(label) > t->wlabel)
		t->wlabel = chars(label);
	if (chars(text) > t->wtext)
		t->wtext = chars(text);
	return 0;
}

/* A code of the current column: its codebook row and its part of the input message. */
static int code_row(struct tpl *t, const char *column, const char *code, int number, const char *label)
{
	char buf[16];
	double width;

	if (!code)
		snprintf(buf, sizeof buf, "%d", number);
	width = chars(code ? code : buf);
	if (width > t->wcode)
		t->wcode = width;
	if (width > t->wentry)
		t->wentry = width;
	strbuf_printf(&t->msg, "%s%s = %s", t->msg.len ? "; " : "", code ? code : buf, label);
	return book_row(t, column, code, number, label, NULL);
}

static void column_start(struct tpl *t, const char *column)
{
	strbuf_reset(&t->msg);
	t->first = t->row;
	t->wentry = chars(column);
}

/* Ends the current column col: its width, and its drop-down when it has codes. */
static int column_end(struct tpl *t, uint16_t col, const char *column)
{
	char title[80];
	int r;

	if ((r = xlsx_select(t->w, t->entry)) < 0)
		return r;
	if (t->row > t->first) {
		snprintf(title, sizeof title, "%s: mã hợp lệ", column);
		if ((r = xlsx_list(t->w, col, t->book, t->first, t->row - 1, 1, title, strbuf_str(&t->msg))) < 0)
			return r;
	}
	return xlsx_width(t->w, col, t->wentry + 2);
}

static int agency_row(void *ud, const char *code, const char *name)
{
	struct tpl *t = ud;
	size_t i;

	for (i = 0; t->team && i < t->team->nagencies; i++)
		if (!strcmp(t->team->agencies[i], code))
			break;
	if (t->team && i == t->team->nagencies)
		return 0;                 /* the upload would refuse it (forbidden_agency) */
	if (t->row - t->first >= TEMPLATE_AGENCIES_MAX)
		return -E2BIG;
	return code_row(t, "agency", code, -1, name);
}

/* The columns of template.csv, in its order: the design columns but fpc, then the questions. */
static int template_columns(struct tpl *t, struct db_conn *c, const struct form_entry *fe)
{
	const struct form *f = fe->form;
	uint16_t col = 0;
	size_t i, k;
	int r = 0, d;

	for (d = 0; d < FORM_NCOLS; d++) {
		const char *name = form_design_column_name(d);

		if (d == FORM_COL_FPC)
			continue;
		if ((r = xlsx_select(t->w, t->entry)) < 0 || (r = xlsx_heading(t->w, col, name)) < 0)
			return r;
		column_start(t, name);
		if (d == FORM_COL_AGENCY && (r = db_survey_agencies_each(c, fe->survey.id, agency_row, t)) < 0)
			return r;
		for (k = 0; d == FORM_COL_CHANNEL && k < FORM_NCHANNELS; k++)
			if ((r = code_row(t, name, form_channels[k].code, -1, form_channels[k].label)) < 0)
				return r;
		if (d == FORM_COL_SUBMITTED_AT && 10 > t->wentry)
			t->wentry = 10;                      /* YYYY-MM-DD */
		if ((r = column_end(t, col++, name)) < 0)
			return r;
	}
	for (i = 0; i < f->nquestions; i++) {
		const struct form_question *q = &f->questions[i];

		if ((r = xlsx_select(t->w, t->entry)) < 0 || (r = xlsx_heading(t->w, col, q->id)) < 0)
			return r;
		column_start(t, q->id);
		if ((r = book_row(t, q->id, NULL, -1, NULL, q->text)) < 0)
			return r;
		t->first = t->row;                           /* the codes follow the question's row */
		if (q->type == FORM_Q_SCALE) {
			for (k = 0; k < q->scale->ncodes; k++)
				if ((r = code_row(t, q->id, NULL, q->scale->codes[k], q->scale->labels[k])) < 0)
					return r;
		} else if (q->type == FORM_Q_SINGLE) {
			for (k = 0; k < q->noptions; k++)
				if ((r = code_row(t, q->id, NULL, q->options[k].code, q->options[k].label)) < 0)
					return r;
		}
		if ((r = column_end(t, col++, q->id)) < 0)
			return r;
	}
	return 0;
}

int handle_template_xlsx(struct http_req *req)
{
	const struct form_entry *fe = NULL;
	struct db_conn *c = NULL;
	struct tpl t = { 0 };
	int r, fd;

	strbuf_init(&t.msg, 64 * 1024);
	t.team = req->auth.role == ROLE_TEAM ? &req->auth : NULL;
	if ((r = app_db(req->app, &c)) < 0)
		goto out;
	r = form_cache_get(req->app->forms, c, req->params[0], &fe);
	if (r == -ENOENT) {
		r = http_reply_error(req, 404, "not_found", "no such survey round");
		goto out;
	}
	if (r < 0 || (r = xlsx_open(NULL, &t.w)) < 0)
		goto out;
	if ((t.entry = r = xlsx_sheet(t.w, SHEET_ENTRY)) < 0 || (t.book = r = xlsx_sheet(t.w, SHEET_CODEBOOK)) < 0 ||
	    (r = xlsx_heading(t.w, 0, "cột")) < 0 || (r = xlsx_heading(t.w, 1, "mã")) < 0 ||
	    (r = xlsx_heading(t.w, 2, "nhãn")) < 0 || (r = xlsx_heading(t.w, 3, "câu hỏi")) < 0)
		goto out;
	t.row = 1;
	t.wcol = t.wcode = t.wlabel = t.wtext = 8;
	if ((r = template_columns(&t, c, fe)) < 0 || (r = xlsx_select(t.w, t.book)) < 0 ||
	    (r = xlsx_freeze_header(t.w)) < 0 ||
	    (r = xlsx_width(t.w, 0, t.wcol)) < 0 || (r = xlsx_width(t.w, 1, t.wcode)) < 0 ||
	    (r = xlsx_width(t.w, 2, t.wlabel)) < 0 || (r = xlsx_width(t.w, 3, t.wtext)) < 0 ||
	    (r = xlsx_select(t.w, t.entry)) < 0 || (r = xlsx_freeze_header(t.w)) < 0)
		goto out;
	r = xlsx_finish(t.w, &fd);
	t.w = NULL;
	if (r == 0)
		r = export_reply_file(req, fd, XLSX_TYPE, fe->survey.code, "template.xlsx");
out:
	xlsx_free(t.w);
	strbuf_done(&t.msg);
	form_cache_put(fe);
	db_release(c);
	return r;
}

/* ---- responses.xlsx ---- */

/* Writes one row of cells: numbers where responses.csv has numbers (weight, fpc, the codes of
 * scale and single questions, number answers), text elsewhere. */
static int data_row(struct xlsx *w, uint32_t row, const bool *numeric, size_t n, const char *const *cells)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		char *end;
		double v;

		if (!cells[i])
			continue;
		if (numeric[i]) {
			v = strtod(cells[i], &end);
			if (!*end) {
				r = xlsx_number(w, row, (uint16_t)i, v);
				continue;
			}
		}
		r = xlsx_text(w, row, (uint16_t)i, cells[i]);
	}
	return r;
}

int handle_export_responses_xlsx(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	struct db_export_column *cols = NULL;
	struct db_export_rows *rows = NULL;
	struct xlsx *w = NULL;
	const char *const *cells;
	const struct form *f;
	bool *numeric = NULL;
	size_t i, n;
	uint32_t row = 1;
	int r, fd;

	if ((r = analyst_open_read(req, req->params[0], false, &x)) != 0)
		return r;
	f = x->fe->form;
	n = DB_EXPORT_DESIGN_COLS + f->nquestions;
	cols = calloc(f->nquestions + 1, sizeof *cols);
	numeric = calloc(n, sizeof *numeric);
	r = -ENOMEM;
	if (!cols || !numeric)
		goto out;
	export_columns(f, cols);
	numeric[FORM_COL_WEIGHT] = numeric[FORM_COL_FPC] = true;
	for (i = 0; i < f->nquestions; i++)
		numeric[DB_EXPORT_DESIGN_COLS + i] = cols[i].kind == DB_EXPORT_CODE;
	if ((r = analyst_audit(x->c, x->fe, req, "responses", "xlsx")) < 0 ||
	    (r = db_export_rows_begin(x->c, x->fe->survey.id, cols, f->nquestions, &rows)) < 0)
		goto out;
	r = -E2BIG;
	if (db_export_rows_count(rows) >= (long)XLSX_MAX_ROWS)
		goto out;
	if ((r = xlsx_open(NULL, &w)) < 0 || (r = xlsx_sheet(w, SHEET_DATA)) < 0 || (r = xlsx_freeze_header(w)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		const char *name = i < DB_EXPORT_DESIGN_COLS ? form_design_column_name((int)i) :
				   f->questions[i - DB_EXPORT_DESIGN_COLS].id;
		double width = (double)db_export_rows_width(rows, i);

		if ((r = xlsx_heading(w, (uint16_t)i, name)) < 0 ||
		    (r = xlsx_width(w, (uint16_t)i, (chars(name) > width ? chars(name) : width) + 1)) < 0)
			goto out;
	}
	while ((r = db_export_rows_next(rows, &cells)) > 0)
		if ((r = data_row(w, row++, numeric, n, cells)) < 0)
			goto out;
	if (r < 0)
		goto out;
	r = xlsx_finish(w, &fd);
	w = NULL;
	if (r == 0)
		r = export_reply_file(req, fd, XLSX_TYPE, x->fe->survey.code, "responses.xlsx");
out:
	xlsx_free(w);
	db_export_rows_free(rows);
	free(cols);
	free(numeric);
	return r;
}
