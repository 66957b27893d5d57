/* handlers-health.c - GET /healthz: 200 when the database answers, else 503. */
#include "app.h"
#include "db.h"
#include "handlers.h"

int handle_healthz(struct http_req *req)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	static const char down[] = "{\"status\":\"unavailable\",\"database\":\"unreachable\"}";
	struct db_conn *c = NULL;
	int r;

	r = db_acquire(req->app->db, 2000, &c);
	if (r == 0)
		r = db_ping(c);
	db_release(c);
	if (r < 0)
		return http_reply(req, 503, "application/json", down, sizeof down - 1);
	return http_reply(req, 200, "application/json", ok, sizeof ok - 1);
}
