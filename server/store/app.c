/* app.c - making and freeing the process's services, in order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyst-queue.h"
#include "app.h"
#include "config.h"
#include "db.h"
#include "est-store.h"
#include "form-cache.h"
#include "intake-writer.h"
#include "ratelimit.h"
#include "replica.h"
#include "reply-cache.h"
#include "round-views.h"
#include "token-cache.h"
#include "recent-replies.h"
#include "report.h"

int app_new(const struct config *cfg, struct app **out, char *errbuf, size_t errlen)
{
	struct app *app = calloc(1, sizeof *app);
	const char *what = "";
	int r;

	if (!app)
		return -ENOMEM;
	app->cfg = cfg;
	if ((r = db_pool_new(cfg->database_url, cfg->db_pool_size, &app->db)) < 0) {
		what = "the database pool";
		goto out;
	}
	if ((r = db_pool_new(cfg->database_url, cfg->analyst_db_pool, &app->analyst_db)) < 0 ||
	    (r = analyst_queue_new(cfg->analyst_workers, cfg->analyst_queue, &app->analysts)) < 0) {
		what = "the analysts' queue";
		goto out;
	}
	if ((r = form_cache_new(&app->forms)) < 0 || (r = round_views_new(cfg->database_url, &app->rounds)) < 0 ||
	    (r = token_cache_new(&app->tokens)) < 0 || (r = recent_replies_new(&app->recent)) < 0 ||
	    (cfg->result_cache && (r = reply_cache_new(&app->replies)) < 0) ||
	    (r = ratelimit_new(cfg->rate_limit, &app->limits)) < 0 || (r = report_fonts_new(&app->fonts)) < 0) {
		what = "the caches";
		goto out;
	}
	if (cfg->writers && (r = intake_writers_new(cfg->database_url, cfg->writers, &app->writers)) < 0) {
		what = "the intake writers";
		goto out;
	}
	if ((r = est_folds_new(cfg->database_url, app->forms, &app->folds)) < 0) {
		what = "the folds";
		goto out;
	}
	/* with a replica, the requests that read from it never fold: the background fold keeps the
	 * replicated cells current from the start */
	if (cfg->read_database_url &&
	    ((r = replica_new(cfg->read_database_url, cfg->analyst_db_pool, &app->read_db)) < 0 ||
	     (r = est_folds_start(app->folds)) < 0)) {
		what = "the read replica";
		goto out;
	}
out:
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot start %s: error %d", what, -r);
		app_free(app);
		return r;
	}
	*out = app;
	return 0;
}

void app_stop(struct app *app)
{
	if (!app)
		return;
	est_folds_stop(app->folds);
	analyst_queue_stop(app->analysts);   /* runs what is queued: no request stays parked */
}

void app_free(struct app *app)
{
	if (!app)
		return;
	est_folds_free(app->folds);          /* uses the form cache and the database */
	intake_writers_free(app->writers);   /* stores what is queued */
	replica_free(app->read_db);
	ratelimit_free(app->limits);
	report_fonts_free(app->fonts);
	reply_cache_free(app->replies);
	recent_replies_free(app->recent);
	token_cache_free(app->tokens);
	round_views_free(app->rounds);
	form_cache_free(app->forms);
	analyst_queue_free(app->analysts);
	db_pool_free(app->analyst_db);
	db_pool_free(app->db);
	free(app);
}

int app_db(struct app *app, struct db_conn **out)
{
	return db_acquire(app->db, app->cfg->db_wait_ms, out);
}

int app_analyst_db(struct app *app, struct db_conn **out)
{
	return db_acquire(app->analyst_db, app->cfg->db_wait_ms, out);
}

int app_read_db(struct app *app, struct db_conn **out, bool *replica)
{
	*replica = app->read_db && replica_acquire(app->read_db, app->cfg->db_wait_ms, out) == 0;
	return *replica ? 0 : app_analyst_db(app, out);
}
