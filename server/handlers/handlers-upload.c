/* handlers-upload.c - paper results in bulk: the upload itself (a streamed CSV or .xlsx body), the
 * template and codebook for paper entry, the upload history, and withdrawing an upload. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "channel.h"
#include "csrf.h"
#include "csv.h"
#include "db-uploads.h"
#include "db.h"
#include "form-cache.h"
#include "form.h"
#include "handlers.h"
#include "jsonw.h"
#include "upload.h"
#include "utf8.h"

/* ---- the round and its form ---- */

struct survey_ref {
	const struct form_entry *e;    /* from the form cache */
	int id;
	const struct form *form;
};

/* Finds round code and its form. Returns 0, -ENOENT, or a negative errno. */
static int survey_open(struct form_cache *fc, struct db_conn *c, const char *code, struct survey_ref *s)
{
	int r;

	memset(s, 0, sizeof *s);
	if ((r = form_cache_get(fc, c, code, &s->e)) < 0)
		return r;
	s->id = s->e->survey.id;
	s->form = s->e->form;
	return 0;
}

static void survey_close(struct survey_ref *s)
{
	form_cache_put(s->e);
	memset(s, 0, sizeof *s);
}

static int reply_no_survey(struct http_req *req)
{
	return http_reply_error(req, 404, "not_found", "no such survey round");
}

/* The request's round ({survey}) with a connection held only for the lookup. Returns 0, or
 * the reply's status (404) or a negative errno. */
static int survey_open_req(struct http_req *req, struct survey_ref *s)
{
	struct db_conn *c = NULL;
	int r;

	if ((r = app_db(req->app, &c)) < 0)
		return r;
	r = survey_open(req->app->forms, c, req->params[0], s);
	db_release(c);
	return r == -ENOENT ? reply_no_survey(req) : r;
}

/* ---- template.csv and codebook.csv ---- */

/* The design columns of the template, in order (fpc is left to the frame). */
static const char *const template_columns[] = {
	"serial", "agency", "channel", "stratum", "psu", "weight", "submitted_at",
};

static void csv_cell(struct strbuf *sb, const char *s, int first)
{
	if (!first)
		strbuf_putc(sb, ',');
	csv_write_text(sb, s ? s : "", s ? strlen(s) : 0, ',');
}

static int reply_csv(struct http_req *req, struct strbuf *sb, const char *survey, const char *what)
{
	char disp[200];

	snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s.csv\"", what, survey);
	http_add_header(req, "Content-Disposition", disp);
	return http_reply_buf(req, 200, "text/csv; charset=utf-8", sb);
}

int handle_upload_template(struct http_req *req)
{
	struct survey_ref s;
	struct strbuf sb;
	size_t i;
	int r;

	if ((r = survey_open_req(req, &s)) != 0)
		return r;
	strbuf_init(&sb, 0);
	for (i = 0; i < sizeof template_columns / sizeof template_columns[0]; i++)
		csv_cell(&sb, template_columns[i], i == 0);
	for (i = 0; i < s.form->nquestions; i++)
		csv_cell(&sb, s.form->questions[i].id, 0);
	strbuf_puts(&sb, "\r\n");
	survey_close(&s);
	return reply_csv(req, &sb, req->params[0], "template");
}

static const char *qtype_name(enum form_qtype t)
{
	switch (t) {
	case FORM_Q_SCALE: return "scale";
	case FORM_Q_SINGLE: return "single";
	case FORM_Q_MULTI: return "multi";
	case FORM_Q_TEXT: return "text";
	default: return "number";
	}
}

/* The design columns as the codebook explains them (Vietnamese, for the data-entry team). */
static const struct {
	const char *column, *text, *type, *codes, *required;
} codebook_design[] = {
	{ "serial", "Số phiếu (số sê-ri in trên phiếu giấy); không trùng trong đợt khảo sát", "text", "", "yes" },
	{ "agency", "Mã cơ quan, đơn vị được đánh giá", "code", "", "yes" },
	{ "channel", NULL, "code", NULL, "" },     /* from the table of channels: channel_cells() */
	{ "stratum", "Tầng chọn mẫu; để trống = mã cơ quan", "text", "", "" },
	{ "psu", "Đơn vị chọn mẫu cấp 1 (cụm); để trống = mỗi phiếu là một cụm", "text", "", "" },
	{ "weight", "Trọng số (số dương); để trống = theo khung mẫu", "number", "", "" },
	{ "submitted_at", "Ngày trả lời (YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM:SS)", "date", "", "" },
};

/* The channel row's text and codes, from the table of channels. */
static void channel_cells(struct strbuf *text, struct strbuf *codes)
{
	size_t k;

	strbuf_printf(text, "Hình thức thu thập; để trống = %s (%s)", form_channels[FORM_CHANNEL_DEFAULT].code,
		      form_channels[FORM_CHANNEL_DEFAULT].label);
	for (k = 0; k < FORM_NCHANNELS; k++)
		strbuf_printf(codes, "%s%s = %s", k ? "; " : "", form_channels[k].code, form_channels[k].label);
}

static void codes_cell(struct strbuf *cell, const struct form *f, const struct form_question *q)
{
	size_t i;

	strbuf_reset(cell);
	if (q->type == FORM_Q_SCALE) {
		for (i = 0; i < q->scale->ncodes; i++)
			strbuf_printf(cell, "%s%d = %s", i ? "; " : "", q->scale->codes[i], q->scale->labels[i]);
	} else if (q->type == FORM_Q_SINGLE || q->type == FORM_Q_MULTI) {
		for (i = 0; i < q->noptions; i++)
			strbuf_printf(cell, "%s%d = %s", i ? "; " : "", q->options[i].code, q->options[i].label);
		if (q->type == FORM_Q_MULTI)
			strbuf_puts(cell, " (nhiều mã, cách nhau bằng dấu ;)");
	} else if (q->type == FORM_Q_NUMBER) {
		if (q->min > -1e300)
			strbuf_printf(cell, "từ %g", q->min);
		if (q->max < 1e300)
			strbuf_printf(cell, "%sđến %g", q->min > -1e300 ? " " : "", q->max);
	}
	(void)f;
}

int handle_upload_codebook(struct http_req *req)
{
	struct survey_ref s;
	struct strbuf sb, cell, text;
	size_t i, j;
	int r;

	if ((r = survey_open_req(req, &s)) != 0)
		return r;
	strbuf_init(&sb, 0);
	strbuf_init(&cell, 0);
	strbuf_init(&text, 0);
	strbuf_puts(&sb, "\xEF\xBB\xBF" "column,text,type,codes,required,asked_if\r\n");   /* BOM: spreadsheets read UTF-8 */
	for (i = 0; i < sizeof codebook_design / sizeof codebook_design[0]; i++) {
		strbuf_reset(&text);
		strbuf_reset(&cell);
		if (!codebook_design[i].text)
			channel_cells(&text, &cell);
		csv_cell(&sb, codebook_design[i].column, 1);
		csv_cell(&sb, codebook_design[i].text ? codebook_design[i].text : strbuf_str(&text), 0);
		csv_cell(&sb, codebook_design[i].type, 0);
		csv_cell(&sb, codebook_design[i].codes ? codebook_design[i].codes : strbuf_str(&cell), 0);
		csv_cell(&sb, codebook_design[i].required, 0);
		csv_cell(&sb, "", 0);
		strbuf_puts(&sb, "\r\n");
	}
	for (i = 0; i < s.form->nquestions; i++) {
		const struct form_question *q = &s.form->questions[i];

		csv_cell(&sb, q->id, 1);
		csv_cell(&sb, q->text, 0);
		csv_cell(&sb, qtype_name(q->type), 0);
		codes_cell(&cell, s.form, q);
		csv_cell(&sb, strbuf_str(&cell), 0);
		csv_cell(&sb, q->required ? "yes" : "", 0);
		strbuf_reset(&cell);
		if (q->show_if >= 0) {
			strbuf_printf(&cell, "%s in ", s.form->questions[q->show_if].id);
			for (j = 0; j < q->nshow_in; j++)
				strbuf_printf(&cell, "%s%d", j ? ";" : "", q->show_in[j]);
		}
		csv_cell(&sb, strbuf_str(&cell), 0);
		strbuf_puts(&sb, "\r\n");
	}
	strbuf_done(&cell);
	strbuf_done(&text);
	survey_close(&s);
	return reply_csv(req, &sb, req->params[0], "codebook");
}

/* ---- history and withdrawal ---- */

struct history {
	struct strbuf *sb;
	int n;
};

static int history_json(void *ud, const struct db_upload_info *u)
{
	struct history *h = ud;
	struct strbuf *sb = h->sb;

	strbuf_puts(sb, h->n++ ? ",{" : "{");
	jsonw_member_int(sb, "id", u->id);
	jsonw_member_str(sb, "who", u->who);
	jsonw_member_str(sb, "at", u->created_at);
	jsonw_member_str(sb, "file", u->file_name);
	jsonw_member_int(sb, "rows", u->rows);
	jsonw_member_str(sb, "status", u->status);
	jsonw_member_str(sb, "sha256", u->sha256);
	jsonw_member_str(sb, "withdrawn_at", u->withdrawn_at);
	return strbuf_putc(sb, '}');
}

int handle_uploads_list(struct http_req *req)
{
	struct db_conn *c = NULL;
	struct survey_ref s;
	struct strbuf sb;
	struct history h = { &sb, 0 };
	int r;

	if ((r = app_db(req->app, &c)) < 0)
		return r;
	strbuf_init(&sb, 0);
	if ((r = survey_open(req->app->forms, c, req->params[0], &s)) == 0) {
		strbuf_puts(&sb, "{\"uploads\":[");
		r = db_uploads_each(c, s.id, history_json, &h);
		strbuf_puts(&sb, "]}");
		survey_close(&s);
	}
	db_release(c);
	if (r < 0) {
		strbuf_done(&sb);
		return r == -ENOENT ? reply_no_survey(req) : r;
	}
	return http_reply_buf(req, 200, "application/json", &sb);
}

/* Session-authenticated posts carry the session's CSRF secret in X-CSRF-Token. */
static int csrf_ok(struct http_req *req)
{
	return !req->auth.via_session || csrf_check(req, NULL) == 0;
}

static int reply_csrf(struct http_req *req)
{
	return http_reply_error(req, 403, "csrf", "the X-CSRF-Token header does not match this session");
}

int handle_upload_withdraw(struct http_req *req)
{
	struct db_conn *c = NULL;
	char *end, body[96];
	long long id;
	int r;

	if (!csrf_ok(req))
		return reply_csrf(req);
	id = strtoll(req->params[0], &end, 10);
	if (*end || id <= 0)
		return http_reply_error(req, 404, "not_found", "no such upload");
	if ((r = app_db(req->app, &c)) < 0)
		return r;
	r = db_upload_withdraw(c, id, req->auth.token_id, req->auth.name);
	db_release(c);
	if (r == -ENOENT)
		return http_reply_error(req, 404, "not_found", "no such upload");
	if (r == -EALREADY)
		return http_reply_error(req, 409, "already_withdrawn", "this upload was withdrawn before");
	if (r < 0)
		return r;
	snprintf(body, sizeof body, "{\"upload\":%lld,\"status\":\"withdrawn\",\"responses\":%d}", id, r);
	return http_reply(req, 200, "application/json", body, strlen(body));
}

/* ---- the upload ---- */

#define UPLOAD_FILE_NAME_MAX 200

struct upload_req {
	bool started;
	int status;                  /* set-up refused: the status replied */
	struct db_conn *c;
	struct survey_ref s;
	struct upload *up;
	FILE *failed;                /* ?errors=csv: the failing rows */
	bool errors_csv, dry_run;
	int finished;                /* upload_finish's return, set on the finishing thread */
	char file_name[UPLOAD_FILE_NAME_MAX + 1];
};

static void upload_req_free(void *p)
{
	struct upload_req *st = p;

	if (!st)
		return;
	upload_free(st->up);
	db_release(st->c);
	survey_close(&st->s);
	if (st->failed)
		fclose(st->failed);
	free(st);
}

static bool flag(struct http_req *req, const char *key)
{
	const char *v = http_query(req, key);

	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

/* The file name from ?name= or Content-Disposition's filename: without folders or control
 * characters, cut to valid UTF-8 of at most UPLOAD_FILE_NAME_MAX bytes ("" when none). */
static void file_name(struct http_req *req, char out[UPLOAD_FILE_NAME_MAX + 1])
{
	const char *v = http_query(req, "name"), *cd;
	size_t n, i, start = 0, o = 0;
	bool quoted;

	out[0] = '\0';
	if (!v && (cd = http_header(req, "Content-Disposition")) && (v = strstr(cd, "filename=")))
		v += 9;
	if (!v)
		return;
	quoted = *v == '"';
	v += quoted;
	n = strcspn(v, quoted ? "\"" : ";");
	for (i = 0; i < n; i++)
		if (v[i] == '/' || v[i] == '\\')
			start = i + 1;
	for (i = start; i < n && o < UPLOAD_FILE_NAME_MAX; i++)
		if ((unsigned char)v[i] >= 0x20 && v[i] != 0x7f)
			out[o++] = v[i];
	out[utf8_valid_prefix(out, o)] = '\0';
}

/* Everything before the first byte: CSRF, query, database, round, pipeline. Returns 0, or
 * an error status with the reply set. */
static int upload_start(struct http_req *req, struct upload_req **out)
{
	struct upload_req *st = req->state;
	struct upload_opts o;
	const char *ct;
	int r;

	*out = st;
	if (st)
		return st->status;
	st = calloc(1, sizeof *st);
	if (!st)
		return http_reply_error(req, 500, "internal", "out of memory");
	req->state = st;
	req->state_free = upload_req_free;
	*out = st;
	if (!csrf_ok(req))
		return st->status = reply_csrf(req);
	st->errors_csv = http_query(req, "errors") && !strcmp(http_query(req, "errors"), "csv");
	st->dry_run = flag(req, "dry_run") || st->errors_csv;
	file_name(req, st->file_name);
	if (st->errors_csv && !(st->failed = tmpfile()))
		return st->status = http_reply_error(req, 507, NULL, "no room for the failing rows");
	if ((r = app_db(req->app, &st->c)) < 0)
		goto fail;
	r = survey_open(req->app->forms, st->c, req->params[0], &st->s);
	if (r == -ENOENT)
		return st->status = reply_no_survey(req);
	if (r < 0)
		goto fail;
	memset(&o, 0, sizeof o);
	o.survey_id = st->s.id;
	o.form = st->s.form;
	o.dry_run = st->dry_run;
	o.restricted = req->auth.role == ROLE_TEAM;
	o.nagencies = req->auth.nagencies;
	_Static_assert(sizeof req->auth.agencies[0] == UPLOAD_CODE_MAX, "agency codes differ in size");
	o.agencies = (const char (*)[UPLOAD_CODE_MAX])req->auth.agencies;
	o.token_id = req->auth.token_id;
	o.actor = req->auth.name;
	o.file_name = st->file_name[0] ? st->file_name : NULL;
	o.failed_rows = st->failed;
	ct = http_header(req, "Content-Type");
	o.format = ct && !strncasecmp(ct, UPLOAD_XLSX_TYPE, strlen(UPLOAD_XLSX_TYPE)) ? UPLOAD_XLSX : UPLOAD_CSV;
	if ((r = upload_new(st->c, &o, &st->up)) < 0)
		goto fail;
	return 0;
fail:
	return st->status = http_reply_error(req, http_status_from_errno(r), NULL,
		r == -ECONNREFUSED || r == -ETIMEDOUT ? "the database is unavailable; try again shortly"
						       : "the upload could not start");
}

int upload_on_body(struct http_req *req, const char *data, size_t len)
{
	struct upload_req *st;
	int r;

	if (upload_start(req, &st) != 0)
		return -ECANCELED;
	if ((r = upload_feed(st->up, data, len)) < 0) {
		st->status = http_reply_error(req, http_status_from_errno(r), NULL,
			r == -ECONNREFUSED ? "the database went away during the upload" : "the upload failed");
		return r;
	}
	return 0;
}

static void error_json(struct strbuf *sb, const struct upload_error *e, int first)
{
	strbuf_puts(sb, first ? "{" : ",{");
	jsonw_member_int(sb, "row", e->row);
	jsonw_member_str(sb, "column", e->column[0] ? e->column : NULL);
	jsonw_member_str(sb, "code", e->code);
	jsonw_member_str(sb, "message", e->message);
	jsonw_member_str(sb, "message_vi", e->message_vi);
	strbuf_putc(sb, '}');
}

static ssize_t file_read(void *ud, uint64_t pos, char *buf, size_t max)
{
	FILE *f = ud;
	ssize_t n = pread(fileno(f), buf, max, (off_t)pos);

	return n == 0 ? HTTP_STREAM_END : n < 0 ? HTTP_STREAM_ERROR : n;
}

static void file_close(void *ud)
{
	fclose(ud);
}

/* Finishing an upload may wait for another upload of the round or a running fold: it runs on a
 * thread of its own, so that the connection's thread keeps serving the others (among them,
 * perhaps, the very upload it waits for). */
static void *finish_main(void *arg)
{
	struct http_req *req = arg;
	struct upload_req *st = req->state;

	st->finished = upload_finish(st->up);
	http_resume(req);
	return NULL;
}

int handle_upload_post(struct http_req *req)
{
	struct upload_req *st;
	const struct upload_result *res;
	struct strbuf sb;
	size_t i;
	int r;

	if (upload_start(req, &st) != 0)
		return st ? st->status : 500;
	if (!req->resumed) {
		pthread_attr_t attr;
		pthread_t t;

		http_suspend(req);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, finish_main, req) != 0)
			finish_main(req);        /* no thread to be had: finish here */
		pthread_attr_destroy(&attr);
		return HTTP_SUSPENDED;
	}
	r = st->finished;
	res = upload_result(st->up);
	if (st->errors_csv && (r == 0 || r == -EINVAL)) {
		char n[24];

		fflush(st->failed);
		snprintf(n, sizeof n, "%zu", res->errors_total);
		http_add_header(req, "X-Sipas-Errors", n);
		http_add_header(req, "Content-Disposition", "attachment; filename=\"loi-tai-len.csv\"");
		r = http_reply_stream(req, 200, "text/csv; charset=utf-8", file_read, st->failed, file_close);
		st->failed = NULL;
		return r;
	}
	strbuf_init(&sb, 0);
	if (r == 0 && st->dry_run) {
		strbuf_printf(&sb, "{\"rows\":%ld,\"errors\":[]}", res->rows);
		return http_reply_buf(req, 200, "application/json", &sb);
	}
	if (r == 0) {
		strbuf_printf(&sb, "{\"upload\":%lld,\"rows\":%ld}", res->upload_id, res->rows);
		return http_reply_buf(req, 201, "application/json", &sb);
	}
	if (r == -EINVAL) {
		strbuf_puts(&sb, "{\"errors\":[");
		for (i = 0; i < res->nerrors; i++)
			error_json(&sb, &res->errors[i], i == 0);
		strbuf_printf(&sb, "],\"total\":%zu,\"rows\":%ld}", res->errors_total, res->rows);
		return http_reply_buf(req, 422, "application/json", &sb);
	}
	if (r == -EEXIST) {
		strbuf_printf(&sb, "{\"error\":{\"code\":\"duplicate_file\",\"message\":"
			      "\"this file was stored before as upload %lld\",\"upload\":%lld}}",
			      res->earlier_upload, res->earlier_upload);
		return http_reply_buf(req, 409, "application/json", &sb);
	}
	strbuf_done(&sb);
	return r;
}
