/* page.c - the HTML shell every page shares, the escaper, message and error pages.
 * Mobile-first, no external resources: the stylesheet (static/sipas.css) is inlined. */
#include "page.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "static-files.h"

int html_escape(struct strbuf *sb, const char *s)
{
	const char *run = s;
	int r = 0;

	if (!s)
		return 0;
	for (; *s && r == 0; s++) {
		const char *e;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		if ((r = strbuf_append(sb, run, (size_t)(s - run))) == 0)
			r = strbuf_puts(sb, e);
		run = s + 1;
	}
	return r ? r : strbuf_puts(sb, run);
}

int page_begin(struct strbuf *sb, enum page_kind kind, const char *title)
{
	return page_begin_app(sb, kind, title, NULL);
}

int page_begin_app(struct strbuf *sb, enum page_kind kind, const char *title, const char *manifest)
{
	int r;

	if ((r = strbuf_puts(sb, "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
			     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")) < 0 ||
	    (r = html_escape(sb, title)) < 0 || (r = strbuf_puts(sb, "</title>")) < 0)
		return r;
	if (manifest && ((r = strbuf_puts(sb, "<link rel=\"manifest\" href=\"")) < 0 ||
			 (r = html_escape(sb, manifest)) < 0 || (r = strbuf_puts(sb, "\">")) < 0))
		return r;
	if ((r = strbuf_puts(sb, "<style>")) < 0 ||
	    (r = strbuf_append(sb, sipas_css, sipas_css_len)) < 0)
		return r;
	/* the citizens' header is no link: the site has no home page for them */
	if (kind == PAGE_CITIZEN)
		return strbuf_puts(sb, "</style></head><body class=\"citizen\"><header class=\"site\">"
				   "SIPAS Lạng Sơn</header><main>");
	return strbuf_puts(sb, "</style></head><body><header class=\"site\"><a href=\"/\">"
			   "SIPAS Lạng Sơn</a></header><main>");
}

int page_end(struct strbuf *sb)
{
	return strbuf_puts(sb, "</main></body></html>\n");
}

int page_message(struct strbuf *sb, const char *title, const char *text, const char *link_href,
		 const char *link_text)
{
	int r;

	if ((r = page_begin(sb, PAGE_CITIZEN, title)) < 0 || (r = strbuf_puts(sb, "<h1>")) < 0 ||
	    (r = html_escape(sb, title)) < 0 || (r = strbuf_puts(sb, "</h1><p>")) < 0 ||
	    (r = html_escape(sb, text)) < 0 || (r = strbuf_puts(sb, "</p>")) < 0)
		return r;
	if (link_href &&
	    ((r = strbuf_puts(sb, "<p><a href=\"")) < 0 || (r = html_escape(sb, link_href)) < 0 ||
	     (r = strbuf_puts(sb, "\">")) < 0 || (r = html_escape(sb, link_text)) < 0 ||
	     (r = strbuf_puts(sb, "</a></p>")) < 0))
		return r;
	return page_end(sb);
}

/* The reason and a sentence for the statuses the server sends to browsers. */
static const struct {
	int status;
	const char *reason, *text;
} statuses[] = {
	{ 400, "Yêu cầu không hợp lệ", "Yêu cầu gửi tới máy chủ không hợp lệ." },
	{ 401, "Chưa đăng nhập", "Vui lòng đăng nhập để xem trang này." },
	{ 403, "Không có quyền truy cập", "Tài khoản của Ông/Bà không được phép xem trang này." },
	{ 404, "Không tìm thấy", "Không có trang nào ở địa chỉ này. Vui lòng kiểm tra lại đường dẫn." },
	{ 405, "Phương thức không được hỗ trợ", "Trang này không nhận loại yêu cầu này." },
	{ 409, "Xung đột dữ liệu", "Yêu cầu xung đột với dữ liệu hiện có." },
	{ 413, "Dữ liệu gửi lên quá lớn", "Dữ liệu gửi lên vượt quá giới hạn cho phép." },
	{ 415, "Định dạng không được hỗ trợ", "Máy chủ không nhận dữ liệu ở định dạng này." },
	{ 422, "Dữ liệu không hợp lệ", "Dữ liệu gửi lên chưa đúng. Vui lòng kiểm tra lại." },
	{ 429, "Quá nhiều yêu cầu", "Ông/Bà đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút." },
	{ 500, "Lỗi máy chủ", "Máy chủ gặp sự cố. Vui lòng thử lại sau." },
	{ 503, "Hệ thống đang bận", "Hệ thống đang bận hoặc đang bảo trì. Vui lòng thử lại sau ít phút." },
};

static bool non_ascii(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

int page_error(struct strbuf *sb, int status, const char *message)
{
	const char *reason = "Có lỗi xảy ra", *text = "Yêu cầu không thực hiện được. Vui lòng thử lại sau.";
	char head[128];
	size_t i;

	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (statuses[i].status == status) {
			reason = statuses[i].reason;
			text = statuses[i].text;
		}
	if (non_ascii(message))
		text = message;
	snprintf(head, sizeof head, "Lỗi %d: %s", status, reason);
	return page_message(sb, head, text, "/", "Về trang chủ");
}
