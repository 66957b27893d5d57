/* app.h - the server's shared state, reachable from every request as req->app. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct db_pool;

struct app_config {
	char listen_host[64];
	unsigned listen_port;       /* 0 = any free port */
	unsigned threads;           /* MHD polling threads (SIPAS_THREADS, default 8) */
	unsigned db_pool_size;      /* connections (SIPAS_DB_POOL, default threads + 4) */
	unsigned conn_limit;        /* concurrent connections (SIPAS_MAX_CONNECTIONS, default 1024) */
	unsigned conn_timeout_s;    /* idle connection timeout (SIPAS_CONN_TIMEOUT, default 30) */
	unsigned db_wait_ms;        /* how long a request waits for a pooled connection (default 5000) */
	const char *database_url;
};

struct app {
	struct app_config cfg;
	struct db_pool *db;
	atomic_uint inflight;       /* requests being handled (graceful shutdown waits for 0) */
	atomic_bool stopping;
	struct app_extra *extra;    /* state that later areas hang here (form cache, rate limits...) */
};

/* Fills cfg from the environment (SIPAS_*); returns 0 or -EINVAL with the bad variable in errbuf. */
int app_config_from_env(struct app_config *cfg, char *errbuf, size_t errlen);
