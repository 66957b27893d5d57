/* handlers-export.c - GET /api/v1/surveys/{survey}/responses.csv (the microdata, streamed in
 * constant memory) and /frame.csv. Every export is audited before its first byte. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst.h"
#include "csv.h"
#include "db-estimates.h"
#include "db-export.h"
#include "db.h"
#include "export-file.h"
#include "handlers.h"

/* libmicrohttpd's content-reader returns: end of stream, error. */

/* The state of a streamed export: owned by the reply, freed by export_free however it ends. */
struct export_stream {
	struct db_conn *c;
	const struct form_entry *fe;
	struct db_export *x;
	struct strbuf head;       /* the header row, sent first */
	size_t head_off;
};

static void export_free(void *ud)
{
	struct export_stream *s = ud;

	if (!s)
		return;
	db_export_free(s->x);
	db_release(s->c);        /* a COPY cut short leaves the connection busy: it is closed */
	form_cache_put(s->fe);
	strbuf_done(&s->head);
	free(s);
}

static ssize_t export_read(void *ud, uint64_t pos, char *buf, size_t max)
{
	struct export_stream *s = ud;
	ssize_t n;

	(void)pos;
	if (s->head_off < s->head.len) {
		size_t take = s->head.len - s->head_off;

		if (take > max)
			take = max;
		memcpy(buf, s->head.buf + s->head_off, take);
		s->head_off += take;
		return (ssize_t)take;
	}
	n = db_export_read(s->x, buf, max);
	if (n < 0)
		return HTTP_STREAM_ERROR;
	return n == 0 ? HTTP_STREAM_END : n;
}

static int header_row(struct strbuf *sb, const struct form *f, struct db_export_column *cols)
{
	size_t i;
	int r = 0;

	for (i = 0; i < FORM_NCOLS; i++) {
		strbuf_puts(sb, i ? "," : "");
		strbuf_puts(sb, form_design_column_name((int)i));
	}
	for (i = 0; i < f->nquestions; i++) {
		const struct form_question *q = &f->questions[i];

		strbuf_putc(sb, ',');
		csv_write_field(sb, q->id, strlen(q->id), ',');
	}
	export_columns(f, cols);
	r = strbuf_puts(sb, "\r\n");
	return r;
}

int handle_export_responses(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	struct export_stream *s = NULL;
	struct db_export_column *cols = NULL;
	char disp[160];
	int r;

	if ((r = analyst_open_read(req, req->params[0], false, &x)) != 0)
		return r;
	s = calloc(1, sizeof *s);
	cols = calloc(x->fe->form->nquestions + 1, sizeof *cols);
	if (!s || !cols) {
		free(s);
		free(cols);
		return -ENOMEM;
	}
	strbuf_init(&s->head, 0);
	/* the stream owns the connection and the form from here on */
	s->c = x->c;
	s->fe = x->fe;
	x->c = NULL;
	x->fe = NULL;
	if ((r = header_row(&s->head, s->fe->form, cols)) < 0)
		goto fail;
	if ((r = analyst_audit(s->c, s->fe, req, "responses", "csv")) < 0)
		goto fail;
	if ((r = db_export_begin(s->c, s->fe->survey.id, cols, s->fe->form->nquestions, &s->x)) < 0)
		goto fail;
	free(cols);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-responses.csv\"", s->fe->survey.code);
	http_add_header(req, "Content-Disposition", disp);
	return http_reply_stream(req, 200, "text/csv; charset=utf-8", export_read, s, export_free);
fail:
	free(cols);
	export_free(s);
	return r;
}

static int frame_row(void *ud, const char *stratum, long long population, long long target, const char *agency)
{
	struct strbuf *sb = ud;

	(void)agency;
	csv_write_text(sb, stratum, strlen(stratum), ',');
	if (target >= 0)
		return strbuf_printf(sb, ",%lld,%lld\r\n", population, target);
	return strbuf_printf(sb, ",%lld,\r\n", population);
}

int handle_export_frame(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	struct strbuf sb;
	char disp[160];
	int r;

	if ((r = analyst_open_read(req, req->params[0], false, &x)) != 0)
		return r;
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "stratum,population,target\r\n");
	if ((r = db_est_frame_each(x->c, x->fe->survey.id, frame_row, &sb)) < 0 ||
	    (r = analyst_audit(x->c, x->fe, req, "frame", "csv")) < 0) {
		strbuf_done(&sb);
		return r;
	}
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-frame.csv\"", x->fe->survey.code);
	http_add_header(req, "Content-Disposition", disp);
	return http_reply_buf(req, 200, "text/csv; charset=utf-8", &sb);
}
