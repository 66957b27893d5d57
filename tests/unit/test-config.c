/* test-config.c - reading the SIPAS_* environment (store/config.c): defaults, every variable's
 * range, and the message naming a malformed one. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "test.h"

static const char *const vars[] = {
	"SIPAS_DATABASE_URL", "SIPAS_LISTEN", "SIPAS_THREADS", "SIPAS_DB_POOL", "SIPAS_MAX_CONNECTIONS",
	"SIPAS_CONN_TIMEOUT", "SIPAS_DB_WAIT_MS", "SIPAS_RATE_LIMIT", "SIPAS_WRITERS",
	"SIPAS_RESULT_CACHE", "SIPAS_LOG_LEVEL", "SIPAS_MIGRATIONS_DIR", "SIPAS_READ_DATABASE_URL",
	"SIPAS_ANALYST_WORKERS", "SIPAS_ANALYST_QUEUE", "SIPAS_ANALYST_DB_POOL", "SIPAS_ANALYST_STALE_MS",
};

static void clear(void)
{
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
}

/* Sets name=value alone and expects a refusal whose message starts with "name=value". */
static void refused(const char *name, const char *value)
{
	struct config cfg;
	char err[256], want[256];

	clear();
	setenv(name, value, 1);
	if (config_from_env(&cfg, err, sizeof err) != -EINVAL) {
		TEST_FAIL_("%s=%s was accepted", name, value);
		return;
	}
	snprintf(want, sizeof want, "%s=%s", name, value);
	if (strncmp(err, want, strlen(want)) != 0)
		TEST_FAIL_("%s=%s: message \"%s\" does not name it", name, value, err);
}

int main(void)
{
	struct config cfg;
	char err[256];

	/* defaults */
	clear();
	CHECK_OK(config_from_env(&cfg, err, sizeof err));
	CHECK(cfg.database_url == NULL);
	CHECK_STR(cfg.listen_host, "127.0.0.1");
	CHECK_INT(cfg.listen_port, 8080);
	{
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		CHECK_INT(cfg.threads, cpus < 2 ? 4 : cpus > 32 ? 64 : 2 * cpus);   /* two a processor */
	}
	CHECK_INT(cfg.db_pool_size, cfg.threads + 4 < 12 ? 12 : cfg.threads + 4);
	CHECK_INT(cfg.conn_limit, 1024);
	CHECK_INT(cfg.conn_timeout_s, 30);
	CHECK_INT(cfg.db_wait_ms, 5000);
	CHECK_INT(cfg.rate_limit, 120);
	CHECK_INT(cfg.writers, 1);
	CHECK_INT(cfg.analyst_workers, 2);
	CHECK_INT(cfg.analyst_queue, 64);
	CHECK_INT(cfg.analyst_db_pool, 4);    /* workers + 2 */
	CHECK_INT(cfg.analyst_stale_ms, 1000);
	CHECK(cfg.result_cache);
	CHECK_INT(cfg.log_level, LOG_INFO);
	CHECK(cfg.migrations_dir == NULL);
	CHECK(cfg.read_database_url == NULL);

	/* set values, and an empty one taking its default */
	setenv("SIPAS_DATABASE_URL", "postgresql://sipas@127.0.0.1:5433/sipas", 1);
	setenv("SIPAS_LISTEN", "0.0.0.0:0", 1);
	setenv("SIPAS_THREADS", "3", 1);
	setenv("SIPAS_RATE_LIMIT", "0", 1);
	setenv("SIPAS_WRITERS", "0", 1);
	setenv("SIPAS_RESULT_CACHE", "0", 1);
	setenv("SIPAS_LOG_LEVEL", "debug", 1);
	setenv("SIPAS_DB_WAIT_MS", "", 1);
	setenv("SIPAS_ANALYST_WORKERS", "5", 1);
	setenv("SIPAS_ANALYST_QUEUE", "1", 1);
	setenv("SIPAS_ANALYST_STALE_MS", "0", 1);
	setenv("SIPAS_READ_DATABASE_URL", "postgresql://sipas@10.0.0.2:5432/sipas", 1);
	CHECK_OK(config_from_env(&cfg, err, sizeof err));
	CHECK_STR(cfg.database_url, "postgresql://sipas@127.0.0.1:5433/sipas");
	CHECK_STR(cfg.read_database_url, "postgresql://sipas@10.0.0.2:5432/sipas");
	CHECK_STR(cfg.listen_host, "0.0.0.0");
	CHECK_INT(cfg.listen_port, 0);
	CHECK_INT(cfg.threads, 3);
	CHECK_INT(cfg.db_pool_size, 12);      /* threads + 4, at least 12 */
	CHECK_INT(cfg.rate_limit, 0);
	CHECK_INT(cfg.writers, 0);
	CHECK(!cfg.result_cache);
	CHECK_INT(cfg.log_level, LOG_DEBUG);
	CHECK_INT(cfg.db_wait_ms, 5000);
	CHECK_INT(cfg.analyst_workers, 5);
	CHECK_INT(cfg.analyst_queue, 1);
	CHECK_INT(cfg.analyst_db_pool, 7);    /* workers + 2 */
	CHECK_INT(cfg.analyst_stale_ms, 0);

	/* malformed values are refused, naming the variable */
	refused("SIPAS_RATE_LIMIT", "abc");
	refused("SIPAS_RATE_LIMIT", "-1");
	refused("SIPAS_RATE_LIMIT", "12x");
	refused("SIPAS_THREADS", "0");
	refused("SIPAS_THREADS", "257");
	refused("SIPAS_THREADS", "99999999999999999999");
	refused("SIPAS_DB_POOL", " 5");
	refused("SIPAS_MAX_CONNECTIONS", "+5");
	refused("SIPAS_CONN_TIMEOUT", "0");
	refused("SIPAS_DB_WAIT_MS", "1.5");
	refused("SIPAS_WRITERS", "17");
	refused("SIPAS_ANALYST_WORKERS", "0");
	refused("SIPAS_ANALYST_WORKERS", "65");
	refused("SIPAS_ANALYST_QUEUE", "0");
	refused("SIPAS_ANALYST_DB_POOL", "0");
	refused("SIPAS_ANALYST_STALE_MS", "3600001");
	refused("SIPAS_ANALYST_STALE_MS", "-1");
	refused("SIPAS_RESULT_CACHE", "yes");
	refused("SIPAS_RESULT_CACHE", "2");
	refused("SIPAS_LOG_LEVEL", "verbose");
	refused("SIPAS_LISTEN", "8080");
	refused("SIPAS_LISTEN", ":8080");
	refused("SIPAS_LISTEN", "127.0.0.1:");
	refused("SIPAS_LISTEN", "127.0.0.1:65536");
	refused("SIPAS_LISTEN", "127.0.0.1:-1");
	refused("SIPAS_LISTEN", "127.0.0.1:80x");
	refused("SIPAS_LISTEN", "a-host-name-that-is-far-too-long-for-the-listen-address-buffer-of-the-server:80");
	clear();
	TEST_DONE();
}
