/* page.h - the HTML shell every page shares: head, inline CSS, header, escaping. */
#pragma once

#include "strbuf.h"

/* Appends s HTML-escaped (& < > " '); returns 0 or a negative errno. */
int html_escape(struct strbuf *sb, const char *s);
/* Appends the doctype, head (title escaped, viewport, the shared CSS) and the page header;
 * returns 0 or a negative errno. */
int page_begin(struct strbuf *sb, const char *title);
/* Closes the page; returns 0 or a negative errno. */
int page_end(struct strbuf *sb);
/* Renders a whole error page (status and message escaped) for the HTTP layer's HTML routes;
 * returns 0 or a negative errno. */
int page_error(struct strbuf *sb, int status, const char *message);
