/* handlers-health.c - GET /healthz: 200 when the database answers, else 503. With a read
 * replica (SIPAS_READ_DATABASE_URL) the reply adds its lag in seconds, or null and
 * "replica": "unreachable" when it is down (reads then go to the primary: still 200).
 *
 * A load balancer's probes, many a second, must not each hold an HTTP thread on a query: the
 * database answered less than HEALTH_FRESH_MS ago and the rounds' listener connection
 * (round-views.h) is still up, read just now, so the answer stands; a database that stops
 * closes that connection, and the next probe asks the database itself. */
#include <math.h>
#include <stdatomic.h>

#include "app.h"
#include "db.h"
#include "handlers.h"
#include "jsonw.h"
#include "monotime.h"
#include "replica.h"
#include "round-views.h"

#define HEALTH_WAIT_MS 2000
#define HEALTH_FRESH_MS 100

/* 0 when the database answers (or answered HEALTH_FRESH_MS ago, its connections still up), else
 * a negative errno. */
static int database_up(struct app *app)
{
	struct db_conn *c = NULL;
	long long t = mono_ns();
	int r;

	if (t - atomic_load(&app->healthy_ns) < HEALTH_FRESH_MS * 1000000LL && round_views_heard(app->rounds))
		return 0;
	r = db_acquire(app->db, HEALTH_WAIT_MS, &c);
	if (r == 0)
		r = db_ping(c);
	db_release(c);
	if (r == 0)
		atomic_store(&app->healthy_ns, t);
	return r;
}

int handle_healthz(struct http_req *req)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	static const char down[] = "{\"status\":\"unavailable\",\"database\":\"unreachable\"}";
	struct strbuf sb;
	double lag = 0;
	int r;

	r = database_up(req->app);
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
