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
#include "db.h"
#include "http-server.h"
#include "log.h"
#include "ratelimit.h"

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
		"  SIPAS_RATE_LIMIT       public requests per minute per client (default 120, 0 = off)\n"
		"  SIPAS_WRITERS          group-commit writer threads (default 2, 0 = off)\n"
		"  SIPAS_RESULT_CACHE     keep computed estimates until the sums change (default 1)\n"
		"  SIPAS_LOG_LEVEL        debug|info|warn|error (default info)\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

/* Applies migrations with a one-off connection; returns 0 or a CLI status. */
static int serve_migrate(const char *url)
{
	struct db_conn *c = NULL;
	char err[512];
	int r;

	if (db_connect(url, &c, err, sizeof err) < 0) {
		log_error("database: %s", err);
		return CLI_RUNTIME;
	}
	r = db_migrate(c, err, sizeof err);
	db_conn_close(c);
	if (r < 0) {
		log_error("migrate: %s", err);
		return CLI_RUNTIME;
	}
	if (r > 0)
		log_info("applied %d migration(s)", r);
	return 0;
}

int cli_serve(int argc, char **argv)
{
	struct app app;
	struct http_server *srv = NULL;
	sigset_t stop_set;
	char bound[256];
	int sig = 0;
	const char *rl;
	int status = CLI_RUNTIME, r, waited;

	if (argc > 1)
		return usage(!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ? stdout : stderr);
	log_init_from_env();
	/* SIGTERM and SIGINT are blocked in every thread (the ones made later inherit the mask)
	 * and taken synchronously by the main thread with sigwait below: a handler could run on
	 * any thread and leave the main one asleep. */
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&app, 0, sizeof app);
	if (app_config_from_env(&app.cfg, bound, sizeof bound) < 0) {
		fprintf(stderr, "sipas serve: %s\n", bound);
		return CLI_USAGE;
	}
	rl = getenv("SIPAS_RATE_LIMIT");
	ratelimit_configure(rl && *rl ? (unsigned)strtoul(rl, NULL, 10) : 120);
	if ((status = serve_migrate(app.cfg.database_url)) != 0)
		return status;
	status = CLI_RUNTIME;
	if (db_pool_new(app.cfg.database_url, app.cfg.db_pool_size, &app.db) < 0) {
		log_error("cannot create the database pool");
		goto out;
	}

	if ((r = http_server_start(&app, &srv, bound, sizeof bound)) < 0) {
		log_error("%s", bound);
		goto out;
	}
	printf("listening on http://%s\n", bound);
	fflush(stdout);
	log_info("listening on http://%s (%u threads, %u database connections)", bound,
		 app.cfg.threads, app.cfg.db_pool_size);

	while (sigwait(&stop_set, &sig) != 0)
		;
	log_info("signal %d: no new connections; waiting for %u request(s) in flight",
		 sig, atomic_load(&app.inflight));
	atomic_store(&app.stopping, true);
	http_server_quiesce(srv);
	for (waited = 0; atomic_load(&app.inflight) > 0 && waited < DRAIN_SECONDS * 10; waited++) {
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
	}
	status = CLI_OK;
out:
	http_server_stop(srv);
	db_pool_free(app.db);
	log_info("stopped");
	return status;
}
