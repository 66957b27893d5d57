/* config.h - every SIPAS_* environment variable, read and checked in one place.
 *
 * The program reads the environment once, at start; a malformed value stops it with exit
 * status 2 and a message naming the variable, never a silent default. Subcommands take the
 * values they need from struct config (docs/operations.md lists them). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_HOST_MAX 64
#define CONFIG_PATH_MAX 4096

struct config {
	const char *database_url;   /* SIPAS_DATABASE_URL; NULL when unset or empty */
	char listen_host[CONFIG_HOST_MAX];  /* SIPAS_LISTEN, HOST:PORT (IPv4) */
	unsigned listen_port;       /* 0 = any free port */
	unsigned threads;           /* SIPAS_THREADS: HTTP polling threads (default 8) */
	unsigned db_pool_size;      /* SIPAS_DB_POOL: database connections (default threads + 4) */
	unsigned conn_limit;        /* SIPAS_MAX_CONNECTIONS: concurrent connections (default 1024) */
	unsigned conn_timeout_s;    /* SIPAS_CONN_TIMEOUT: idle connection timeout (default 30) */
	unsigned db_wait_ms;        /* SIPAS_DB_WAIT_MS: wait for a pooled connection (default 5000) */
	unsigned rate_limit;        /* SIPAS_RATE_LIMIT: public requests per minute per client (120; 0 = off) */
	unsigned writers;           /* SIPAS_WRITERS: group-commit writer threads (1; 0 = off) */
	unsigned analyst_workers;   /* SIPAS_ANALYST_WORKERS: threads of the analysts' queue (default 2) */
	unsigned analyst_queue;     /* SIPAS_ANALYST_QUEUE: analysts' requests that may wait (default 64) */
	unsigned analyst_stale_ms;  /* SIPAS_ANALYST_STALE_MS: under load, how old an analyst's answer
				     * may be (default 1000; 0: always exact) */
	unsigned analyst_db_pool;   /* SIPAS_ANALYST_DB_POOL: the analysts' own connections (workers + 2) */
	bool result_cache;          /* SIPAS_RESULT_CACHE: keep computed estimates (1; 0 = off) */
	int log_level;              /* SIPAS_LOG_LEVEL: an enum log_level (default info) */
	const char *migrations_dir; /* SIPAS_MIGRATIONS_DIR; NULL = the compiled-in migrations */
	const char *read_database_url; /* SIPAS_READ_DATABASE_URL: a streaming replica for the analysts' reads; NULL = none */
};

/* Fills cfg from the environment (pointers into the environment stay valid while it is not
 * changed). Returns 0, or -EINVAL with "NAME=value: what is expected" in errbuf. */
int config_from_env(struct config *cfg, char *errbuf, size_t errlen);
