/* handlers-intake.c - POST /api/v1/surveys/{survey}/responses: one response as JSON (docs/api.md,
 * citizens' responses). 201 {"id"} only after COMMIT; a resend with the same id and content is
 * 200 with that id; with other content 409. The body is checked by survey-forms/answers.h.
 * "channel" is api unless given: web and api for anyone, the others (interview, phone, paper)
 * for a team or admin caller acting for the response's agency (the interviewers' mode). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "app.h"
#include "auth.h"
#include "channel.h"
#include "csrf.h"
#include "db.h"
#include "form-cache.h"
#include "handlers.h"
#include "intake-submit.h"
#include "intake.h"
#include "invite.h"
#include "jsonw.h"

#define JSON "application/json"

struct intake_state {
	const struct form_entry *entry;
	struct answers *answers;
	struct db_response resp;        /* what is being stored (points into answers and id) */
	char id[DB_UUID_LEN];
	uint8_t ihash[32];
	struct intake_ticket ticket;    /* in the group-commit queue */
};

static void intake_state_free(void *p)
{
	struct intake_state *st = p;

	if (!st)
		return;
	answers_free(st->answers);
	form_cache_put(st->entry);
	free(st);
}

static int reply_id(struct http_req *req, int status, const char *id)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	strbuf_putc(&sb, '{');
	jsonw_member_str(&sb, "id", id);
	strbuf_putc(&sb, '}');
	return http_reply_buf(req, status, JSON, &sb);
}

/* One validation error in the documented shape (docs/api.md, conventions). */
static int reply_field_error(struct http_req *req, const char *field, const char *code, const char *message)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "{\"errors\":[{");
	jsonw_member_str(&sb, "field", field);
	jsonw_member_str(&sb, "code", code);
	jsonw_member_str(&sb, "message", message);
	strbuf_puts(&sb, "}]}");
	return http_reply_buf(req, 422, JSON, &sb);
}

/* A body that is not JSON at all (syntax, encoding, nesting) is 400; the rest is 422. */
static int reply_invalid(struct http_req *req, const struct answers *a)
{
	const struct answers_error *e = a->nerrors ? &a->errors[0] : NULL;
	struct strbuf sb;
	int r;

	if (e && !e->field[0] && (!strcmp(e->code, "invalid_json") || !strcmp(e->code, "encoding") ||
				  !strcmp(e->code, "too_deep")))
		return http_reply_error(req, 400, e->code, e->message);
	strbuf_init(&sb, 0);
	if ((r = answers_write_errors(a, &sb)) < 0) {
		strbuf_done(&sb);
		return r;
	}
	return http_reply_buf(req, 422, JSON, &sb);
}

/* True for the channels anyone may name (a citizen's web form or an app). */
static int channel_public(int ch)
{
	return ch == FORM_CHANNEL_WEB || ch == FORM_CHANNEL_API;
}

/* A staff channel: the caller must be a team or admin acting for the agency (a session also
 * sends its CSRF secret). Returns 0 or the status of the error reply it set. */
static int staff_check(struct http_req *req, const struct answers *a)
{
	if (req->auth.role != ROLE_TEAM && req->auth.role != ROLE_ADMIN)
		return http_reply_error(req, req->auth.role ? 403 : 401, "staff_only",
					"Kênh thu thập này chỉ dành cho tổ khảo sát: vui lòng đăng nhập.");
	if (req->auth.via_session && csrf_check(req, NULL) < 0)
		return http_reply_error(req, 403, "csrf", "the X-CSRF-Token header does not match this session");
	if (!a->agency[0])
		return reply_field_error(req, "agency", "missing_agency", "Vui lòng chọn cơ quan, đơn vị.");
	if (!auth_may_agency(&req->auth, a->agency))
		return http_reply_error(req, 403, "agency_forbidden",
					"Tổ khảo sát không phụ trách cơ quan, đơn vị này.");
	return 0;
}

int handle_intake(struct http_req *req)
{
	struct intake_state *st;
	struct db_response *resp;
	struct answers *a;
	char *id;
	int r, staff;

	if (req->resumed) {              /* back from the group-commit queue */
		st = req->state;
		r = intake_submit_result(req, &st->ticket);
		goto reply;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return -ENOMEM;
	req->state = st;
	req->state_free = intake_state_free;
	if (form_cache_find(req->app->forms, req->params[0], &st->entry) < 0) {
		struct db_conn *c = NULL;

		if ((r = app_db(req->app, &c)) < 0)
			return r;
		r = form_cache_get(req->app->forms, c, req->params[0], &st->entry);
		db_release(c);
	} else {
		r = 0;
	}
	if (r == -ENOENT)
		return http_reply_error(req, 404, "not_found", "Không tìm thấy đợt khảo sát này.");
	if (r < 0)
		return r;
	a = st->answers = answers_new(st->entry->form);
	if (!a)
		return -ENOMEM;
	r = answers_from_json(a, req->body.buf ? req->body.buf : "", req->body.len);
	if (r == -E2BIG)
		return http_reply_error(req, 413, "too_large", "Phiếu trả lời quá lớn.");
	if (r == -EINVAL)
		return reply_invalid(req, a);
	if (r < 0)
		return r;

	resp = &st->resp;
	id = st->id;
	staff = a->channel >= 0 && !channel_public(a->channel);
	if (staff && (r = staff_check(req, a)) != 0)
		return r;
	if (st->entry->survey.invite_only && !staff) {
		if (!a->invite[0])
			return http_reply_error(req, 403, "invite_required",
						"Đợt khảo sát này chỉ nhận phiếu có mã mời (trường \"invite\").");
		if (invite_hash(a->invite, st->ihash) < 0)
			return http_reply_error(req, 403, "invalid_invite", "Mã mời không đúng.");
		resp->invite = st->ihash;
	}
	if (a->id[0]) {
		memcpy(id, a->id, DB_UUID_LEN);
	} else if ((r = intake_uuid(id)) < 0) {
		return r;
	}
	resp->survey_id = st->entry->survey.id;
	resp->client_id = id;
	resp->agency = a->agency[0] ? a->agency : NULL;
	resp->channel = form_channels[a->channel >= 0 ? a->channel : FORM_CHANNEL_API].code;
	resp->codes = a->codes;
	resp->ncodes = st->entry->form->nslots;
	resp->answers = a->stored;
	intake_content_hash(a->json, a->json_len, a->agency, resp->content_hash);
	r = intake_submit(req, resp, &st->ticket);
	if (r == HTTP_SUSPENDED)
		return r;
reply:
	switch (r) {
	case DB_RESPONSE_CREATED:
		return reply_id(req, 201, st->id);
	case DB_RESPONSE_REPLAY:
		return reply_id(req, 200, st->id);
	case -EEXIST:
		return http_reply_error(req, 409, "id_conflict",
					"Mã phiếu (id) này đã được dùng cho một phiếu trả lời có nội dung khác.");
	case -ESHUTDOWN:
		return http_reply_error(req, 409, "survey_closed", "Đợt khảo sát này đã kết thúc, không nhận thêm phiếu.");
	case -EALREADY:
		return http_reply_error(req, 409, "invite_used", "Mã mời này đã được sử dụng.");
	case -EACCES:
		return http_reply_error(req, 403, "invalid_invite",
					"Mã mời không đúng, hoặc không dành cho cơ quan, đơn vị này.");
	case -ENXIO:
		return reply_field_error(req, "agency", "invalid_agency",
					 "Cơ quan, đơn vị này không có trong đợt khảo sát.");
	case -ENOENT:
		return http_reply_error(req, 404, "not_found", "Không tìm thấy đợt khảo sát này.");
	default:
		return r;
	}
}
