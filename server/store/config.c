/* config.c - the SIPAS_* environment variables, each parsed and range-checked here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

/* A set variable's value, or NULL when unset or empty (which means "the default"). */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* SIPAS_THREADS by default: two HTTP threads a processor, at least 4, at most 64. More threads
 * than that only take turns on the processors: on 2 cores, posts' p99 under bench/soak.lua's
 * mix (20 s by hand) was 64-94 ms with 4 threads, 91-107 ms with 2, and 130-180 ms with 8. */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 4 : n > 32 ? 64 : (unsigned)(2 * n);
}

static int env_uint(const char *name, unsigned def, unsigned min, unsigned max, unsigned *out,
		    char *errbuf, size_t errlen)
{
	const char *v = env(name);
	char *end;
	unsigned long n;

	if (!v) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || v[0] == '-' || v[0] == '+' || v[0] == ' ' || n < min || n > max) {
		snprintf(errbuf, errlen, "%s=%s: expected a whole number from %u to %u", name, v, min, max);
		return -EINVAL;
	}
	*out = (unsigned)n;
	return 0;
}

static int env_listen(struct config *cfg, char *errbuf, size_t errlen)
{
	const char *v = env("SIPAS_LISTEN"), *colon;
	char *end;
	unsigned long port;

	if (!v)
		v = "127.0.0.1:8080";
	colon = strrchr(v, ':');
	if (!colon || colon == v || (size_t)(colon - v) >= sizeof cfg->listen_host) {
		snprintf(errbuf, errlen, "SIPAS_LISTEN=%s: expected HOST:PORT", v);
		return -EINVAL;
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || colon[1] == '-' || colon[1] == '+' || port > 65535) {
		snprintf(errbuf, errlen, "SIPAS_LISTEN=%s: bad port (0 to 65535)", v);
		return -EINVAL;
	}
	memcpy(cfg->listen_host, v, (size_t)(colon - v));
	cfg->listen_host[colon - v] = '\0';
	cfg->listen_port = (unsigned)port;
	return 0;
}

static int env_log_level(struct config *cfg, char *errbuf, size_t errlen)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	const char *v = env("SIPAS_LOG_LEVEL");
	int i;

	cfg->log_level = LOG_INFO;
	if (!v)
		return 0;
	for (i = 0; i < 4; i++)
		if (!strcmp(v, names[i])) {
			cfg->log_level = LOG_DEBUG + i;
			return 0;
		}
	snprintf(errbuf, errlen, "SIPAS_LOG_LEVEL=%s: expected debug, info, warn or error", v);
	return -EINVAL;
}

int config_from_env(struct config *cfg, char *errbuf, size_t errlen)
{
	unsigned cache;
	int r;

	memset(cfg, 0, sizeof *cfg);
	cfg->database_url = env("SIPAS_DATABASE_URL");
	cfg->migrations_dir = env("SIPAS_MIGRATIONS_DIR");
	cfg->read_database_url = env("SIPAS_READ_DATABASE_URL");
	if (cfg->migrations_dir && strlen(cfg->migrations_dir) >= CONFIG_PATH_MAX) {
		snprintf(errbuf, errlen, "SIPAS_MIGRATIONS_DIR: longer than %d bytes", CONFIG_PATH_MAX - 1);
		return -EINVAL;
	}
	if ((r = env_listen(cfg, errbuf, errlen)) < 0 ||
	    (r = env_log_level(cfg, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_THREADS", default_threads(), 1, 256, &cfg->threads, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_DB_POOL", cfg->threads + 4 < 12 ? 12 : cfg->threads + 4, 1, 512, &cfg->db_pool_size, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_MAX_CONNECTIONS", 1024, 1, 65536, &cfg->conn_limit, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_CONN_TIMEOUT", 30, 1, 3600, &cfg->conn_timeout_s, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_DB_WAIT_MS", 5000, 1, 600000, &cfg->db_wait_ms, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_RATE_LIMIT", 120, 0, 1000000, &cfg->rate_limit, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_WRITERS", 1, 0, 16, &cfg->writers, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_ANALYST_WORKERS", 2, 1, 64, &cfg->analyst_workers, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_ANALYST_QUEUE", 64, 1, 100000, &cfg->analyst_queue, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_ANALYST_DB_POOL", cfg->analyst_workers + 2, 1, 512, &cfg->analyst_db_pool,
			  errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_ANALYST_STALE_MS", 1000, 0, 3600000, &cfg->analyst_stale_ms, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_RESULT_CACHE", 1, 0, 1, &cache, errbuf, errlen)) < 0)
		return r;
	cfg->result_cache = cache != 0;
	return 0;
}
