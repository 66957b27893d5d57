/* handlers-upload-page.c - the paper-upload page (/upload/{survey}) and its script. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "db-uploads.h"
#include "db.h"
#include "form-cache.h"
#include "handlers.h"
#include "page.h"
#include "static-files.h"


#define PAGE_HISTORY_ROWS 20

struct history_rows {
	struct strbuf *sb;
	int n;
};

static int history_row(void *ud, const struct db_upload_info *u)
{
	struct history_rows *h = ud;
	struct strbuf *sb = h->sb;

	if (h->n++ >= PAGE_HISTORY_ROWS)
		return 0;
	strbuf_printf(sb, "<tr><td class=\"num\">%lld</td><td>", u->id);
	html_escape(sb, u->created_at);
	strbuf_puts(sb, "</td><td>");
	html_escape(sb, u->who);
	strbuf_puts(sb, "</td><td>");
	html_escape(sb, u->file_name ? u->file_name : "");
	strbuf_printf(sb, "</td><td class=\"num\">%ld</td><td>%s</td></tr>", u->rows,
		      strcmp(u->status, "stored") ? "đã rút lại" : "đã lưu");
	return 0;
}

int handle_upload_page(struct http_req *req)
{
	const char *code;
	const struct form_entry *e = NULL;
	struct db_conn *c = NULL;
	struct strbuf sb, hist;
	struct history_rows h = { &hist, 0 };
	char next[HTTP_PARAM_MAX + 32];
	int r;

	if ((r = app_db(req->app, &c)) < 0)
		return r;
	r = form_cache_get(req->app->forms, c, req->params[0], &e);
	if (r < 0) {
		db_release(c);
		return r == -ENOENT ? http_reply_error(req, 404, NULL, "Không có đợt khảo sát này.") : r;
	}
	if (req->auth.role != ROLE_ADMIN && req->auth.role != ROLE_TEAM) {
		db_release(c);
		snprintf(next, sizeof next, "/login?next=/upload/%s", e->survey.code);
		form_cache_put(e);
		if (req->auth.role != 0)
			return http_reply_error(req, 403, NULL, "Trang này dành cho tổ khảo sát và quản trị viên.");
		return http_redirect(req, next);
	}
	code = e->survey.code;      /* as stored: letters, digits, '_', '.', '-' */
	strbuf_init(&sb, 0);
	strbuf_init(&hist, 0);
	r = db_uploads_each(c, e->survey.id, history_row, &h);
	db_release(c);
	if (r < 0) {
		form_cache_put(e);
		strbuf_done(&sb);
		strbuf_done(&hist);
		return r;
	}
	page_begin(&sb, PAGE_STAFF, "Tải lên kết quả phiếu giấy – SIPAS Lạng Sơn");
	strbuf_puts(&sb, "<h1>Tải lên kết quả phiếu giấy</h1><p>Đợt khảo sát: <strong>");
	html_escape(&sb, e->survey.title);
	strbuf_printf(&sb, "</strong> (%s)</p>", code);
	strbuf_printf(&sb, "<p>Nhập kết quả vào bảng tính theo <a href=\"/api/v1/surveys/%s/template.csv\">mẫu nhập liệu</a> "
		      "(xem <a href=\"/api/v1/surveys/%s/codebook.csv\">bảng mã</a>), lưu dưới dạng bảng tính Excel (.xlsx) "
		      "hoặc CSV UTF-8 rồi chọn tệp dưới đây (với tệp Excel, chỉ trang tính đầu tiên được đọc, dòng 1 là "
		      "dòng tiêu đề). Cả tệp được kiểm tra: nếu có dòng sai thì không phiếu nào được lưu.</p>", code, code);
	strbuf_printf(&sb, "<form id=\"upload-form\" data-survey=\"%s\" data-csrf=\"%s\">", code,
		      req->auth.via_session ? req->auth.csrf : "");
	strbuf_puts(&sb, "<label for=\"file\">Tệp Excel (.xlsx) hoặc CSV</label>"
		    "<input type=\"file\" id=\"file\" name=\"file\" accept=\".xlsx,.csv,text/csv,"
		    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\" required>"
		    "<label><input type=\"checkbox\" id=\"dry-run\"> Chỉ kiểm tra, chưa lưu</label>"
		    "<p><button type=\"submit\" id=\"send\">Tải lên</button></p></form>"
		    "<noscript><p class=\"error\">Trang này cần JavaScript. Có thể dùng lệnh "
		    "<code>sipas upload</code> hoặc API thay thế.</p></noscript>"
		    "<p><progress id=\"progress\" max=\"100\" value=\"0\" hidden></progress> "
		    "<span id=\"progress-text\"></span></p>"
		    "<p id=\"result\" role=\"status\" aria-live=\"polite\" hidden></p>"
		    "<table id=\"errors\" hidden><thead><tr><th scope=\"col\">Dòng</th><th scope=\"col\">Cột</th>"
		    "<th scope=\"col\">Lỗi</th></tr></thead><tbody></tbody></table>"
		    "<p id=\"errors-more\" hidden></p>"
		    "<p><a id=\"errors-download\" href=\"#\" hidden>Tải về các dòng bị lỗi (CSV) để sửa</a></p>"
		    "<script src=\"/static/upload.js\"></script>");
	if (h.n > 0) {
		strbuf_puts(&sb, "<h2>Các lần tải lên gần đây</h2><table id=\"history\"><thead><tr>"
			    "<th scope=\"col\">Số</th><th scope=\"col\">Thời gian</th><th scope=\"col\">Người tải</th>"
			    "<th scope=\"col\">Tệp</th><th scope=\"col\">Số phiếu</th><th scope=\"col\">Trạng thái</th>"
			    "</tr></thead><tbody>");
		strbuf_append(&sb, hist.buf, hist.len);
		strbuf_puts(&sb, "</tbody></table>");
	}
	strbuf_done(&hist);
	page_end(&sb);
	form_cache_put(e);
	return http_reply_buf(req, 200, "text/html; charset=utf-8", &sb);
}

int handle_upload_js(struct http_req *req)
{
	return http_reply(req, 200, "text/javascript; charset=utf-8", upload_js, upload_js_len);
}
