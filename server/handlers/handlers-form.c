/* handlers-form.c - the citizens' web form: GET and POST /s/{survey}, the thank-you page and
 * the enhancement script. Works without JavaScript; a double-submit CSRF token guards POST.
 * GET /collect/{survey}: the same form in the interviewers' mode (team, admin). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "channel.h"
#include "csrf.h"
#include "db-invites.h"
#include "db-surveys.h"
#include "db.h"
#include "form-cache.h"
#include "handlers.h"
#include "html-form.h"
#include "intake-submit.h"
#include "intake.h"
#include "invite.h"
#include "page.h"
#include "round-views.h"
#include "static-files.h"
#include "webform.h"

#define MAX_AGENCIES 2000
#define HTML "text/html; charset=utf-8"

/* The agencies offered in the select, with their strings in one arena. */
struct agency_list {
	const struct http_auth *only;   /* the interviewers' mode: the caller's agencies only */
	size_t n;
	struct html_agency list[MAX_AGENCIES];
	struct strbuf arena;
	size_t offs[MAX_AGENCIES][2];
};

static int agency_add(void *ud, const char *code, const char *name)
{
	struct agency_list *l = ud;
	int r;

	if (l->n == MAX_AGENCIES || (l->only && !auth_may_agency(l->only, code)))
		return 0;
	l->offs[l->n][0] = l->arena.len;
	if ((r = strbuf_append(&l->arena, code, strlen(code) + 1)) < 0)
		return r;
	l->offs[l->n][1] = l->arena.len;
	if ((r = strbuf_append(&l->arena, name, strlen(name) + 1)) < 0)
		return r;
	l->n++;
	return 0;
}

static void agency_list_fix(struct agency_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		l->list[i].code = l->arena.buf + l->offs[i][0];
		l->list[i].name = l->arena.buf + l->offs[i][1];
	}
}

static int page(struct http_req *req, int status, const char *title, const char *text,
		const char *href, const char *link)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	page_message(&sb, title, text, href, link);
	return http_reply_buf(req, status, HTML, &sb);
}

static int not_found(struct http_req *req)
{
	return page(req, 404, "Không tìm thấy đợt khảo sát",
		    "Địa chỉ này không dẫn tới đợt khảo sát nào. Vui lòng kiểm tra lại đường dẫn.", NULL, NULL);
}

static int closed(struct http_req *req)
{
	return page(req, 409, "Đợt khảo sát đã kết thúc",
		    "Đợt khảo sát này hiện không nhận phiếu trả lời. Xin cảm ơn Ông/Bà đã quan tâm.", NULL, NULL);
}

static int invite_page(struct http_req *req, int status, const struct form_entry *e, const char *message)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	html_form_invite_page(&sb, e->survey.code, e->survey.title, message);
	return http_reply_buf(req, status, HTML, &sb);
}

/* Per-request state of the form routes, freed by the completion callback. */
struct form_state {
	struct db_conn *conn;
	const struct form_entry *entry;
	struct agency_list *agencies;
	struct urlenc_form posted;
	struct webform_result result;
	/* a post on its way to the database (the group-commit queue may park the request) */
	struct db_response resp;
	struct intake_ticket ticket;
	char id[DB_UUID_LEN];
	uint8_t ihash[32];
	const char *invite;             /* in posted */
	char name[320];                 /* the invitation's agency name */
};

static void form_state_free(void *p)
{
	struct form_state *st = p;

	if (!st)
		return;
	db_release(st->conn);
	form_cache_put(st->entry);
	if (st->agencies)
		strbuf_done(&st->agencies->arena);
	free(st->agencies);
	urlenc_done(&st->posted);
	webform_result_done(&st->result);
	free(st);
}

/* Takes a pooled connection for st when it has none; returns 0 or a negative errno. */
static int form_conn(struct http_req *req, struct form_state *st)
{
	return st->conn ? 0 : app_db(req->app, &st->conn);
}

/* The round's view (round-views.h): calls fn for each agency offered, sets *serial (may be
 * NULL; 0: not kept); returns 1 open, 0 closed, or a negative errno. Reads the database only
 * when the view is not kept. */
static int form_view(struct http_req *req, struct form_state *st, round_agency_fn fn, void *ud,
		     unsigned long long *serial)
{
	int r = round_views_get(req->app->rounds, st->entry->survey.id, fn, ud, serial);

	if (r != -ENOENT)
		return r;
	if ((r = form_conn(req, st)) < 0)
		return r;
	return round_views_load(req->app->rounds, st->conn, st->entry->survey.id, fn, ud, serial);
}

/* Sets up the state: the round, open. Returns 0 or a status with the reply set. */
static int form_begin(struct http_req *req, struct form_state **out)
{
	struct form_state *st = calloc(1, sizeof *st);
	int r;

	if (!st)
		return -ENOMEM;
	req->state = st;
	req->state_free = form_state_free;
	r = form_cache_find(req->app->forms, req->params[0], &st->entry);
	if (r == -ENOENT && (r = form_conn(req, st)) == 0)
		r = form_cache_get(req->app->forms, st->conn, req->params[0], &st->entry);
	if (r == -ENOENT)
		return not_found(req);
	if (r < 0)
		return r;
	r = form_view(req, st, NULL, NULL, NULL);
	if (r == -ENOENT)
		return not_found(req);
	if (r < 0)
		return r;
	if (r == 0)
		return closed(req);
	*out = st;
	return 0;
}

/* Checks an invitation code; writes its agency's code and name. Returns 0 or a status with
 * the invitation page set. */
static int invite_check(struct http_req *req, struct form_state *st, const char *code,
			char agency[40], char name[320])
{
	uint8_t hash[32];
	int r;

	if ((!code || !*code) && !strcmp(req->method, "POST"))
		return invite_page(req, 403, st->entry, "Vui lòng nhập mã mời.");
	if (!code || !*code)
		return invite_page(req, 200, st->entry, NULL);
	if (invite_hash(code, hash) < 0)
		return invite_page(req, 403, st->entry, "Mã mời không đúng. Vui lòng kiểm tra lại.");
	if ((r = form_conn(req, st)) < 0)
		return r;
	r = db_invite_peek(st->conn, st->entry->survey.id, hash, agency, 40, name, 320);
	if (r == -ENOENT)
		return invite_page(req, 403, st->entry, "Mã mời không đúng. Vui lòng kiểm tra lại.");
	if (r == -EALREADY)
		return page(req, 409, "Mã mời đã được sử dụng",
			    "Mã mời này đã được dùng để gửi một phiếu trả lời. Mỗi mã chỉ dùng được một lần.",
			    NULL, NULL);
	return r;
}

#define CSRF_LEN 64

/* Writes the request's csrf token and client id over a fresh page's marks; returns 0, or
 * -EINVAL when they are not of the lengths the page was made with. */
static int page_fill(struct strbuf *sb, const size_t marks[ROUND_VIEW_MARKS], const char *csrf,
		     const char *client_id)
{
	if (strlen(csrf) != CSRF_LEN || strlen(client_id) != DB_UUID_LEN - 1 ||
	    marks[0] + CSRF_LEN > sb->len || marks[1] + DB_UUID_LEN - 1 > sb->len)
		return -EINVAL;
	memcpy(sb->buf + marks[0], csrf, CSRF_LEN);
	memcpy(sb->buf + marks[1], client_id, DB_UUID_LEN - 1);
	return 0;
}

/* Renders the form (fresh, or again with the answers and errors; collect: the interviewers'
 * mode); returns status. A fresh citizens' page is rendered once per round's view and kept
 * beside it (round_views_keep_page); each request writes its own csrf token and id into it. */
static int render_as(struct http_req *req, int status, struct form_state *st, const char *invite,
		     const char *invite_agency, const char *client_id, int collect)
{
	unsigned long long serial = 0;
	size_t marks[ROUND_VIEW_MARKS];
	struct html_form_view v;
	struct strbuf sb;
	char csrf[CSRF_LEN + 1];
	bool fresh = status == 200 && !collect && !invite && client_id && !st->posted.n && !st->result.nerrors;
	int r;

	if (collect)
		snprintf(csrf, sizeof csrf, "%.64s", req->auth.via_session ? req->auth.csrf : "");
	else if ((r = csrf_token(req, csrf)) < 0)
		return r;
	if (fresh) {
		strbuf_init(&sb, 0);
		if (round_views_page(req->app->rounds, st->entry->survey.id, &sb, marks) == 0 &&
		    page_fill(&sb, marks, csrf, client_id) == 0)
			return http_reply_buf(req, 200, HTML, &sb);
		strbuf_done(&sb);
	}
	memset(&v, 0, sizeof v);
	v.collect = collect;
	v.survey_code = st->entry->survey.code;
	v.survey_title = st->entry->survey.title;
	v.form = st->entry->form;
	v.csrf = csrf;
	v.client_id = client_id;
	v.invite = invite;
	v.invite_agency = invite_agency;
	if (!invite) {
		st->agencies = calloc(1, sizeof *st->agencies);
		if (!st->agencies)
			return -ENOMEM;
		strbuf_init(&st->agencies->arena, 0);
		st->agencies->only = collect ? &req->auth : NULL;
		if ((r = form_view(req, st, agency_add, st->agencies, &serial)) < 0)
			return r;
		agency_list_fix(st->agencies);
		v.agencies = st->agencies->list;
		v.nagencies = st->agencies->n;
	}
	db_release(st->conn);
	st->conn = NULL;
	if (st->posted.n || status != 200)
		v.posted = &st->posted;
	v.errors = st->result.errors;
	v.nerrors = st->result.nerrors;
	v.marks = fresh ? marks : NULL;
	strbuf_init(&sb, 0);
	if ((r = html_form_render(&sb, &v)) < 0) {
		strbuf_done(&sb);
		return r;
	}
	if (fresh && strlen(csrf) == CSRF_LEN && strlen(client_id) == DB_UUID_LEN - 1)
		round_views_keep_page(req->app->rounds, st->entry->survey.id, serial, sb.buf, sb.len, marks);
	return http_reply_buf(req, status, HTML, &sb);
}

static int render(struct http_req *req, int status, struct form_state *st, const char *invite,
		  const char *invite_agency, const char *client_id)
{
	return render_as(req, status, st, invite, invite_agency, client_id, 0);
}

int handle_form_get(struct http_req *req)
{
	struct form_state *st = NULL;
	char agency[40], name[320], id[DB_UUID_LEN];
	const char *invite = NULL;
	int r;

	if ((r = form_begin(req, &st)) != 0)
		return r;
	if (st->entry->survey.invite_only) {
		invite = http_query(req, "invite");
		if ((r = invite_check(req, st, invite, agency, name)) != 0)
			return r;
	}
	if ((r = intake_uuid(id)) < 0)
		return r;
	return render(req, 200, st, invite, invite ? name : NULL, id);
}

int handle_form_post(struct http_req *req)
{
	struct form_state *st = NULL;
	struct db_response *resp;
	char agency[40], location[200];
	const char *cid, *chosen;
	int r;

	if (req->resumed) {              /* back from the group-commit queue */
		st = req->state;
		r = intake_submit_result(req, &st->ticket);
		goto stored;
	}
	if ((r = form_begin(req, &st)) != 0)
		return r;
	r = urlenc_parse(req->body.buf ? req->body.buf : "", req->body.len, &st->posted);
	if (r == -E2BIG)
		return http_reply_error(req, 413, NULL, "Phiếu gửi lên quá lớn.");
	if (r < 0)
		return http_reply_error(req, 400, NULL, "Dữ liệu gửi lên không đọc được (mã hoá không hợp lệ).");
	if (csrf_check(req, urlenc_get(&st->posted, HTML_FIELD_CSRF)) < 0)
		return page(req, 403, "Phiên làm việc đã hết hạn",
			    "Không gửi được phiếu vì phiên làm việc đã hết hạn hoặc trình duyệt chặn cookie."
			    " Vui lòng tải lại trang khảo sát và gửi lại.", req->path, "Tải lại phiếu khảo sát");
	cid = urlenc_get(&st->posted, HTML_FIELD_ID);
	if (intake_uuid_valid(cid)) {
		intake_uuid_lower(cid, st->id);
	} else if ((r = intake_uuid(st->id)) < 0) {
		return r;
	}
	if (st->entry->survey.invite_only) {
		st->invite = urlenc_get(&st->posted, HTML_FIELD_INVITE);
		if ((r = invite_check(req, st, st->invite, agency, st->name)) != 0)
			return r;
		chosen = agency;
	} else {
		chosen = urlenc_get(&st->posted, HTML_FIELD_AGENCY);
	}
	r = webform_validate(st->entry->form, &st->posted, chosen, &st->result);
	if (r < 0)
		return r;
	if (st->result.nerrors)
		return render(req, 422, st, st->invite, st->invite ? st->name : NULL, st->id);

	resp = &st->resp;
	resp->survey_id = st->entry->survey.id;
	resp->client_id = st->id;
	resp->agency = chosen;
	resp->channel = form_channels[FORM_CHANNEL_WEB].code;
	resp->codes = st->result.a->codes;
	resp->ncodes = st->entry->form->nslots;
	resp->answers = st->result.a->stored;
	intake_content_hash(st->result.a->json, st->result.a->json_len, chosen, resp->content_hash);
	if (st->invite) {
		invite_hash(st->invite, st->ihash);
		resp->invite = st->ihash;
	}
	db_release(st->conn);       /* the writer or the one-row path takes its own */
	st->conn = NULL;
	r = intake_submit(req, resp, &st->ticket);
	if (r == HTTP_SUSPENDED)
		return r;
stored:
	switch (r) {
	case DB_RESPONSE_CREATED:
	case DB_RESPONSE_REPLAY:
		snprintf(location, sizeof location, "/s/%s/thanks", st->entry->survey.code);
		return http_redirect(req, location);
	case -ESHUTDOWN:
		return closed(req);
	case -ENOENT:
		return not_found(req);
	case -EEXIST:
		return page(req, 409, "Phiếu đã được gửi",
			    "Phiếu trả lời này đã được gửi trước đó với nội dung khác. Nếu muốn trả lời lại,"
			    " vui lòng mở một phiếu mới.", req->path, "Mở phiếu mới");
	case -EALREADY:
		return page(req, 409, "Mã mời đã được sử dụng",
			    "Mã mời này đã được dùng để gửi một phiếu trả lời. Mỗi mã chỉ dùng được một lần.",
			    NULL, NULL);
	case -EACCES:
		return invite_page(req, 403, st->entry, "Mã mời không đúng. Vui lòng kiểm tra lại.");
	case -ENXIO:
		if ((r = webform_error(&st->result, HTML_FIELD_AGENCY,
				       "Vui lòng chọn cơ quan, đơn vị trong danh sách.")) < 0)
			return r;
		return render(req, 422, st, st->invite, st->invite ? st->name : NULL, st->id);
	default:
		return r;
	}
}

int handle_form_thanks(struct http_req *req)
{
	return page(req, 200, "Cảm ơn Ông/Bà đã tham gia khảo sát",
		    "Phiếu trả lời đã được ghi nhận. Ý kiến của Ông/Bà giúp các cơ quan nhà nước tỉnh Lạng Sơn"
		    " phục vụ người dân, tổ chức tốt hơn.", NULL, NULL);
}

int handle_form_js(struct http_req *req)
{
	return http_reply(req, 200, "text/javascript; charset=utf-8", form_js, form_js_len);
}

int handle_collect_get(struct http_req *req)
{
	struct form_state *st = NULL;
	char next[HTTP_PARAM_MAX + 32];
	int r;

	if ((r = form_begin(req, &st)) != 0)
		return r;
	if (req->auth.role != ROLE_ADMIN && req->auth.role != ROLE_TEAM) {
		if (req->auth.role != 0)
			return http_reply_error(req, 403, NULL, "Trang này dành cho tổ khảo sát và quản trị viên.");
		/* the round's code as stored: letters, digits, '_', '.', '-' */
		snprintf(next, sizeof next, "/login?next=/collect/%s", st->entry->survey.code);
		return http_redirect(req, next);
	}
	return render_as(req, 200, st, NULL, NULL, NULL, 1);
}
