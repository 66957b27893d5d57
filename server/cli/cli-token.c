/* cli-token.c - `sipas token create|revoke`: API tokens, printed once, stored as hashes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli-util.h"
#include "cli.h"
#include "db-auth.h"
#include "db.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas token create --role admin|team|analyst [--agency CODE]... [--name TEXT]\n"
		   "       sipas token revoke ID\n\n"
		   "create prints a new API token once (only its SHA-256 is stored). A team token acts\n"
		   "only on the agencies given with --agency (at least one). Use it as\n"
		   "`Authorization: Bearer TOKEN`, or log in with it at /login.\n"
		   "revoke stops token ID (the number after sipas_) from working.\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

static int token_create(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "agency", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *role = NULL, *name = NULL, *agencies[DB_TOKEN_MAX_AGENCIES];
	size_t nagencies = 0;
	struct db_conn *c = NULL;
	char secret[65], token[AUTH_TOKEN_LEN], defname[64];
	uint8_t hash[32];
	int opt, r, status;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': role = optarg; break;
		case 'n': name = optarg; break;
		case 'a':
			if (nagencies == DB_TOKEN_MAX_AGENCIES) {
				fprintf(stderr, "sipas token create: at most %d --agency\n", DB_TOKEN_MAX_AGENCIES);
				return CLI_USAGE;
			}
			agencies[nagencies++] = optarg;
			break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sipas token create: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	if (!role) {
		fprintf(stderr, "sipas token create: --role is required (admin, team or analyst)\n");
		return CLI_USAGE;
	}
	if (strcmp(role, "admin") && strcmp(role, "team") && strcmp(role, "analyst")) {
		fprintf(stderr, "sipas token create: --role: unknown role '%s' (admin, team or analyst)\n", role);
		return CLI_USAGE;
	}
	if (!strcmp(role, "team") && nagencies == 0) {
		fprintf(stderr, "sipas token create: --agency: a team token needs at least one agency\n");
		return CLI_USAGE;
	}
	if (name && (strlen(name) == 0 || strlen(name) > 120)) {
		fprintf(stderr, "sipas token create: --name: 1 to 120 bytes\n");
		return CLI_USAGE;
	}
	if (!name) {
		snprintf(defname, sizeof defname, "%s token", role);
		name = defname;
	}
	if ((status = cli_db_connect(cfg, "token create", &c)) != 0)
		return status;
	if ((r = auth_secret_generate(secret, hash)) < 0) {
		fprintf(stderr, "sipas token create: no randomness: %s\n", strerror(-r));
		status = CLI_RUNTIME;
		goto out;
	}
	r = db_token_create(c, role, name, hash, agencies, nagencies);
	if (r == -ENOENT) {
		fprintf(stderr, "sipas token create: --agency: unknown agency '%s'\n", db_conn_error(c));
		status = CLI_USAGE;
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "sipas token create: %s\n", db_conn_error(c));
		status = CLI_RUNTIME;
		goto out;
	}
	snprintf(token, sizeof token, "sipas_%d_%s", r, secret);
	printf("%s\n", token);
	status = CLI_OK;
out:
	db_conn_close(c);
	return status;
}

static int token_revoke(const struct config *cfg, int argc, char **argv)
{
	struct db_conn *c = NULL;
	char *end;
	long id;
	int r, status;

	if (argc != 2)
		return usage(stderr);
	id = strtol(argv[1], &end, 10);
	if (*end || id <= 0 || id > 0x7fffffff) {
		fprintf(stderr, "sipas token revoke: '%s' is not a token id\n", argv[1]);
		return CLI_USAGE;
	}
	if ((status = cli_db_connect(cfg, "token revoke", &c)) != 0)
		return status;
	r = db_token_revoke(c, (int)id, "cli");
	if (r == -ENOENT) {
		fprintf(stderr, "sipas token revoke: no live token %ld\n", id);
		status = CLI_USAGE;
	} else if (r < 0) {
		fprintf(stderr, "sipas token revoke: %s\n", db_conn_error(c));
		status = CLI_RUNTIME;
	} else {
		printf("token %ld revoked\n", id);
		status = CLI_OK;
	}
	db_conn_close(c);
	return status;
}

int cli_token(const struct config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "create"))
		return token_create(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "revoke"))
		return token_revoke(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	fprintf(stderr, "sipas token: unknown action '%s'\n", argv[1]);
	return usage(stderr);
}
