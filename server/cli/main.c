/* main.c - the sipas program: reads the environment once, then dispatches to a subcommand
 * (docs/cli.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"

struct subcommand {
	const char *name;
	int (*run)(const struct config *cfg, int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "serve", cli_serve, "run the HTTP server (applies pending migrations first)" },
	{ "migrate", cli_migrate, "apply pending migrations from sql/ and exit" },
	{ "forms", cli_forms, "forms load PATH...: validate and register form definitions" },
	{ "agencies", cli_agencies, "agencies import FILE.csv: upsert agencies" },
	{ "survey", cli_survey, "survey create|open|close|publish|unpublish: survey rounds" },
	{ "invites", cli_invites, "invites create|export|purge ...: invitation codes and letters" },
	{ "sample", cli_sample, "sample draw ...: plan a round from the procedure registry" },
	{ "token", cli_token, "token create ...: print a new API token" },
	{ "analyze", cli_analyze, "offline estimates from a responses file" },
	{ "upload", cli_upload, "upload a paper-results CSV file to a survey round" },
	{ "report", cli_report, "report --survey ID --out FILE.pdf: the round's report as a PDF" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sipas COMMAND [ARGS]...\n\n"
		"SIPAS survey server and estimator.\n\ncommands:\n");
	for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\nRun `sipas COMMAND --help` for a command's options.\n"
		"Environment: SIPAS_DATABASE_URL (libpq connection string), SIPAS_LISTEN (default 127.0.0.1:8080).\n");
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[512];
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (config_from_env(&cfg, err, sizeof err) < 0) {
		fprintf(stderr, "sipas: %s\n", err);
		return CLI_USAGE;
	}
	log_set_level(cfg.log_level);
	for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(&cfg, argc - 1, argv + 1);
	fprintf(stderr, "sipas: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
