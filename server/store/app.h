/* app.h - the process's services, made and freed in order by `sipas serve` and reachable
 * from every request as req->app. Nothing else in the server holds process-wide state. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct analyst_queue;
struct config;
struct db_conn;
struct db_pool;
struct est_folds;
struct form_cache;
struct intake_writers;
struct ratelimit;
struct replica;
struct reply_cache;
struct round_views;
struct token_cache;
struct recent_replies;
struct report_fonts;

struct app {
	const struct config *cfg;
	struct db_pool *db;              /* pooled connections for requests */
	struct db_pool *analyst_db;      /* the analysts' own connections (app_analyst_db) */
	struct analyst_queue *analysts;  /* the analysts' requests, run off the HTTP threads */
	struct form_cache *forms;        /* rounds and their parsed forms */
	struct round_views *rounds;      /* what is known of each round while nothing changes */
	struct token_cache *tokens;      /* API tokens, kept while nothing changes */
	struct recent_replies *recent;   /* the last reply to each shared analysts' question */
	struct reply_cache *replies;     /* computed estimates; NULL when SIPAS_RESULT_CACHE=0 */
	struct ratelimit *limits;        /* per-client budget of the public routes */
	struct intake_writers *writers;  /* group commit; NULL when SIPAS_WRITERS=0 */
	struct est_folds *folds;         /* folds of the kept aggregates, and the background fold */
	struct report_fonts *fonts;      /* the PDF report's fonts, loaded at the first report */
	struct replica *read_db;         /* SIPAS_READ_DATABASE_URL's replica; NULL when none */
	_Atomic long long healthy_ns;    /* when /healthz last saw the database answer (monotonic) */
};

/* Makes the services for cfg (which must outlive them), starting the writer and background
 * fold threads. Returns 0 and *out (app_free), or a negative errno with the reason in errbuf. */
int app_new(const struct config *cfg, struct app **out, char *errbuf, size_t errlen);
/* Asks the background work to end soon (call before the HTTP server drains). */
void app_stop(struct app *app);
/* Stops the threads and frees the services in the reverse order of their making; NULL is
 * fine. No request may be running. */
void app_free(struct app *app);
/* Takes a pooled connection, waiting up to SIPAS_DB_WAIT_MS; returns 0 and *out
 * (db_release), or -ETIMEDOUT / -ECONNREFUSED / another negative errno. */
int app_db(struct app *app, struct db_conn **out);
/* Takes one of the analysts' own connections (SIPAS_ANALYST_DB_POOL, never the citizens'
 * pool), waiting up to SIPAS_DB_WAIT_MS; returns 0 and *out (db_release) or a negative errno. */
int app_analyst_db(struct app *app, struct db_conn **out);
/* For the analysts' read routes: a connection to the replica when one is configured and up
 * (*replica true: read-only, so the caller must not fold), else one of the analysts' own
 * connections to the primary (app_analyst_db). Returns 0 and *out (db_release), or a
 * negative errno. */
int app_read_db(struct app *app, struct db_conn **out, bool *replica);
