/* letters.h - printable invitation letters (contract §6): A4, one a page, in Vietnamese, each
 * with the agency's name, what the survey is for, the code in groups of four and a QR code of
 * the personal URL. A standalone document (not the site's shell: nothing but the letters may
 * print), written letter by letter so that a caller can stream it. */
#pragma once

#include "strbuf.h"

struct letters_ctx {
	const char *title;      /* the round's title: what the survey is for */
};

/* One letter's content (NULL or "" where unknown). */
struct letter {
	const char *code, *agency_name, *name, *address;
	const char *url;        /* the personal URL (store/invite-export.h invite_url) */
};

/* Appends the document's head and opening; returns 0 or a negative errno. */
int letters_begin(const struct letters_ctx *x, struct strbuf *sb);
/* Appends one letter (one A4 page); returns 0 or a negative errno. */
int letters_add(const struct letters_ctx *x, struct strbuf *sb, const struct letter *l);
/* Appends the document's end; with no letter added, a line saying there are none. */
int letters_end(const struct letters_ctx *x, struct strbuf *sb, long count);
