/* cli-invites.c - `sipas invites create`: one-time invitation codes, printed once. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "db-invites.h"
#include "db.h"
#include "invite.h"

#define MAX_INVITES 100000

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas invites create --survey ID --agency CODE --count N\n\n"
		   "Prints N one-time invitation codes for round ID and agency CODE, one a line\n"
		   "(16 characters in groups of four; 80 random bits). Only their SHA-256 is stored:\n"
		   "keep the printed codes. N: 1 to %d.\n", MAX_INVITES);
	return f == stdout ? CLI_OK : CLI_USAGE;
}

static int invites_create(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "survey", required_argument, NULL, 's' },
		{ "agency", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *survey = NULL, *agency = NULL;
	uint8_t (*hashes)[32] = NULL;
	char (*codes)[INVITE_PRINTED_LEN] = NULL;
	struct db_conn *c = NULL;
	long count = 0, i;
	char *end;
	int opt, r, status = CLI_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': survey = optarg; break;
		case 'a': agency = optarg; break;
		case 'n':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || *end || count < 1 || count > MAX_INVITES) {
				fprintf(stderr, "sipas invites create: --count: '%s' is not a number from 1 to %d\n",
					optarg, MAX_INVITES);
				return CLI_USAGE;
			}
			break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sipas invites create: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	if (!survey || !agency || !count) {
		fprintf(stderr, "sipas invites create: --%s is required\n", !survey ? "survey" : !agency ? "agency" : "count");
		return CLI_USAGE;
	}
	hashes = calloc((size_t)count, sizeof *hashes);
	codes = calloc((size_t)count, sizeof *codes);
	if (!hashes || !codes) {
		fprintf(stderr, "sipas invites create: out of memory\n");
		status = CLI_RUNTIME;
		goto out;
	}
	for (i = 0; i < count; i++) {
		if ((r = invite_generate(codes[i], hashes[i])) < 0) {
			fprintf(stderr, "sipas invites create: no randomness: %s\n", strerror(-r));
			status = CLI_RUNTIME;
			goto out;
		}
	}
	if ((status = cli_db_connect(cfg, "invites create", &c)) != 0)
		goto out;
	r = db_invites_add(c, survey, agency, (const uint8_t (*)[32])hashes, (size_t)count);
	if (r == -ENOENT || r == -EINVAL) {
		fprintf(stderr, "sipas invites create: %s\n", db_conn_error(c));
		status = CLI_USAGE;
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "sipas invites create: %s\n", db_conn_error(c));
		status = CLI_RUNTIME;
		goto out;
	}
	for (i = 0; i < count; i++)
		printf("%s\n", codes[i]);
	status = CLI_OK;
out:
	db_conn_close(c);
	free(hashes);
	free(codes);
	return status;
}

int cli_invites(const struct config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "create"))
		return invites_create(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	fprintf(stderr, "sipas invites: unknown action '%s'\n", argv[1]);
	return usage(stderr);
}
