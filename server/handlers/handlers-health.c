/* handlers-health.c - GET /healthz: 200 when the database answers, else 503. With a read
 * replica (SIPAS_READ_DATABASE_URL) the reply adds its lag in seconds, or null and
 * "replica": "unreachable" when it is down (reads then go to the primary: still 200). */
#include <math.h>

#include "app.h"
#include "db.h"
#include "handlers.h"
#include "jsonw.h"
#include "replica.h"

#define HEALTH_WAIT_MS 2000

int handle_healthz(struct http_req *req)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	static const char down[] = "{\"status\":\"unavailable\",\"database\":\"unreachable\"}";
	struct db_conn *c = NULL;
	struct strbuf sb;
	double lag = 0;
	int r;

	r = db_acquire(req->app->db, HEALTH_WAIT_MS, &c);
	if (r == 0)
		r = db_ping(c);
	db_release(c);
	if (r < 0)
		return http_reply(req, 503, "application/json", down, sizeof down - 1);
	if (!req->app->read_db)
		return http_reply(req, 200, "application/json", ok, sizeof ok - 1);
	r = replica_lag(req->app->read_db, HEALTH_WAIT_MS, &lag);
	strbuf_init(&sb, 0);
	strbuf_putc(&sb, '{');
	jsonw_member_str(&sb, "status", "ok");
	jsonw_member_num(&sb, "replica_lag_s", r == 0 ? round(lag * 1000) / 1000 : NAN);    /* to the ms */
	if (r < 0)
		jsonw_member_str(&sb, "replica", "unreachable");
	strbuf_putc(&sb, '}');
	return http_reply_buf(req, 200, "application/json", &sb);
}
