/* cli-survey.c - `sipas survey create|open|close|publish|unpublish`: survey rounds (đợt khảo sát). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "db-forms.h"
#include "db-sample.h"
#include "db-surveys.h"
#include "db.h"
#include "frame.h"

#define MAX_AGENCIES 1000

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas survey create --id ID --form FORM_ID [--form-version N] --title TEXT\n"
		   "                           [--baseline 79.30] [--baseline-label TEXT] [--frame FRAME.csv]\n"
		   "                           [--access open|invite] [--agency CODE]...\n"
		   "       sipas survey close ID [--keep-contacts]\n"
		   "       sipas survey open ID\n"
		   "       sipas survey publish ID\n"
		   "       sipas survey unpublish ID\n\n"
		   "create makes a survey round (đợt khảo sát) on a registered form (its highest version\n"
		   "unless --form-version). ID: letters, digits, '_', '.', '-' (at most 64). --frame reads\n"
		   "stratum,population[,target] rows into the round's sampling frame. --access invite asks\n"
		   "for a one-time invitation code with every response (see `sipas invites create`).\n"
		   "--agency (repeatable) limits the agencies the round covers; none = every agency.\n"
		   "close stops a round from taking responses and erases the contact details of its drawn\n"
		   "invitations (as `sipas invites purge`) unless --keep-contacts; open takes responses again.\n"
		   "publish opens the round's estimates by agency to anyone at /results/ID (and .json);\n"
		   "unpublish withdraws them (404 again).\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

static int code_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      (i > 0 && (ch == '_' || ch == '.' || ch == '-'))))
			return 0;
	}
	return 1;
}

/* Reads the frame into strata (malloc'd); prints faults naming file, row and column. */
static int read_frame(const char *path, struct est_frame **frame, struct db_stratum **out, size_t *n)
{
	struct est_frame_fault fault;
	struct db_stratum *st;
	size_t i, count;
	int r;

	memset(&fault, 0, sizeof fault);
	r = est_frame_load_file(path, frame, &fault);
	if (r < 0) {
		if (fault.row > 0 && fault.e.column[0])
			fprintf(stderr, "%s: row %zu, column %s: %s (%s)\n", path, fault.row, fault.e.column,
				fault.e.message, fault.e.code);
		else if (fault.row > 0)
			fprintf(stderr, "%s: row %zu: %s (%s)\n", path, fault.row, fault.e.message, fault.e.code);
		else if (fault.e.column[0])
			fprintf(stderr, "%s: column %s: %s (%s)\n", path, fault.e.column, fault.e.message,
				fault.e.code[0] ? fault.e.code : "invalid");
		else
			fprintf(stderr, "%s: %s\n", path, fault.e.message[0] ? fault.e.message : strerror(-r));
		return r == -ENOMEM ? CLI_RUNTIME : CLI_USAGE;
	}
	count = est_frame_count(*frame);
	st = calloc(count ? count : 1, sizeof *st);
	if (!st)
		return CLI_RUNTIME;
	for (i = 0; i < count; i++) {
		double pop, tgt;

		st[i].stratum = est_frame_stratum(*frame, i);
		pop = est_frame_population(*frame, st[i].stratum);
		tgt = est_frame_target(*frame, st[i].stratum);
		if (!(pop >= 1 && pop <= 1e15 && pop == floor(pop))) {
			fprintf(stderr, "%s: row %zu, column population: a whole number of people or dossiers,"
				" at least 1 (invalid)\n", path, i + 1);
			free(st);
			return CLI_USAGE;
		}
		if (!isnan(tgt) && !(tgt >= 0 && tgt <= 2e9 && tgt == floor(tgt))) {
			fprintf(stderr, "%s: row %zu, column target: a whole number, 0 or more (invalid)\n", path, i + 1);
			free(st);
			return CLI_USAGE;
		}
		st[i].population = (long long)pop;
		st[i].target = isnan(tgt) ? -1 : (long long)tgt;
	}
	*out = st;
	*n = count;
	return 0;
}

static int survey_create(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "form", required_argument, NULL, 'f' },
		{ "form-version", required_argument, NULL, 'v' },
		{ "title", required_argument, NULL, 't' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "baseline-label", required_argument, NULL, 'l' },
		{ "frame", required_argument, NULL, 'F' },
		{ "access", required_argument, NULL, 'a' },
		{ "agency", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *agencies[MAX_AGENCIES];
	struct db_survey_spec spec;
	struct db_stratum *strata = NULL;
	struct est_frame *frame = NULL;
	struct db_conn *c = NULL;
	const char *form = NULL, *frame_path = NULL;
	long version = 0;
	char *end;
	int opt, r, status = CLI_USAGE;

	memset(&spec, 0, sizeof spec);
	spec.access = "open";
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': spec.code = optarg; break;
		case 'f': form = optarg; break;
		case 't': spec.title = optarg; break;
		case 'l': spec.baseline_label = optarg; break;
		case 'F': frame_path = optarg; break;
		case 'a': spec.access = optarg; break;
		case 'v':
			errno = 0;
			version = strtol(optarg, &end, 10);
			if (errno || *end || version < 1 || version > 1000000) {
				fprintf(stderr, "sipas survey create: --form-version: '%s' is not a version number\n", optarg);
				return CLI_USAGE;
			}
			break;
		case 'b':
			errno = 0;
			spec.baseline = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(spec.baseline >= 0 && spec.baseline <= 100)) {
				fprintf(stderr, "sipas survey create: --baseline: '%s' is not a percentage from 0 to 100\n", optarg);
				return CLI_USAGE;
			}
			spec.has_baseline = true;
			break;
		case 'A':
			if (spec.nagencies == MAX_AGENCIES) {
				fprintf(stderr, "sipas survey create: at most %d --agency\n", MAX_AGENCIES);
				return CLI_USAGE;
			}
			agencies[spec.nagencies++] = optarg;
			break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sipas survey create: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	if (!spec.code || !form || !spec.title) {
		fprintf(stderr, "sipas survey create: --%s is required\n", !spec.code ? "id" : !form ? "form" : "title");
		return CLI_USAGE;
	}
	if (!code_valid(spec.code)) {
		fprintf(stderr, "sipas survey create: --id: '%s': use letters, digits, '_', '.', '-' (at most 64,"
			" starting with a letter or digit)\n", spec.code);
		return CLI_USAGE;
	}
	if (!*spec.title || strlen(spec.title) > 500) {
		fprintf(stderr, "sipas survey create: --title: 1 to 500 bytes\n");
		return CLI_USAGE;
	}
	if (spec.baseline_label && strlen(spec.baseline_label) > 200) {
		fprintf(stderr, "sipas survey create: --baseline-label: at most 200 bytes\n");
		return CLI_USAGE;
	}
	if (strcmp(spec.access, "open") && strcmp(spec.access, "invite")) {
		fprintf(stderr, "sipas survey create: --access: '%s' is neither open nor invite\n", spec.access);
		return CLI_USAGE;
	}
	spec.agencies = agencies;
	if (frame_path && (status = read_frame(frame_path, &frame, &strata, &spec.nstrata)) != 0)
		goto out;
	spec.strata = strata;
	if ((status = cli_db_connect(cfg, "survey create", &c)) != 0)
		goto out;
	status = CLI_USAGE;
	r = db_form_find(c, form, (int)version);
	if (r == -ENOENT) {
		if (version)
			fprintf(stderr, "sipas survey create: --form-version: form '%s' has no version %ld"
				" (load it with `sipas forms load`)\n", form, version);
		else
			fprintf(stderr, "sipas survey create: --form: no form '%s' (load it with `sipas forms load`)\n", form);
		goto out;
	}
	if (r < 0)
		goto runtime;
	spec.form_id = r;
	r = db_survey_create(c, &spec);
	if (r == -EEXIST) {
		fprintf(stderr, "sipas survey create: --id: a round '%s' exists already\n", spec.code);
		goto out;
	}
	if (r == -ENOENT) {
		fprintf(stderr, "sipas survey create: --agency: unknown agency '%s'\n", db_conn_error(c));
		goto out;
	}
	if (r == -EINVAL) {
		fprintf(stderr, "sipas survey create: refused: %s\n", db_conn_error(c));
		goto out;
	}
	if (r < 0)
		goto runtime;
	printf("survey %s created (form %s, %zu strata, %s)\n", spec.code, form, spec.nstrata,
	       strcmp(spec.access, "invite") ? "open to everyone" : "by invitation");
	status = CLI_OK;
	goto out;
runtime:
	fprintf(stderr, "sipas survey create: %s\n", db_conn_error(c));
	status = CLI_RUNTIME;
out:
	db_conn_close(c);
	free(strata);
	est_frame_free(frame);
	return status;
}

/* open|close|publish|unpublish ID (argv[0] the action): one flag of the round. */
static int survey_set(const struct config *cfg, int argc, char **argv)
{
	const char *act = argv[0];
	bool publish = !strcmp(act, "publish") || !strcmp(act, "unpublish");
	bool on = !strcmp(act, "open") || !strcmp(act, "publish");
	struct db_conn *c = NULL;
	bool closing = !strcmp(act, "close");
	bool keep = argc == 3 && closing && !strcmp(argv[2], "--keep-contacts");
	char cmd[32];
	int r, status;

	if (cli_wants_help(argc, argv))
		return usage(stdout);
	if (argc != 2 && !keep) {
		fprintf(stderr, "sipas survey %s: give one round ID%s\n", act, closing ? " [--keep-contacts]" : "");
		return CLI_USAGE;
	}
	snprintf(cmd, sizeof cmd, "survey %s", act);
	if ((status = cli_db_connect(cfg, cmd, &c)) != 0)
		return status;
	r = publish ? db_survey_set_published(c, argv[1], on) : db_survey_set_open(c, argv[1], on);
	if (r == -ENOENT) {
		fprintf(stderr, "sipas survey %s: no round '%s'\n", act, argv[1]);
		status = CLI_USAGE;
	} else if (r < 0) {
		fprintf(stderr, "sipas survey %s: %s\n", act, db_conn_error(c));
		status = CLI_RUNTIME;
	} else if (closing && !keep && (r = db_sample_survey_id(c, argv[1])) > 0 &&
		   (r = db_invites_purge(c, r, "cli:survey close")) < 0) {
		fprintf(stderr, "sipas survey close: closed, but the contacts were not erased (run `sipas invites"
			" purge`): %s\n", db_conn_error(c));
		status = CLI_RUNTIME;
	} else {
		if (publish && on)
			printf("survey %s published (/results/%s, /results/%s.json)\n", argv[1], argv[1], argv[1]);
		else
			printf("survey %s %s\n", argv[1], publish ? "unpublished" : on ? "open" : "closed");
		status = CLI_OK;
	}
	db_conn_close(c);
	return status;
}

int cli_survey(const struct config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "create"))
		return survey_create(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "close") || !strcmp(argv[1], "open") || !strcmp(argv[1], "publish") ||
	    !strcmp(argv[1], "unpublish"))
		return survey_set(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	fprintf(stderr, "sipas survey: unknown action '%s'\n", argv[1]);
	return usage(stderr);
}
