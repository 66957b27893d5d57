/* cli-migrate.c - `sipas migrate`: apply pending migrations and exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "db.h"

int cli_migrate(const struct config *cfg, int argc, char **argv)
{
	const char *url = cfg->database_url;
	struct db_conn *c = NULL;
	char err[512];
	int r;

	if (argc > 1) {
		int help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");

		fprintf(help ? stdout : stderr, "usage: sipas migrate\n\n"
			"Applies the pending migrations (sql/NNN_name.sql, compiled in; SIPAS_MIGRATIONS_DIR\n"
			"overrides the folder) to SIPAS_DATABASE_URL, each once, in its own transaction.\n"
			"Safe to run twice at once: an advisory lock serialises them.\n");
		return help ? CLI_OK : CLI_USAGE;
	}
	if (!url) {
		fprintf(stderr, "sipas migrate: SIPAS_DATABASE_URL is not set\n");
		return CLI_USAGE;
	}
	if (db_connect(url, &c, err, sizeof err) < 0) {
		fprintf(stderr, "sipas migrate: database: %s\n", err);
		return CLI_RUNTIME;
	}
	r = db_migrate(c, cfg->migrations_dir, err, sizeof err);
	db_conn_close(c);
	if (r < 0) {
		fprintf(stderr, "sipas migrate: %s\n", err);
		return CLI_RUNTIME;
	}
	printf("%d migration(s) applied\n", r);
	return CLI_OK;
}
