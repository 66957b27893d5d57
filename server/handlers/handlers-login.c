/* handlers-login.c - GET/POST /login and POST /logout: browser sessions from a token. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "csrf.h"
#include "db-auth.h"
#include "db.h"
#include "handlers.h"
#include "page.h"
#include "sha256.h"
#include "urlencoded.h"

/* A local path to go back to after logging in, or "/" (no open redirects). */
static const char *safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 400 ||
	    strpbrk(next, "\r\n\"<>"))
		return "/";
	return next;
}

static int login_page(struct http_req *req, int status, const char *next, const char *error)
{
	struct strbuf sb;
	char csrf[65];
	int r;

	if ((r = csrf_token(req, csrf)) < 0)
		return r;
	strbuf_init(&sb, 0);
	page_begin(&sb, PAGE_STAFF, "Đăng nhập – SIPAS Lạng Sơn");
	strbuf_puts(&sb, "<h1>Đăng nhập</h1><p>Dành cho cán bộ khảo sát và phân tích. "
		    "Nhập mã truy cập (token) được cấp cho Ông/Bà.</p>");
	if (error) {
		strbuf_puts(&sb, "<p class=\"error\" role=\"alert\" id=\"login-error\">");
		html_escape(&sb, error);
		strbuf_puts(&sb, "</p>");
	}
	strbuf_puts(&sb, "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"");
	strbuf_puts(&sb, csrf);
	strbuf_puts(&sb, "\"><input type=\"hidden\" name=\"next\" value=\"");
	html_escape(&sb, safe_next(next));
	strbuf_puts(&sb, "\"><label for=\"token\">Mã truy cập</label><input type=\"password\" id=\"token\" "
		    "name=\"token\" autocomplete=\"off\" required");
	if (error)
		strbuf_puts(&sb, " aria-describedby=\"login-error\" aria-invalid=\"true\"");
	strbuf_puts(&sb, "><p><button type=\"submit\">Đăng nhập</button></p></form>");
	page_end(&sb);
	return http_reply_buf(req, status, "text/html; charset=utf-8", &sb);
}

int handle_login_get(struct http_req *req)
{
	return login_page(req, 200, http_query(req, "next"), NULL);
}

int handle_login_post(struct http_req *req)
{
	struct urlenc_form form = { 0 };
	struct http_auth who;
	struct db_conn *c = NULL;
	const char *token, *next;
	char sid[65], csrf[65], cookie[200];
	uint8_t sid_hash[32], unused[32];
	int r;

	r = urlenc_parse(strbuf_str(&req->body), req->body.len, &form);
	if (r < 0)
		return login_page(req, 400, NULL, "Biểu mẫu không hợp lệ.");
	next = urlenc_get(&form, "next");
	if (csrf_check(req, urlenc_get(&form, CSRF_FIELD)) < 0) {
		r = login_page(req, 403, next, "Phiên làm việc đã hết hạn, xin vui lòng thử lại.");
		goto out;
	}
	token = urlenc_get(&form, "token");
	if ((r = app_db(req->app, &c)) < 0)
		goto out;
	memset(&who, 0, sizeof who);
	r = token ? auth_check_token(c, token, &who) : -EPERM;
	if (r == -EPERM) {
		r = login_page(req, 401, next, "Mã truy cập không đúng hoặc đã bị thu hồi.");
		goto out;
	}
	if (r < 0)
		goto out;
	if ((r = auth_secret_generate(sid, sid_hash)) < 0 || (r = auth_secret_generate(csrf, unused)) < 0)
		goto out;
	sha256_digest(sid, 64, sid_hash);
	if ((r = db_session_create(c, sid_hash, who.token_id, csrf, AUTH_SESSION_TTL_S)) < 0)
		goto out;
	db_audit(c, who.token_id, who.name, "session.login", 0, NULL);
	snprintf(cookie, sizeof cookie, AUTH_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
		 sid, AUTH_SESSION_TTL_S);
	http_add_header(req, "Set-Cookie", cookie);
	r = http_redirect(req, safe_next(next));
out:
	db_release(c);
	urlenc_done(&form);
	return r;
}

int handle_logout(struct http_req *req)
{
	struct urlenc_form form = { 0 };
	struct db_conn *c = NULL;
	const char *sid = http_cookie(req, AUTH_SESSION_COOKIE);
	uint8_t h[32];
	int r;

	if (urlenc_parse(strbuf_str(&req->body), req->body.len, &form) < 0 ||
	    csrf_check(req, urlenc_get(&form, CSRF_FIELD)) < 0) {
		urlenc_done(&form);
		return http_reply_error(req, 403, "csrf", "Yêu cầu không hợp lệ (CSRF).");
	}
	urlenc_done(&form);
	if (req->auth.via_session && sid && strlen(sid) == 64) {
		if ((r = app_db(req->app, &c)) < 0)
			return r;
		sha256_digest(sid, 64, h);
		r = db_session_delete(c, h);
		if (r == 0)
			db_audit(c, req->auth.token_id, req->auth.name, "session.logout", 0, NULL);
		db_release(c);
		if (r < 0)
			return r;
	}
	http_add_header(req, "Set-Cookie", AUTH_SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	return http_redirect(req, "/login");
}
