/* cli-report.c - `sipas report --survey ID [--against ID] [--agency CODE] --out FILE.pdf`: the
 * round's report as an A4 PDF (report/report.h), the same bytes as GET .../report.pdf. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "est-store.h"
#include "form-cache.h"
#include "report-data.h"
#include "report.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas report --survey ID [--against ID] [--agency CODE] --out FILE.pdf\n\n"
		   "Writes the round's report as an A4 PDF in Vietnamese: a cover, a summary, the ranking of the\n"
		   "agencies, the elements, one page per agency and a method annex; with --against, each figure\n"
		   "against the other round too; with --agency, that agency's page alone. --out - writes to\n"
		   "standard output. The same data give the same bytes.\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

/* Writes len bytes to path through a temporary file renamed into place (or to stdout for "-");
 * returns 0 or a negative errno. */
static int write_file(const char *path, const char *buf, size_t len)
{
	char tmp[4096];
	FILE *f;
	int r = 0;

	if (!strcmp(path, "-"))
		return fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -EIO;
	if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	if (!(f = fopen(tmp, "wb")))
		return -errno;
	if (fwrite(buf, 1, len, f) != len)
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	if (r == 0 && rename(tmp, path) != 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int cli_report(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "survey", required_argument, NULL, 's' },
		{ "against", required_argument, NULL, 'a' },
		{ "agency", required_argument, NULL, 'A' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_request rq = { NULL, NULL, NULL };
	struct est_error err = { "", "", "" };
	struct form_cache *forms = NULL;
	struct est_folds *folds = NULL;
	struct report_data *d = NULL;
	struct report_fonts *fonts = NULL;
	struct db_conn *c = NULL;
	struct strbuf sb = STRBUF_INIT;
	const char *out = NULL;
	char msg[256] = "out of memory";
	int opt, r, status = CLI_RUNTIME;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': rq.survey = optarg; break;
		case 'a': rq.against = optarg; break;
		case 'A': rq.agency = optarg; break;
		case 'o': out = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind < argc || !rq.survey || !out) {
		fprintf(stderr, "sipas report: %s\n", optind < argc ? "unexpected argument" :
			!rq.survey ? "--survey is required" : "--out is required");
		return usage(stderr);
	}
	strbuf_init(&sb, 0);
	if ((status = cli_db_connect(cfg, "report", &c)) != 0)
		goto out;
	status = CLI_RUNTIME;
	if ((r = form_cache_new(&forms)) < 0 || (r = est_folds_new(cfg->database_url, forms, &folds)) < 0) {
		fprintf(stderr, "sipas report: %s\n", strerror(-r));
		goto out;
	}
	r = report_data_load(c, forms, folds, &rq, &d, &err);
	if (r == -ENOENT || r == -EINVAL) {
		fprintf(stderr, "sipas report: %s%s%s%s\n", err.column[0] ? "--" : "", err.column, err.column[0] ? ": " : "",
			err.message);
		status = CLI_USAGE;
		goto out;
	}
	if (r == -EBUSY) {
		fprintf(stderr, "sipas report: the round's aggregates are being brought up to date by another process; retry\n");
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "sipas report: %s\n", db_conn_error(c)[0] ? db_conn_error(c) : strerror(-r));
		goto out;
	}
	if ((r = report_fonts_new(&fonts)) < 0 ||
	    (r = report_pdf(fonts, report_data_input(d), &sb, msg, sizeof msg)) < 0) {
		fprintf(stderr, "sipas report: %s\n", msg);
		goto out;
	}
	if ((r = write_file(out, sb.buf, sb.len)) < 0) {
		fprintf(stderr, "sipas report: %s: %s\n", out, strerror(-r));
		status = CLI_USAGE;
		goto out;
	}
	status = CLI_OK;
out:
	report_fonts_free(fonts);
	report_data_free(d);
	est_folds_free(folds);
	form_cache_free(forms);
	db_conn_close(c);
	strbuf_done(&sb);
	return status;
}
