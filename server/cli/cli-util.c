/* cli-util.c - what the subcommands share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "config.h"
#include "db.h"

int cli_db_connect(const struct config *cfg, const char *cmd, struct db_conn **out)
{
	const char *url = cfg->database_url;
	char err[512];

	if (!url || !*url) {
		fprintf(stderr, "sipas %s: SIPAS_DATABASE_URL is not set\n", cmd);
		return CLI_USAGE;
	}
	if (db_connect(url, out, err, sizeof err) < 0) {
		fprintf(stderr, "sipas %s: database: %s\n", cmd, err);
		return CLI_RUNTIME;
	}
	/* like serve, every command works on an up-to-date schema */
	if (db_migrate(*out, cfg->migrations_dir, err, sizeof err) < 0) {
		fprintf(stderr, "sipas %s: migrate: %s\n", cmd, err);
		db_conn_close(*out);
		*out = NULL;
		return CLI_RUNTIME;
	}
	return 0;
}

int cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}
