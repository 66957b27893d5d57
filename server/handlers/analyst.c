/* analyst.c - the analysts' routes' shared steps (see analyst.h). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst-queue.h"
#include "analyst.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "db-auth.h"
#include "db-estimates.h"
#include "db.h"
#include "est-options.h"
#include "gzip.h"
#include "jsonw.h"
#include "reply-cache.h"
#include "round-views.h"

void analyst_est_done(struct analyst_est *e)
{
	size_t i;

	est_results_free(e->res);
	est_design_free(e->d);
	for (i = 0; e->keys && i < e->ngroups; i++)
		free(e->keys[i]);
	free(e->keys);
	free(e->values);
	free(e->groups);
	memset(e, 0, sizeof *e);
}

static void ctx_free(void *p)
{
	struct analyst_ctx *x = p;

	if (!x)
		return;
	analyst_est_done(&x->est[0]);
	analyst_est_done(&x->est[1]);
	est_frame_free(x->frame);
	est_agencies_done(&x->ag);
	form_cache_put(x->fe);
	form_cache_put(x->other);
	db_release(x->c);
	free(x);
}

int analyst_bad(struct http_req *req, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return http_reply_error(req, 400, "bad_request", msg);
}

int analyst_est_error(struct http_req *req, const struct est_error *err)
{
	struct strbuf sb;

	if (req->route && req->route->html)
		return http_reply_error(req, 422, err->code[0] ? err->code : "invalid", err->message);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "{\"error\":{");
	jsonw_member_str(&sb, "code", err->code[0] ? err->code : "invalid");
	jsonw_member_str(&sb, "message", err->message[0] ? err->message : "the stored responses cannot be estimated");
	if (err->column[0])
		jsonw_member_str(&sb, "field", err->column);
	strbuf_puts(&sb, "}}");
	return http_reply_buf(req, 422, "application/json", &sb);
}

unsigned analyst_fresh_ms(struct http_req *req)
{
	unsigned ms = req->app->cfg->analyst_stale_ms;

	return ms && analyst_queue_busy(req->app->analysts, true) ? ms : 0;
}

static int open_ctx(struct http_req *req, const char *survey, bool fold, bool read, struct analyst_ctx **out)
{
	struct analyst_ctx *x;
	unsigned fresh;
	int r;

	x = calloc(1, sizeof *x);
	if (!x)
		return -ENOMEM;
	req->state = x;
	req->state_free = ctx_free;
	if ((r = read ? app_read_db(req->app, &x->c, &x->replica) : app_analyst_db(req->app, &x->c)) < 0)
		return r;
	fold = fold && !x->replica;
	r = form_cache_get(req->app->forms, x->c, survey, &x->fe);
	if (r == -ENOENT)
		return http_reply_error(req, 404, "not_found", "no such survey round");
	if (r < 0)
		return r;
	est_folds_start(req->app->folds);
	fresh = analyst_fresh_ms(req);
	/* under load, this process folded the round less than fresh ms ago and has heard of no
	 * change to its aggregates since: they answer as they are, with the version it keeps */
	if (fold && fresh && est_folds_recent(req->app->folds, x->fe->survey.id, fresh) &&
	    round_views_version(req->app->rounds, x->fe->survey.id, x->version, sizeof x->version) == 0) {
		x->version_kept = true;
		fold = false;
	}
	r = fold ? est_store_fold(req->app->folds, x->c, x->fe, EST_STORE_WAIT_MS, fresh, NULL, &x->err) : 0;
	if (r == -EINVAL)
		return analyst_est_error(req, &x->err);
	if (r == -EBUSY) {
		http_add_header(req, "Retry-After", "10");
		return http_reply_error(req, 503, "folding",
					"the round's aggregates are being brought up to date (a large load); retry shortly");
	}
	if (r < 0)
		return r;
	*out = x;
	return 0;
}

int analyst_open(struct http_req *req, const char *survey, bool fold, struct analyst_ctx **out)
{
	return open_ctx(req, survey, fold, false, out);
}

int analyst_open_read(struct http_req *req, const char *survey, bool fold, struct analyst_ctx **out)
{
	return open_ctx(req, survey, fold, true, out);
}

int analyst_round(struct http_req *req, struct analyst_ctx *x, const char *code, const struct form_entry **out,
		  struct est_error *err)
{
	const struct form_entry *fe = NULL;
	int r;

	if ((r = form_cache_get(req->app->forms, x->c, code, &fe)) < 0)
		return r;
	if (!x->replica && (r = est_store_fold(req->app->folds, x->c, fe, EST_STORE_WAIT_MS, analyst_fresh_ms(req), NULL,
						 err)) < 0) {
		form_cache_put(fe);
		return r;
	}
	*out = fe;
	return 0;
}

int analyst_compute_round(struct analyst_ctx *x, const struct form_entry *fe, struct analyst_est *e)
{
	struct est_frame *mine;
	int r;

	if ((r = analyst_load(x)) < 0)
		return r;
	mine = x->frame;
	x->frame = NULL;
	r = est_store_frame(x->c, fe->survey.id, &x->frame);
	if (r >= 0)
		r = analyst_compute(x, fe, e);
	est_frame_free(x->frame);
	x->frame = mine;
	return r;
}

int analyst_load(struct analyst_ctx *x)
{
	int r;

	if (x->ag.list)
		return 0;
	if ((r = est_agencies_load(x->c, &x->ag)) < 0)
		return r;
	if ((r = est_store_frame(x->c, x->fe->survey.id, &x->frame)) < 0)
		return r;
	return db_est_baseline(x->c, x->fe->survey.id, &x->has_baseline, &x->baseline, x->baseline_label,
			       sizeof x->baseline_label);
}

int analyst_options(struct http_req *req, struct est_options *o)
{
	static const struct est_options def = EST_OPTIONS_DEFAULT;
	const char *ci = http_query(req, "ci"), *conf = http_query(req, "confidence");
	const char *lonely = http_query(req, "lonely_psu");

	*o = def;
	if (ci && est_ci_parse(ci, &o->ci) < 0)
		return analyst_bad(req, "ci must be logit, beta or wald");
	if (conf) {
		char *end;
		double v = strtod(conf, &end);

		if (strlen(conf) > 32 || end == conf || *end || !(v >= 0.5 && v < 1))
			return analyst_bad(req, "confidence must be a number in [0.5, 1), such as 0.95");
		o->confidence = v;
	}
	if (lonely && est_lonely_parse(lonely, &o->lonely) < 0)
		return analyst_bad(req, "lonely_psu must be fail, adjust, remove or certainty");
	return 0;
}

struct sortg {
	size_t gi;                 /* index in res->groups */
	const char **vals;
	const bool *numeric;
	size_t n;
};

static int cmp_group(const void *a, const void *b)
{
	const struct sortg *x = a, *y = b;
	size_t i;

	for (i = 0; i < x->n; i++) {
		int c;

		if (x->numeric[i]) {
			long p = atol(x->vals[i]), q = atol(y->vals[i]);

			c = (p > q) - (p < q);
		} else {
			c = strcmp(x->vals[i], y->vals[i]);
		}
		if (c)
			return c;
	}
	return 0;
}

int analyst_compute(struct analyst_ctx *x, const struct form_entry *fe, struct analyst_est *e)
{
	struct sortg *sg = NULL;
	size_t ng, i, j, n = e->by.n, out = 0;
	int r;

	if ((r = analyst_load(x)) < 0)
		return r;
	if (fe == x->fe && x->has_baseline) {
		e->opt.has_baseline = true;
		e->opt.baseline = x->baseline;
	}
	for (i = 0; i < n; i++)
		e->numeric[i] = e->by.kind[i] == EST_BY_QUESTION;
	if ((r = est_store_design(x->c, fe, &e->by, &x->ag, &e->d, &x->err)) < 0)
		return r;
	if ((r = est_compute(e->d, x->frame, &e->opt, &e->res, &x->err)) < 0)
		return r;
	ng = e->res->ngroups;
	e->groups = calloc(ng, sizeof *e->groups);
	e->keys = calloc(ng, sizeof *e->keys);
	e->values = calloc(ng * (n ? n : 1), sizeof *e->values);
	sg = calloc(ng, sizeof *sg);
	if (!e->groups || !e->keys || !e->values || !sg) {
		free(sg);
		return -ENOMEM;
	}
	e->groups[out].group = &e->res->groups[0];
	e->groups[out].by_values = NULL;
	e->ngroups = ++out;
	/* split every group key into its values; leave out groups with an empty value */
	for (i = 1; i < ng && n; i++) {
		char *k = strdup(est_design_group_key(e->d, (size_t)e->res->groups[i].group)), *p;
		const char **vals = e->values + out * n;
		bool empty = false;

		if (!k) {
			free(sg);
			return -ENOMEM;
		}
		e->keys[out] = k;
		e->ngroups = out + 1;
		for (j = 0, p = k; j < n; j++) {
			char *sep = strchr(p, EST_KEY_SEP);

			if (sep)
				*sep = '\0';
			vals[j] = p;
			empty |= *p == '\0';
			p = sep ? sep + 1 : p + strlen(p);
		}
		if (empty) {
			free(k);
			e->keys[out] = NULL;
			e->ngroups = out;
			continue;
		}
		sg[out] = (struct sortg){ i, vals, e->numeric, n };
		out++;
	}
	if (out > 2)
		qsort(sg + 1, out - 1, sizeof *sg, cmp_group);
	/* the keys stay where they are (freed by index); the report follows the sorted order */
	for (i = 1; i < out; i++) {
		e->groups[i].group = &e->res->groups[sg[i].gi];
		e->groups[i].by_values = sg[i].vals;
	}
	e->ngroups = out;
	free(sg);
	return 0;
}

static int cmp_ranked(const void *p, const void *q)
{
	const struct analyst_ranked *a = p, *b = q;
	double x = a->g->group->est[0].estimate, y = b->g->group->est[0].estimate;

	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x < y ? 1 : -1;
	return strcmp(a->g->by_values[0], b->g->by_values[0]);
}

struct analyst_ranked *analyst_rank(const struct analyst_ctx *x, const struct analyst_est *e)
{
	size_t i, n = e->ngroups - 1;
	struct analyst_ranked *rk = calloc(n ? n : 1, sizeof *rk);

	if (!rk)
		return NULL;
	for (i = 0; i < n; i++) {
		rk[i].g = &e->groups[1 + i];
		rk[i].a = est_agencies_by_code(&x->ag, rk[i].g->by_values[0]);
	}
	qsort(rk, n, sizeof *rk, cmp_ranked);
	return rk;
}

int analyst_compute_dashboard(struct analyst_ctx *x)
{
	static const struct est_options def = EST_OPTIONS_DEFAULT;
	struct analyst_est *e = &x->est[0];

	e->opt = def;
	e->opt.lonely = EST_LONELY_ADJUST;
	e->by.n = 1;
	e->by.kind[0] = EST_BY_AGENCY;
	e->by.name[0] = "agency";
	e->by.question = -1;
	return analyst_compute(x, x->fe, e);
}

void analyst_report(struct analyst_ctx *x, struct analyst_est *e, struct est_report *r)
{
	memset(r, 0, sizeof *r);
	r->form = x->fe->form;
	r->options = &e->opt;
	r->baseline_label = x->baseline_label[0] ? x->baseline_label : NULL;
	r->nby = e->by.n;
	r->by_names = e->by.name;
	r->by_numeric = e->numeric;
	r->ngroups = e->ngroups;
	r->groups = e->groups;
}

int analyst_audit(struct db_conn *c, const struct form_entry *fe, struct http_req *req, const char *what,
		  const char *format)
{
	const struct analyst_ctx *x = req->state_free == ctx_free ? req->state : NULL;
	struct db_conn *primary = NULL;
	struct strbuf sb;
	int r;

	if (x && x->replica) {          /* a replica is read-only: the audit goes to the primary */
		if ((r = app_analyst_db(req->app, &primary)) < 0)
			return r;
		c = primary;
	}
	strbuf_init(&sb, 4096);
	strbuf_putc(&sb, '{');
	jsonw_member_str(&sb, "export", what);
	jsonw_member_str(&sb, "survey", fe->survey.code);
	jsonw_member_str(&sb, "format", format);
	jsonw_member_str(&sb, "role", auth_role_name(req->auth.role));
	strbuf_putc(&sb, '}');
	r = db_audit(c, req->auth.token_id, req->auth.name, "export", fe->survey.id, strbuf_str(&sb));
	strbuf_done(&sb);
	db_release(primary);
	return r;
}

/* ---- the reply cache ---- */

/* Replies from the cache (its gzip coding when the request accepts it); returns the status on
 * a hit, 0 on a miss, or a negative errno. */
static int cache_reply(struct analyst_ctx *x, struct http_req *req, const char *key, const char *type)
{
	bool gz = false;
	struct strbuf sb;
	int r;

	strbuf_init(&sb, 0);
	r = reply_cache_get(req->app->replies, x->fe->survey.id, key, x->version,
			    gzip_accepted(http_header(req, "Accept-Encoding")), &sb, &gz);
	if (r > 0) {
		http_add_header(req, "Vary", "Accept-Encoding");
		if (gz)
			http_add_header(req, "Content-Encoding", "gzip");
		r = http_reply_buf(req, 200, type, &sb);
	}
	strbuf_done(&sb);
	return r;
}

int analyst_cache_get(struct analyst_ctx *x, struct http_req *req, const char *key, const char *type)
{
	int r;

	unsigned long long heard;
	int sid = x->fe->survey.id;

	if (!req->app->replies) {
		x->version[0] = '\0';
		return 0;
	}
	if (!x->version_kept) {
		heard = round_views_heard(req->app->rounds);
		if ((r = db_est_version(x->c, sid, x->version, sizeof x->version)) < 0)
			return r;
		round_views_keep_version(req->app->rounds, sid, heard, x->version);
	}
	return cache_reply(x, req, key, type);
}

int analyst_cache_reply(struct analyst_ctx *x, struct http_req *req, const char *key, const char *type,
			struct strbuf *sb)
{
	int r;

	if (req->app->replies && x->version[0]) {
		reply_cache_put(req->app->replies, x->fe->survey.id, key, x->version, sb->buf, sb->len);
		if ((r = cache_reply(x, req, key, type)) != 0) {
			strbuf_done(sb);
			return r;
		}
	}
	return http_reply_buf(req, 200, type, sb);
}
