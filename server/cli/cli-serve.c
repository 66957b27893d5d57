/* cli-serve.c - `sipas serve`: migrate, listen, serve until SIGTERM/SIGINT, then drain. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "http-server.h"
#include "log.h"
#include "page.h"

#define DRAIN_SECONDS 30

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas serve\n\n"
		"Applies pending migrations, then serves HTTP on SIPAS_LISTEN (default 127.0.0.1:8080;\n"
		"port 0 picks a free port). The first line on stdout is `listening on http://HOST:PORT`.\n"
		"SIGTERM or SIGINT stops accepting connections and lets requests in flight finish.\n\n"
		"environment:\n"
		"  SIPAS_DATABASE_URL     libpq connection string or URI (required)\n"
		"  SIPAS_LISTEN           HOST:PORT (IPv4)\n"
		"  SIPAS_THREADS          HTTP threads (default 8)\n"
		"  SIPAS_DB_POOL          database connections (default threads + 4)\n"
		"  SIPAS_MAX_CONNECTIONS  concurrent connections (default 1024)\n"
		"  SIPAS_CONN_TIMEOUT     idle connection timeout, seconds (default 30)\n"
		"  SIPAS_DB_WAIT_MS       how long a request waits for a database connection (default 5000)\n"
		"  SIPAS_RATE_LIMIT       public requests per minute per client (default 120, 0 = off)\n"
		"  SIPAS_WRITERS          group-commit writer threads (default 1, 0 = off)\n"
		"  SIPAS_ANALYST_WORKERS  threads that run analysts' requests (default 2)\n"
		"  SIPAS_ANALYST_QUEUE    analysts' requests that may wait for them (default 64; 503 past it)\n"
		"  SIPAS_ANALYST_DB_POOL  the analysts' own database connections (default workers + 2)\n"
		"  SIPAS_RESULT_CACHE     keep computed estimates until the sums change (default 1)\n"
		"  SIPAS_LOG_LEVEL        debug|info|warn|error (default info)\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

/* Applies migrations with a one-off connection; returns 0 or a CLI status. */
static int serve_migrate(const struct config *cfg)
{
	struct db_conn *c = NULL;
	char err[512];
	int r;

	if (db_connect(cfg->database_url, &c, err, sizeof err) < 0) {
		log_error("database: %s", err);
		return CLI_RUNTIME;
	}
	r = db_migrate(c, cfg->migrations_dir, err, sizeof err);
	db_conn_close(c);
	if (r < 0) {
		log_error("migrate: %s", err);
		return CLI_RUNTIME;
	}
	if (r > 0)
		log_info("applied %d migration(s)", r);
	return 0;
}

int cli_serve(const struct config *cfg, int argc, char **argv)
{
	struct http_options o;
	struct app *app = NULL;
	struct http_server *srv = NULL;
	sigset_t stop_set;
	char bound[256];
	int sig = 0;
	int status = CLI_RUNTIME, r, waited;

	if (argc > 1)
		return usage(!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ? stdout : stderr);
	if (!cfg->database_url) {
		fprintf(stderr, "sipas serve: SIPAS_DATABASE_URL is not set (a libpq connection string or URI)\n");
		return CLI_USAGE;
	}
	/* SIGTERM and SIGINT are blocked in every thread (the ones made later inherit the mask)
	 * and taken synchronously by the main thread with sigwait below: a handler could run on
	 * any thread and leave the main one asleep. */
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((status = serve_migrate(cfg)) != 0)
		return status;
	status = CLI_RUNTIME;
	if ((r = app_new(cfg, &app, bound, sizeof bound)) < 0) {
		log_error("%s", bound);
		goto out;
	}
	memset(&o, 0, sizeof o);
	o.host = cfg->listen_host;
	o.port = cfg->listen_port;
	o.threads = cfg->threads;
	o.conn_limit = cfg->conn_limit;
	o.conn_timeout_s = cfg->conn_timeout_s;
	o.routes = handler_routes;
	o.nroutes = handler_nroutes;
	o.admit = handlers_admit;
	o.queue = handlers_queue;
	o.error_page = page_error;
	o.app = app;
	if ((r = http_server_start(&o, &srv, bound, sizeof bound)) < 0) {
		log_error("%s", bound);
		goto out;
	}
	printf("listening on http://%s\n", bound);
	fflush(stdout);
	log_info("listening on http://%s (%u threads, %u database connections)", bound,
		 cfg->threads, cfg->db_pool_size);

	while (sigwait(&stop_set, &sig) != 0)
		;
	http_server_quiesce(srv);
	log_info("signal %d: no new connections; waiting for %u request(s) in flight",
		 sig, http_server_inflight(srv));
	for (waited = 0; http_server_inflight(srv) > 0 && waited < DRAIN_SECONDS * 10; waited++) {
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
	}
	status = CLI_OK;
out:
	app_stop(app);          /* what still runs after the drain gives up soon */
	http_server_stop(srv);
	app_free(app);
	log_info("stopped");
	return status;
}
