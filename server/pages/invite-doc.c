/* invite-doc.c - the invitations export in csv or html (see invite-doc.h). */
#include "invite-doc.h"

#include <errno.h>

#include "invite-export.h"
#include "letters.h"

int invite_doc_begin(struct invite_doc *d)
{
	struct letters_ctx x = { d->title };

	d->count = 0;
	return d->html ? letters_begin(&x, d->sb) : strbuf_puts(d->sb, INVITE_EXPORT_HEADER);
}

int invite_doc_row(void *ud, const struct db_invite_row *row)
{
	struct invite_doc *d = ud;
	struct letters_ctx x = { d->title };
	struct strbuf url;
	struct letter l;
	int r;

	if (d->max && d->count >= d->max)
		return -E2BIG;
	d->count++;
	if (!d->html)
		return invite_export_csv_row(d->sb, row, d->base, d->survey);
	strbuf_init(&url, 0);
	if ((r = invite_url(&url, d->base, d->survey, row->code)) < 0)
		goto out;
	l.code = row->code;
	l.agency_name = row->agency_name;
	l.name = row->name;
	l.address = row->address;
	l.url = strbuf_str(&url);
	r = letters_add(&x, d->sb, &l);
out:
	strbuf_done(&url);
	return r;
}

int invite_doc_end(struct invite_doc *d)
{
	struct letters_ctx x = { d->title };

	return d->html ? letters_end(&x, d->sb, d->count) : 0;
}
