/* page.c - the HTML shell every page shares. Mobile-first, no external resources. */
#include <stdio.h>
#include <string.h>

#include "page.h"

static const char page_css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
	"color:#1b1b1b;background:#f6f7f9}"
	"header.site{background:#a4161a;color:#fff;padding:.6rem 1rem}"
	"header.site a{color:#fff;text-decoration:none;font-weight:600}"
	"main{max-width:60rem;margin:0 auto;padding:1rem}"
	"h1{font-size:1.4rem;line-height:1.3}h2{font-size:1.15rem}"
	"label{display:block;margin:.3rem 0}"
	"input[type=text],input[type=password],input[type=number],select,textarea{width:100%;"
	"max-width:36rem;padding:.55rem;font:inherit;border:1px solid #8a8f98;border-radius:.3rem}"
	"button,.button{display:inline-block;padding:.6rem 1.2rem;font:inherit;font-weight:600;color:#fff;"
	"background:#a4161a;border:0;border-radius:.3rem;cursor:pointer;text-decoration:none}"
	"button:focus,input:focus,select:focus,textarea:focus,a:focus{outline:3px solid #f2a900;outline-offset:2px}"
	".error{color:#a4161a;font-weight:600}"
	".notice{background:#fff;border-left:4px solid #a4161a;padding:.6rem 1rem}"
	"table{border-collapse:collapse;width:100%;background:#fff}"
	"th,td{border:1px solid #d5d8dc;padding:.35rem .5rem;text-align:left;vertical-align:top}"
	"th{background:#eef0f3}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
	"@media (min-width:48rem){body{font-size:17px}}";

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

int page_begin(struct strbuf *sb, const char *title)
{
	strbuf_puts(sb, "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	html_escape(sb, title);
	strbuf_puts(sb, "</title><style>");
	strbuf_puts(sb, page_css);
	return strbuf_puts(sb, "</style></head><body><header class=\"site\"><a href=\"/\">"
			   "SIPAS Lạng Sơn</a></header><main>");
}

int page_end(struct strbuf *sb)
{
	return strbuf_puts(sb, "</main></body></html>\n");
}

int page_error(struct strbuf *sb, int status, const char *message)
{
	char title[32];

	snprintf(title, sizeof title, "Lỗi %d", status);
	page_begin(sb, title);
	strbuf_printf(sb, "<h1>%s</h1><p>", title);
	html_escape(sb, message);
	strbuf_puts(sb, "</p><p><a href=\"/\">Về trang chủ</a></p>");
	return page_end(sb);
}
