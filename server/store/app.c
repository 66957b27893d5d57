/* app.c - the server's configuration, read from the environment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

static int env_uint(const char *name, unsigned def, unsigned min, unsigned max, unsigned *out,
		    char *errbuf, size_t errlen)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		snprintf(errbuf, errlen, "%s=%s: expected a whole number from %u to %u", name, v, min, max);
		return -EINVAL;
	}
	*out = (unsigned)n;
	return 0;
}

int app_config_from_env(struct app_config *cfg, char *errbuf, size_t errlen)
{
	const char *listen = getenv("SIPAS_LISTEN");
	const char *colon;
	char *end;
	unsigned long port;
	int r;

	memset(cfg, 0, sizeof *cfg);
	cfg->database_url = getenv("SIPAS_DATABASE_URL");
	if (!cfg->database_url || !*cfg->database_url) {
		snprintf(errbuf, errlen, "SIPAS_DATABASE_URL is not set (a libpq connection string or URI)");
		return -EINVAL;
	}
	if (!listen || !*listen)
		listen = "127.0.0.1:8080";
	colon = strrchr(listen, ':');
	if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof cfg->listen_host) {
		snprintf(errbuf, errlen, "SIPAS_LISTEN=%s: expected HOST:PORT", listen);
		return -EINVAL;
	}
	port = strtoul(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port > 65535) {
		snprintf(errbuf, errlen, "SIPAS_LISTEN=%s: bad port", listen);
		return -EINVAL;
	}
	memcpy(cfg->listen_host, listen, (size_t)(colon - listen));
	cfg->listen_port = (unsigned)port;
	if ((r = env_uint("SIPAS_THREADS", 8, 1, 256, &cfg->threads, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_DB_POOL", cfg->threads + 4, 1, 512, &cfg->db_pool_size, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_MAX_CONNECTIONS", 1024, 1, 65536, &cfg->conn_limit, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_CONN_TIMEOUT", 30, 1, 3600, &cfg->conn_timeout_s, errbuf, errlen)) < 0 ||
	    (r = env_uint("SIPAS_DB_WAIT_MS", 5000, 1, 600000, &cfg->db_wait_ms, errbuf, errlen)) < 0)
		return r;
	return 0;
}
