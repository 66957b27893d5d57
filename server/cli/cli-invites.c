/* cli-invites.c - `sipas invites create`: one-time invitation codes, printed once. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "cli.h"
#include "db-invites.h"
#include "db.h"
#include "db-sample.h"
#include "invite-export.h"
#include "strbuf.h"
#include "invite.h"
#include "invite-doc.h"

#define MAX_INVITES 100000

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas invites create --survey ID --agency CODE --count N\n"
		   "       sipas invites export --survey ID --base-url URL [--agency CODE] [--unused] [--format csv|html]\n"
		   "       sipas invites purge --survey ID\n\n"
		   "Prints N one-time invitation codes for round ID and agency CODE, one a line\n"
		   "(16 characters in groups of four; 80 random bits). Only their SHA-256 is stored:\n"
		   "keep the printed codes. N: 1 to %d.\n\n"
		   "export writes the drawn invitations (`sipas sample draw`) to stdout: csv (default) with\n"
		   "code,agency,agency_name,dossier,name,phone,email,address,url,used, the url being\n"
		   "URL/s/ID?invite=CODE; html: printable A4 letters in Vietnamese, one a page, with a QR code\n"
		   "of the url. --unused lists only invitations not used yet (reminders). Every export is\n"
		   "audited. purge erases name, phone, email, address and dossier of the round's invitations,\n"
		   "keeping codes and their use (`sipas survey close` does it too unless --keep-contacts).\n",
		   MAX_INVITES);
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

static void actor_name(char *out, size_t n)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(out, n, "cli:%s", pw ? pw->pw_name : "?");
}

/* Writes what the document holds so far to stdout when it has grown (rows stream out). */
static int on_export_row(void *ud, const struct db_invite_row *row)
{
	struct invite_doc *d = ud;
	int r = invite_doc_row(d, row);

	if (r < 0)
		return r;
	if (d->sb->len >= 64 * 1024) {
		if (fwrite(d->sb->buf, 1, d->sb->len, stdout) != d->sb->len)
			return -EIO;
		strbuf_reset(d->sb);
	}
	return 0;
}

static int invites_export(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "survey", required_argument, NULL, 's' },
		{ "base-url", required_argument, NULL, 'b' },
		{ "agency", required_argument, NULL, 'a' },
		{ "unused", no_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *survey = NULL, *base = NULL, *agency = NULL, *format = "csv";
	struct invite_doc x;
	struct strbuf sb;
	struct db_survey_brief sv;
	struct db_conn *c = NULL;
	bool unused = false;
	char actor[160];
	int opt, r, status = CLI_USAGE;

	memset(&x, 0, sizeof x);
	strbuf_init(&sb, 0);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': survey = optarg; break;
		case 'b': base = optarg; break;
		case 'a': agency = optarg; break;
		case 'u': unused = true; break;
		case 'f': format = optarg; break;
		case 'h': strbuf_done(&sb); return usage(stdout);
		default: strbuf_done(&sb); return usage(stderr);
		}
	}
	if (optind < argc || !survey || !base || (strcmp(format, "csv") && strcmp(format, "html"))) {
		fprintf(stderr, "sipas invites export: %s\n", optind < argc ? "unexpected argument" :
			!survey ? "--survey is required" : !base ? "--base-url is required" :
			"--format: csv or html");
		goto out;
	}
	if (invite_base_url_check(base) < 0) {
		fprintf(stderr, "sipas invites export: --base-url: '%s' is not an http:// or https:// address\n", base);
		goto out;
	}
	if ((status = cli_db_connect(cfg, "invites export", &c)) != 0)
		goto out;
	if ((r = db_survey_brief(c, survey, &sv)) < 0) {
		fprintf(stderr, "sipas invites export: --survey: %s\n", r == -ENOENT ? "no such round" : db_conn_error(c));
		status = r == -ENOENT ? CLI_USAGE : CLI_RUNTIME;
		goto out;
	}
	x.base = base;
	x.survey = sv.code;
	x.title = sv.title;
	x.html = !strcmp(format, "html");
	x.sb = &sb;
	if ((r = invite_doc_begin(&x)) < 0)
		goto fail;
	actor_name(actor, sizeof actor);
	r = db_invites_export(c, sv.id, agency, unused, 0, actor, format, on_export_row, &x);
	if (r < 0)
		goto fail;
	if ((r = invite_doc_end(&x)) < 0)
		goto fail;
	if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len || fflush(stdout) != 0) {
		r = -EIO;
		goto fail;
	}
	status = CLI_OK;
	goto out;
fail:
	fprintf(stderr, "sipas invites export: %s\n", r == -ENOMEM ? "out of memory" : r == -EIO ? "write error" :
		db_conn_error(c)[0] ? db_conn_error(c) : strerror(-r));
	status = CLI_RUNTIME;
out:
	strbuf_done(&sb);
	db_conn_close(c);
	return status;
}

static int invites_purge(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "survey", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *survey = NULL;
	struct db_survey_brief sv;
	struct db_conn *c = NULL;
	char actor[160];
	int opt, r, status;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': survey = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind < argc || !survey) {
		fprintf(stderr, "sipas invites purge: %s\n", !survey ? "--survey is required" : "unexpected argument");
		return CLI_USAGE;
	}
	if ((status = cli_db_connect(cfg, "invites purge", &c)) != 0)
		goto out;
	if ((r = db_survey_brief(c, survey, &sv)) < 0) {
		fprintf(stderr, "sipas invites purge: --survey: %s\n", r == -ENOENT ? "no such round" : db_conn_error(c));
		status = r == -ENOENT ? CLI_USAGE : CLI_RUNTIME;
		goto out;
	}
	actor_name(actor, sizeof actor);
	if ((r = db_invites_purge(c, sv.id, actor)) < 0) {
		fprintf(stderr, "sipas invites purge: %s\n", db_conn_error(c));
		status = CLI_RUNTIME;
		goto out;
	}
	fprintf(stderr, "sipas invites purge: contact details of %d invitation(s) erased\n", r);
	status = CLI_OK;
out:
	db_conn_close(c);
	return status;
}

int cli_invites(const struct config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "create"))
		return invites_create(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "export"))
		return invites_export(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "purge"))
		return invites_purge(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	fprintf(stderr, "sipas invites: unknown action '%s'\n", argv[1]);
	return usage(stderr);
}
