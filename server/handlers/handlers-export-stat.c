/* handlers-export-stat.c - GET /api/v1/surveys/{survey}/responses.sav (SPSS) and responses.dta
 * (Stata 14+): the rows and columns of responses.csv with question texts as variable labels
 * and option labels as value labels, streamed a row at a time from one database snapshot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst.h"
#include "db-export.h"
#include "db.h"
#include "export-file.h"
#include "handlers.h"
#include "statfile.h"

/* Variable labels of the design columns (Vietnamese: the analysts read them), in the order of
 * enum form_design_column. */
static const char *const design_labels[FORM_NCOLS] = {
	"Số phiếu", "Mã cơ quan", "Hình thức thu thập", "Tầng chọn mẫu", "Đơn vị chọn mẫu cấp 1 (cụm)",
	"Trọng số", "Hệ số hiệu chỉnh tổng thể hữu hạn (fpc)", "Thời điểm trả lời (UTC)",
};

/* The state of a streamed file: owned by the reply, freed by stat_free however it ends. */
struct stat_stream {
	struct db_conn *c;            /* taken from the request's state: the reply may outlive it */
	struct db_export_rows *rows;
	struct statfile *w;
	struct strbuf out;            /* bytes made, not yet sent */
	size_t off;
	bool ended;
};

static int sink(void *ud, const void *data, size_t len)
{
	struct stat_stream *s = ud;

	return strbuf_append(&s->out, data, len);
}

static void stat_free(void *ud)
{
	struct stat_stream *s = ud;

	if (!s)
		return;
	statfile_free(s->w);
	db_export_rows_free(s->rows);
	db_release(s->c);        /* a transaction cut short makes db_release close the connection */
	strbuf_done(&s->out);
	free(s);
}

static ssize_t stat_read(void *ud, uint64_t pos, char *buf, size_t max)
{
	struct stat_stream *s = ud;
	const char *const *cells;
	size_t take;
	int r;

	(void)pos;
	while (s->off == s->out.len) {
		if (s->ended)
			return HTTP_STREAM_END;
		strbuf_reset(&s->out);
		s->off = 0;
		r = db_export_rows_next(s->rows, &cells);
		if (r > 0)
			r = statfile_row(s->w, cells);
		else if (r == 0) {
			r = statfile_end(s->w);
			s->ended = true;
		}
		if (r < 0)
			return HTTP_STREAM_ERROR;
	}
	take = s->out.len - s->off;
	if (take > max)
		take = max;
	memcpy(buf, s->out.buf + s->off, take);
	s->off += take;
	return (ssize_t)take;
}

/* Fills vars, labels (with room for every scale's and single question's codes) from the form
 * and the widths the rows measured. Returns 0 or -ENOMEM. */
static int variables(const struct form *f, const struct db_export_rows *rows, struct statfile_var *vars,
		     struct statfile_value_label **labels)
{
	size_t i, k;

	for (i = 0; i < FORM_NCOLS; i++) {
		vars[i].name = form_design_column_name((int)i);
		vars[i].label = design_labels[i];
		vars[i].numeric = i == FORM_COL_WEIGHT || i == FORM_COL_FPC;
		vars[i].width = db_export_rows_width(rows, i);
	}
	for (i = 0; i < f->nquestions; i++) {
		const struct form_question *q = &f->questions[i];
		struct statfile_var *v = &vars[FORM_NCOLS + i];
		size_t n = q->type == FORM_Q_SCALE ? q->scale->ncodes : q->type == FORM_Q_SINGLE ? q->noptions : 0;

		v->name = q->id;
		v->label = q->text;
		v->numeric = q->type == FORM_Q_SCALE || q->type == FORM_Q_SINGLE || q->type == FORM_Q_NUMBER;
		v->width = db_export_rows_width(rows, FORM_NCOLS + i);
		if (n == 0)
			continue;
		labels[i] = calloc(n, sizeof *labels[i]);
		if (!labels[i])
			return -ENOMEM;
		for (k = 0; k < n; k++) {
			labels[i][k].code = q->type == FORM_Q_SCALE ? q->scale->codes[k] : q->options[k].code;
			labels[i][k].label = q->type == FORM_Q_SCALE ? q->scale->labels[k] : q->options[k].label;
		}
		v->labels = labels[i];
		v->nlabels = n;
	}
	return 0;
}

static int export_stat(struct http_req *req, enum statfile_format fmt)
{
	struct analyst_ctx *x = NULL;
	struct db_export_column *cols = NULL;
	struct statfile_value_label **labels = NULL;
	struct statfile_var *vars = NULL;
	struct stat_stream *s = NULL;
	const struct form *f;
	char err[200];
	size_t i;
	int r;

	if ((r = analyst_open_read(req, req->params[0], false, &x)) != 0)
		return r;
	f = x->fe->form;
	cols = calloc(f->nquestions + 1, sizeof *cols);
	vars = calloc(FORM_NCOLS + f->nquestions, sizeof *vars);
	labels = calloc(f->nquestions + 1, sizeof *labels);
	s = calloc(1, sizeof *s);
	r = -ENOMEM;
	if (!cols || !vars || !labels || !s)
		goto out;
	strbuf_init(&s->out, 0);
	s->c = x->c;
	x->c = NULL;
	export_columns(f, cols);
	if ((r = analyst_audit(s->c, x->fe, req, "responses", fmt == STATFILE_SAV ? "sav" : "dta")) < 0 ||
	    (r = db_export_rows_begin(s->c, x->fe->survey.id, cols, f->nquestions, &s->rows)) < 0 ||
	    (r = variables(f, s->rows, vars, labels)) < 0)
		goto out;
	r = statfile_begin(fmt, x->fe->survey.title, vars, FORM_NCOLS + f->nquestions, db_export_rows_count(s->rows),
			   sink, s, &s->w, err, sizeof err);
	if (r == -EINVAL) {
		r = http_reply_error(req, 422, "not_exportable", err);
		goto out;
	}
	if (r < 0)
		goto out;
	export_attachment(req, x->fe->survey.code, fmt == STATFILE_SAV ? "responses.sav" : "responses.dta");
	r = http_reply_stream(req, 200, fmt == STATFILE_SAV ? "application/x-spss-sav" : "application/x-stata-dta",
			      stat_read, s, stat_free);
	s = NULL;
out:
	stat_free(s);
	for (i = 0; labels && i < f->nquestions; i++)
		free(labels[i]);
	free(labels);
	free(vars);
	free(cols);
	return r;
}

int handle_export_responses_sav(struct http_req *req)
{
	return export_stat(req, STATFILE_SAV);
}

int handle_export_responses_dta(struct http_req *req)
{
	return export_stat(req, STATFILE_DTA);
}
