/* invite-doc.h - the invitations export in either format (contract §6), one writer for
 * `sipas invites export` and the admin routes: csv (store/invite-export.h) or html letters. */
#pragma once

#include <stdbool.h>

#include "db-sample.h"
#include "strbuf.h"

struct invite_doc {
	const char *base;       /* checked base URL */
	const char *survey;     /* round code */
	const char *title;      /* round title */
	bool html;
	long count;
	long max;               /* rows or letters at most (0 = no limit): more is -E2BIG */
	struct strbuf *sb;      /* where the document goes (the caller may drain it between rows) */
};

/* Appends the CSV header or the letters' head; returns 0 or a negative errno. */
int invite_doc_begin(struct invite_doc *d);
/* A db_invite_row_fn: appends one row or letter; returns 0 or a negative errno. */
int invite_doc_row(void *ud, const struct db_invite_row *row);
/* Appends the document's end; returns 0 or a negative errno. */
int invite_doc_end(struct invite_doc *d);
