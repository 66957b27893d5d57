/* handlers-report.c - GET /api/v1/surveys/{survey}/report.pdf[?against=ID][&agency=CODE]: the
 * round's report as an A4 PDF (report/report.h), drawn from report-data.h's input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst.h"
#include "app.h"
#include "db.h"
#include "est-store.h"
#include "handlers.h"
#include "report-data.h"
#include "report.h"

struct report_ctx {
	struct db_conn *c;
	struct report_data *d;
};

static void ctx_free(void *p)
{
	struct report_ctx *x = p;

	if (!x)
		return;
	report_data_free(x->d);
	db_release(x->c);
	free(x);
}

/* Maps report_data_load's failure to a reply; returns the status or the errno. */
static int load_error(struct http_req *req, int r, const struct est_error *err)
{
	if (r == -ENOENT && !strcmp(err->column, "agency"))
		return http_reply_error(req, 404, "not_found", "no such agency");
	if (r == -ENOENT && !strcmp(err->column, "against"))
		return http_reply_error(req, 404, "not_found", "no such survey round (against)");
	if (r == -ENOENT)
		return http_reply_error(req, 404, "not_found", "no such survey round");
	if (r == -EINVAL && !strcmp(err->code, "bad_request"))
		return analyst_bad(req, "%s", err->message);
	if (r == -EINVAL)
		return analyst_est_error(req, err);
	if (r == -EBUSY) {
		http_add_header(req, "Retry-After", "10");
		return http_reply_error(req, 503, "folding",
					"the round's aggregates are being brought up to date (a large load); retry shortly");
	}
	return r;
}

int handle_report_pdf(struct http_req *req)
{
	struct report_request rq = { req->params[0], http_query(req, "against"), http_query(req, "agency") };
	struct est_error err = { "", "", "" };
	struct report_ctx *x;
	struct strbuf sb;
	char msg[256], disp[200];
	bool replica;
	int r;

	if ((rq.against && (!*rq.against || strlen(rq.against) >= ANALYST_QUERY_MAX)) ||
	    (rq.agency && (!*rq.agency || strlen(rq.agency) > 32)))
		return analyst_bad(req, "against: a round ID; agency: an agency code of at most 32 bytes");
	if (!(x = calloc(1, sizeof *x)))
		return -ENOMEM;
	req->state = x;
	req->state_free = ctx_free;
	if ((r = app_read_db(req->app, &x->c, &replica)) < 0)
		return r;
	est_folds_start(req->app->folds);
	/* on the replica (read-only) nothing is folded: the primary's background fold keeps it current */
	if ((r = report_data_load(x->c, req->app->forms, replica ? NULL : req->app->folds, &rq, &x->d, &err)) < 0)
		return load_error(req, r, &err);
	db_release(x->c);
	x->c = NULL;
	strbuf_init(&sb, 0);
	if ((r = report_pdf(req->app->fonts, report_data_input(x->d), &sb, msg, sizeof msg)) < 0) {
		strbuf_done(&sb);
		return http_reply_error(req, 500, "report_failed", msg);
	}
	snprintf(disp, sizeof disp, "inline; filename=\"report-%s%s%s.pdf\"", req->params[0], rq.agency ? "-" : "",
		 rq.agency ? report_data_input(x->d)->only : "");
	http_add_header(req, "Content-Disposition", disp);
	http_add_header(req, "Cache-Control", "private, no-cache");
	return http_reply_buf(req, 200, "application/pdf", &sb);
}
