/* intake-submit.c - the handlers' side of group commit: parking and waking the request. */
#include "app.h"
#include "db.h"
#include "http.h"
#include "intake-submit.h"

/* The one-row path, on a pooled connection. */
static int store_alone(struct app *app, const struct db_response *r)
{
	struct db_conn *c = NULL;
	int ret;

	if ((ret = app_db(app, &c)) < 0)
		return ret;
	ret = db_response_insert(c, r);
	db_release(c);
	return ret;
}

static void park(void *req)
{
	http_suspend(req);
}

static void wake(void *req)
{
	http_resume(req);
}

int intake_submit(struct http_req *req, const struct db_response *r, struct intake_ticket *t)
{
	if (r->invite || !r->agency || !req->app->writers)
		return store_alone(req->app, r);
	t->r = r;
	t->wake = wake;
	t->waiter = req;
	if (intake_writers_submit(req->app->writers, t, park) < 0)
		return store_alone(req->app, r);
	return HTTP_SUSPENDED;
}

int intake_submit_result(struct http_req *req, struct intake_ticket *t)
{
	if (intake_ticket_stored(t))
		return DB_RESPONSE_CREATED;
	return store_alone(req->app, t->r);
}
