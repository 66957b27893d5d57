/* handlers-offline.c - what offline collection serves besides the pages (docs/api.md, offline
 * collection): the service worker, the page script that keeps and sends answers, and the web
 * app manifests of the citizens' form and of the interviewers' mode. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "form-cache.h"
#include "handlers.h"
#include "jsonw.h"
#include "static-files.h"

#define JS "text/javascript; charset=utf-8"

/* The worker's own policy: it fetches and keeps pages of this origin, nothing else. */
#define SW_CSP "default-src 'self'; frame-ancestors 'none'"

int handle_sw_js(struct http_req *req)
{
	http_set_csp(req, SW_CSP);
	return http_reply(req, 200, JS, sw_js, sw_js_len);
}

int handle_outbox_js(struct http_req *req)
{
	return http_reply(req, 200, JS, outbox_js, outbox_js_len);
}

/* GET /s/{survey}/manifest.webmanifest and /collect/{survey}/manifest.webmanifest. */
int handle_manifest(struct http_req *req)
{
	const struct form_entry *e = NULL;
	struct db_conn *c = NULL;
	int collect = strncmp(req->path, "/collect/", 9) == 0;
	char start[400];
	struct strbuf sb;
	int r;

	if (form_cache_find(req->app->forms, req->params[0], &e) < 0) {
		if ((r = app_db(req->app, &c)) < 0)
			return r;
		r = form_cache_get(req->app->forms, c, req->params[0], &e);
		db_release(c);
		if (r == -ENOENT)
			return http_reply_error(req, 404, "not_found", "Không tìm thấy đợt khảo sát này.");
		if (r < 0)
			return r;
	}
	snprintf(start, sizeof start, "/%s/%s", collect ? "collect" : "s", e->survey.code);
	strbuf_init(&sb, 0);
	strbuf_putc(&sb, '{');
	jsonw_member_str(&sb, "name", e->survey.title);
	jsonw_member_str(&sb, "short_name", collect ? "SIPAS phỏng vấn" : "SIPAS");
	jsonw_member_str(&sb, "lang", "vi");
	jsonw_member_str(&sb, "start_url", start);
	jsonw_member_str(&sb, "scope", start);
	jsonw_member_str(&sb, "display", "standalone");
	jsonw_member_str(&sb, "background_color", "#ffffff");
	jsonw_member_str(&sb, "theme_color", "#0b4f8a");
	strbuf_putc(&sb, '}');
	form_cache_put(e);
	return http_reply_buf(req, 200, "application/manifest+json; charset=utf-8", &sb);
}
