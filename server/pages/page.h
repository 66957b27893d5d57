/* page.h - the HTML shell every page shares (doctype, head with the one stylesheet, header,
 * footer), the one escaper, and the short pages built on the shell alone: messages and errors. */
#pragma once

#include "strbuf.h"

/* Who a page is for: the staff pages (login, upload, dashboard) take the wide column; the
 * citizens' pages (form, thanks, invitation, errors) larger type and a narrow column. */
enum page_kind {
	PAGE_STAFF,
	PAGE_CITIZEN,
};

/* Appends s HTML-escaped (& < > " '); s may be NULL (nothing appended). Returns 0 or a negative errno. */
int html_escape(struct strbuf *sb, const char *s);

/* Appends the doctype, the head (title escaped, viewport, sipas.css inlined) and the page's
 * header, and opens <main>; returns 0 or a negative errno. */
int page_begin(struct strbuf *sb, enum page_kind kind, const char *title);
/* page_begin with a web app manifest's link in the head (manifest: a path, escaped; NULL for
 * none): the pages that work offline (docs/api.md, offline collection). */
int page_begin_app(struct strbuf *sb, enum page_kind kind, const char *title, const char *manifest);
/* Closes <main> and the page; returns 0 or a negative errno. */
int page_end(struct strbuf *sb);

/* Appends a whole citizens' page: title as the heading, a paragraph of text, and a link
 * when link_href is not NULL (all escaped). Returns 0 or a negative errno. */
int page_message(struct strbuf *sb, const char *title, const char *text, const char *link_href,
		 const char *link_text);

/* Appends a whole error page for an HTTP status (400 to 599) through the shell: the heading
 * "Lỗi <status>: <Vietnamese reason>" (a generic reason for a status without one), message
 * escaped as the text when it is Vietnamese (holds a non-ASCII byte; the API's English
 * messages are left out for a sentence on the status), and a link home ("Về trang chủ", /).
 * Needs no database and no request. Returns 0 or a negative errno (-ENOMEM, -E2BIG), when sb
 * may hold part of the page. */
int page_error(struct strbuf *sb, int status, const char *message);
