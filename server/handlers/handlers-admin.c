/* handlers-admin.c - who am I, the agency list, the audit log. */
#include <errno.h>
#include <stdlib.h>

#include "app.h"
#include "auth.h"
#include "db-agencies.h"
#include "db-auth.h"
#include "db.h"
#include "handlers.h"
#include "jsonw.h"

int handle_me(struct http_req *req)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, 0);
	strbuf_putc(&sb, '{');
	jsonw_member_int(&sb, "token", req->auth.token_id);
	jsonw_member_str(&sb, "role", auth_role_name(req->auth.role));
	jsonw_member_str(&sb, "name", req->auth.name);
	jsonw_member(&sb, "agencies");
	strbuf_putc(&sb, '[');
	for (i = 0; i < req->auth.nagencies; i++) {
		if (i)
			strbuf_putc(&sb, ',');
		jsonw_string(&sb, req->auth.agencies[i]);
	}
	strbuf_puts(&sb, "]}");
	return http_reply_buf(req, 200, "application/json", &sb);
}

struct agency_list {
	struct strbuf *sb;
	int n;
};

static int agency_json(void *ud, const struct db_agency *a)
{
	struct agency_list *l = ud;
	struct strbuf *sb = l->sb;

	strbuf_puts(sb, l->n++ ? ",{" : "{");
	jsonw_member_str(sb, "code", a->code);
	jsonw_member_str(sb, "name", a->name);
	jsonw_member_str(sb, "level", a->level);
	jsonw_member_str(sb, "parent", a->parent);
	return strbuf_putc(sb, '}');
}

int handle_agencies(struct http_req *req)
{
	struct strbuf sb;
	struct agency_list l = { &sb, 0 };
	struct db_conn *c = NULL;
	int r;

	if ((r = app_db(req->app, &c)) < 0)
		return r;
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "{\"agencies\":[");
	r = db_agencies_each(c, agency_json, &l);
	db_release(c);
	if (r < 0) {
		strbuf_done(&sb);
		return r;
	}
	strbuf_puts(&sb, "]}");
	return http_reply_buf(req, 200, "application/json", &sb);
}
