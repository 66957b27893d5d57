/* handlers-invites.c - GET /api/v1/surveys/{survey}/invites.csv and /admin/{survey}/letters
 * (contract §6): the drawn invitations with their contacts, admins only (the route table),
 * every call audited before the contacts are read (db_invites_export). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analyst.h"
#include "db-sample.h"
#include "handlers.h"
#include "invite-doc.h"
#include "invite-export.h"

#define LETTERS_MAX 5000L       /* letters of one reply (about 5 KB each): more asks for ?agency= */

static int invites_reply(struct http_req *req, bool html)
{
	struct analyst_ctx *x = NULL;
	const char *base = http_query(req, "base_url"), *agency = http_query(req, "agency");
	const char *unused = http_query(req, "unused");
	struct invite_doc d;
	struct strbuf sb;
	char disp[160];
	int r;

	if (!base || invite_base_url_check(base) < 0)
		return analyst_bad(req, "base_url must be an http:// or https:// address (at most %d bytes)",
				   INVITE_BASE_URL_MAX);
	if (agency && (!agency[0] || strlen(agency) > 32))
		return analyst_bad(req, "agency must be an agency code");
	if (unused && strcmp(unused, "0") && strcmp(unused, "1"))
		return analyst_bad(req, "unused must be 0 or 1");
	if ((r = analyst_open(req, req->params[0], false, &x)) != 0)
		return r;
	strbuf_init(&sb, 0);
	memset(&d, 0, sizeof d);
	d.base = base;
	d.survey = x->fe->survey.code;
	d.title = x->fe->survey.title;
	d.html = html;
	d.max = html ? LETTERS_MAX : 0;
	d.sb = &sb;
	if ((r = invite_doc_begin(&d)) < 0 ||
	    (r = db_invites_export(x->c, x->fe->survey.id, agency, unused && !strcmp(unused, "1"), req->auth.token_id,
				   req->auth.name, html ? "html" : "csv", invite_doc_row, &d)) < 0 ||
	    (r = invite_doc_end(&d)) < 0) {
		strbuf_done(&sb);
		if (r == -E2BIG)
			return analyst_bad(req, "more than %ld letters: ask for one agency at a time (agency=CODE)",
					   LETTERS_MAX);
		return r;
	}
	http_add_header(req, "Cache-Control", "no-store");
	if (html)
		return http_reply_buf(req, 200, "text/html; charset=utf-8", &sb);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-invites.csv\"", x->fe->survey.code);
	http_add_header(req, "Content-Disposition", disp);
	return http_reply_buf(req, 200, "text/csv; charset=utf-8", &sb);
}

int handle_invites_csv(struct http_req *req)
{
	return invites_reply(req, false);
}

int handle_letters(struct http_req *req)
{
	return invites_reply(req, true);
}
