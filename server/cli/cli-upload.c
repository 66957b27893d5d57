/* cli-upload.c - `sipas upload --survey ID [--dry-run] [--name NAME] FILE`: paper results in
 * bulk (CSV or an .xlsx workbook), straight into the database through the same pipeline as the
 * API (upload.h). */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-util.h"
#include "cli.h"
#include "db.h"
#include "form-cache.h"
#include "upload.h"
#include "xlsx.h"

#define PROGRESS_MIN_BYTES (4u << 20)     /* a bar only for files bigger than this */

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas upload --survey ID [--dry-run] [--name NAME] FILE\n\n"
		   "Stores the rows of a responses file (docs/formats.md: serial, agency, channel, stratum,\n"
		   "psu, weight, fpc, submitted_at and the form's question ids; channel defaults to\n"
		   "paper) in survey round ID, all or nothing: every row is checked first, and one bad\n"
		   "row stores nothing. The same file twice is refused. FILE is CSV (UTF-8) or an .xlsx\n"
		   "workbook (by its content, or its .xlsx name): its first worksheet, header in row 1;\n"
		   "errors then name the sheet's rows.\n\n"
		   "  --survey ID   the round\n"
		   "  --dry-run     check the whole file (against what is stored too), store nothing\n"
		   "  --name NAME   the file name to record (default: FILE's name)\n\n"
		   "Exit status: 0 stored (prints `upload N: M rows`), 2 invalid file (prints each error),\n"
		   "1 runtime failure.\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

static void progress(off_t done, off_t total)
{
	int width = 40, fill = total > 0 ? (int)((double)done * width / (double)total) : width, i;

	fputs("\r[", stderr);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%% %.1f MB", total > 0 ? (int)(100.0 * (double)done / (double)total) : 100,
		(double)done / 1e6);
}

static void print_errors(const char *file, bool sheet, const struct upload_result *res)
{
	size_t i;

	for (i = 0; i < res->nerrors; i++) {
		const struct upload_error *e = &res->errors[i];

		if (sheet && e->row == 1 && e->column[0])
			fprintf(stderr, "%s: header (row 1): column %s: %s (%s)\n", file, e->column, e->message, e->code);
		else if (e->row > 0 && e->column[0])
			fprintf(stderr, "%s: row %ld: column %s: %s (%s)\n", file, e->row, e->column, e->message, e->code);
		else if (e->row > 0)
			fprintf(stderr, "%s: row %ld: %s (%s)\n", file, e->row, e->message, e->code);
		else if (e->column[0])
			fprintf(stderr, "%s: header: column %s: %s (%s)\n", file, e->column, e->message, e->code);
		else
			fprintf(stderr, "%s: %s (%s)\n", file, e->message, e->code);
	}
	if (res->errors_total > res->nerrors)
		fprintf(stderr, "%s: %zu errors in all (the first %zu shown)\n", file, res->errors_total, res->nerrors);
	fprintf(stderr, "%s: nothing stored\n", file);
}

int cli_upload(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "survey", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *survey = NULL, *name = NULL, *file;
	struct form_cache *forms = NULL;
	const struct form_entry *e = NULL;
	struct upload_opts o;
	struct upload *up = NULL;
	struct db_conn *c = NULL;
	struct passwd *pw;
	struct stat stb;
	char actor[160], *buf = NULL;
	bool dry = false, bar, sheet;
	off_t done = 0, step;
	FILE *f = NULL;
	size_t n;
	int opt, r, status;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': survey = optarg; break;
		case 'n': dry = true; break;
		case 'N': name = optarg; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (!survey || optind != argc - 1) {
		fprintf(stderr, "sipas upload: %s\n", !survey ? "--survey is required" : "give one FILE");
		return usage(stderr);
	}
	file = argv[optind];
	f = fopen(file, "rb");
	if (!f || fstat(fileno(f), &stb) < 0) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		if (f)
			fclose(f);
		return CLI_USAGE;
	}
	if ((status = cli_db_connect(cfg, "upload", &c)) != 0)
		goto out;
	if ((r = form_cache_new(&forms)) < 0)
		goto runtime;
	r = form_cache_get(forms, c, survey, &e);
	if (r == -ENOENT) {
		fprintf(stderr, "sipas upload: --survey: no round '%s'\n", survey);
		status = CLI_USAGE;
		goto out;
	}
	if (r < 0)
		goto runtime;
	pw = getpwuid(getuid());
	snprintf(actor, sizeof actor, "cli:%s", pw ? pw->pw_name : "?");
	if (!name) {
		name = strrchr(file, '/');
		name = name ? name + 1 : file;
	}
	buf = malloc(1 << 18);
	if (!buf) {
		r = -ENOMEM;
		goto runtime;
	}
	/* the first chunk says whether it is a workbook (FILE may be a pipe: nothing is read twice) */
	n = fread(buf, 1, 1 << 18, f);
	sheet = xlsx_sniff(buf, n) || (strlen(file) > 5 && !strcasecmp(file + strlen(file) - 5, ".xlsx"));
	memset(&o, 0, sizeof o);
	o.survey_id = e->survey.id;
	o.form = e->form;
	o.dry_run = dry;
	o.actor = actor;
	o.file_name = name;
	o.format = sheet ? UPLOAD_XLSX : UPLOAD_CSV;
	if ((r = upload_new(c, &o, &up)) < 0)
		goto runtime;
	bar = isatty(STDERR_FILENO) && stb.st_size >= (off_t)PROGRESS_MIN_BYTES;
	step = stb.st_size / 100 + 1;
	for (; n > 0; n = fread(buf, 1, 1 << 18, f)) {
		if ((r = upload_feed(up, buf, n)) == -E2BIG && sheet) {
			fprintf(stderr, "%s: the workbook is larger than %llu MB; nothing stored\n", file,
				(unsigned long long)(UPLOAD_XLSX_MAX_BYTES >> 20));
			status = CLI_USAGE;
			goto out;
		}
		if (r < 0)
			goto runtime;
		if (bar && (done + (off_t)n) / step != done / step)
			progress(done + (off_t)n, stb.st_size);
		done += (off_t)n;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		status = CLI_USAGE;
		goto out;
	}
	if (bar) {
		progress(done, stb.st_size);
		fputs(dry ? " checking\n" : " checking and storing\n", stderr);
	}
	r = upload_finish(up);
	if (r == -EINVAL) {
		print_errors(file, sheet, upload_result(up));
		status = CLI_USAGE;
	} else if (r == -EEXIST) {
		fprintf(stderr, "%s: this file was stored before as upload %lld; nothing stored\n", file,
			upload_result(up)->earlier_upload);
		status = CLI_USAGE;
	} else if (r < 0) {
		goto runtime;
	} else {
		if (dry)
			printf("dry run: %ld rows valid; nothing stored\n", upload_result(up)->rows);
		else
			printf("upload %lld: %ld rows\n", upload_result(up)->upload_id, upload_result(up)->rows);
		status = CLI_OK;
	}
	goto out;
runtime:
	fprintf(stderr, "sipas upload: %s\n", *db_conn_error(c) ? db_conn_error(c) : strerror(-r));
	status = CLI_RUNTIME;
out:
	upload_free(up);
	form_cache_put(e);
	form_cache_free(forms);
	db_conn_close(c);
	free(buf);
	fclose(f);
	return status;
}
