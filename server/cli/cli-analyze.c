/* cli-analyze.c - `sipas analyze`: offline estimates from a responses file (docs/cli.md, analyze;
 * docs/formats.md, estimates JSON).
 *
 * One streaming pass: the file is read in 64 KiB chunks into the responses reader, each valid
 * row goes into the design accumulator (memory grows with strata, groups and PSUs, not rows),
 * then the estimates are computed and written as JSON or CSV. Exit 0, 1 (runtime failure) or 2
 * (bad usage or invalid input, with "FILE:ROW: column X: message" on stderr). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "est-compute.h"
#include "est-design.h"
#include "est-options.h"
#include "est-output.h"
#include "form.h"
#include "frame.h"
#include "respcsv.h"
#include "strbuf.h"

#define ANALYZE_MAX_BY      8
#define ANALYZE_CHUNK       (64u << 10)
#define ANALYZE_ERRORS_SHOWN 50
#define KEY_SEP             '\x1f'    /* between the --by values of a group key */

enum by_kind { BY_AGENCY, BY_STRATUM, BY_CHANNEL, BY_QUESTION };

struct by_col {
	const char *name;
	enum by_kind kind;
	int slot;                 /* BY_QUESTION: the question's slot */
};

struct analyze {
	const char *file;
	struct form *form;
	struct est_design *design;
	struct by_col by[ANALYZE_MAX_BY];
	size_t nby;
	struct strbuf key;
	size_t errors;            /* faults reported by the reader or the design */
	int status;               /* CLI_RUNTIME after an out-of-memory or limit */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sipas analyze --form FORM.json [--by COLUMN]... [--frame FRAME.csv]\n"
		"                     [--baseline X] [--baseline-label TEXT] [--confidence 0.95]\n"
		"                     [--ci logit|beta|wald] [--lonely-psu fail|adjust|remove|certainty]\n"
		"                     [--format json|csv] RESPONSES.csv\n"
		"\n"
		"Design-based estimates of every index and item of the form from a responses file\n"
		"(docs/formats.md; `-` reads standard input), for the whole survey and for each value of the\n"
		"--by columns (agency, stratum, channel or a single-choice question; several --by give\n"
		"their combinations). Needs no database.\n"
		"\n"
		"  --form FILE         the form definition (JSON)\n"
		"  --by COLUMN         report per value of COLUMN (repeatable, up to %d)\n"
		"  --frame FILE        stratum,population[,target]: weights N_h/n_h and fpc N_h\n"
		"  --baseline X        compare every estimate with X percent (e.g. 79.30)\n"
		"  --baseline-label T  the baseline's label in the output\n"
		"  --confidence C      interval level, 0 < C < 1 (default 0.95)\n"
		"  --ci METHOD         logit (default), beta (Korn-Graubard, items) or wald\n"
		"  --lonely-psu RULE   a stratum with one PSU: fail (default), adjust, remove, certainty\n"
		"  --format FORMAT     json (default) or csv (one row per group and estimate)\n"
		"\n"
		"Exit status: 0 success, 1 runtime failure, 2 bad usage or invalid input.\n",
		ANALYZE_MAX_BY);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sipas analyze: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry `sipas analyze --help`.\n");
	return CLI_USAGE;
}

/* A plain decimal number; false when s is not one. */
static bool parse_number(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static int pick(const char *arg, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return (int)i;
	return -1;
}

/* ---- rows ------------------------------------------------------------------------------- */

static int on_error(void *userdata, const struct respcsv_error *e)
{
	struct analyze *a = userdata;

	if (a->errors++ >= ANALYZE_ERRORS_SHOWN)
		return 0;
	if (e->row > 0)
		fprintf(stderr, "%s:%ld: column %s: %s (%s)\n", a->file, e->row, e->column[0] ? e->column : "-",
			e->message, e->code);
	else if (e->column[0])
		fprintf(stderr, "%s:header: column %s: %s (%s)\n", a->file, e->column, e->message, e->code);
	else
		fprintf(stderr, "%s: %s (%s)\n", a->file, e->message, e->code);
	return 0;
}

/* Returns the row's group key from its --by values (in a->key, or the row's own string for a
 * single design column); NULL when one of them is blank. */
static const char *group_key(struct analyze *a, const struct respcsv_row *row)
{
	size_t i;

	if (a->nby == 1 && a->by[0].kind != BY_QUESTION)
		return a->by[0].kind == BY_AGENCY ? row->agency :
		       a->by[0].kind == BY_STRATUM ? row->stratum : row->channel;
	strbuf_reset(&a->key);
	for (i = 0; i < a->nby; i++) {
		const struct by_col *b = &a->by[i];
		int r = 0;

		if (i && (r = strbuf_putc(&a->key, KEY_SEP)) < 0)
			return false;
		switch (b->kind) {
		case BY_AGENCY: r = strbuf_puts(&a->key, row->agency); break;
		case BY_STRATUM: r = strbuf_puts(&a->key, row->stratum); break;
		case BY_CHANNEL: r = strbuf_puts(&a->key, row->channel); break;
		case BY_QUESTION:
			if (row->codes[b->slot] == FORM_NO_ANSWER)
				return NULL;
			r = strbuf_printf(&a->key, "%d", row->codes[b->slot]);
			break;
		}
		if (r < 0)
			return NULL;
	}
	return strbuf_putc(&a->key, '\0') == 0 ? a->key.buf : NULL;
}

static int on_row(void *userdata, const struct respcsv_row *row)
{
	struct analyze *a = userdata;
	struct est_error err;
	struct est_row er = {
		.stratum = row->stratum,
		.psu = row->psu,
		.weight = row->weight,
		.fpc = row->fpc,
		.codes = row->codes,
	};
	int r;

	/* a row whose --by value is blank counts for the whole survey only: it goes in the group
	 * "" ... unless there are no --by columns, where "" is the only group anyway */
	if (a->nby == 0 || !(er.group = group_key(a, row)))
		er.group = a->nby ? "\x1f-" : "";
	r = est_design_add(a->design, &er, &err);
	if (r == -EINVAL) {
		if (a->errors++ < ANALYZE_ERRORS_SHOWN)
			fprintf(stderr, "%s:%ld: column %s: %s (%s)\n", a->file, row->row,
				err.column[0] ? err.column : "-", err.message, err.code);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "sipas analyze: %s:%ld: %s\n", a->file, row->row,
			r == -E2BIG ? "too many groups, strata or PSUs" : strerror(-r));
		a->status = r == -ENOMEM ? CLI_RUNTIME : CLI_USAGE;
		return r;
	}
	return 0;
}

/* Reads the whole file through the reader. Returns 0, or an exit status. */
static int read_responses(struct analyze *a, const char *path)
{
	struct respcsv_options opt = { .want_json = false };
	struct respcsv_stats st;
	struct respcsv *rc = NULL;
	FILE *fp = stdin;
	char *buf = NULL;
	size_t n;
	int r = 0, status = 0;

	if (strcmp(path, "-") != 0) {
		fp = fopen(path, "rb");
		if (!fp) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			return CLI_USAGE;
		}
	}
	{
		/* the size lets the serial set be sized at once */
		struct stat sb;

		if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
			opt.input_bytes = (unsigned long long)sb.st_size;
	}
	buf = malloc(ANALYZE_CHUNK);
	rc = respcsv_new(a->form, &opt, on_row, on_error, a);
	if (!buf || !rc) {
		fprintf(stderr, "sipas analyze: out of memory\n");
		status = CLI_RUNTIME;
		goto out;
	}
	while (r == 0 && (n = fread(buf, 1, ANALYZE_CHUNK, fp)) > 0)
		r = respcsv_feed(rc, buf, n);
	if (r == 0 && ferror(fp)) {
		fprintf(stderr, "%s: read error: %s\n", path, strerror(errno));
		status = CLI_USAGE;
		goto out;
	}
	if (r == 0)
		r = respcsv_finish(rc);
	respcsv_get_stats(rc, &st);
	if (a->status) {
		status = a->status;
	} else if (r == -ENOMEM) {
		fprintf(stderr, "sipas analyze: out of memory\n");
		status = CLI_RUNTIME;
	} else if (r < 0 || a->errors) {
		if (a->errors > ANALYZE_ERRORS_SHOWN)
			fprintf(stderr, "%s: ... %zu faults in all\n", path, a->errors);
		if (r < 0 && a->errors == 0)
			fprintf(stderr, "%s: unreadable responses file (%s)\n", path, strerror(-r));
		fprintf(stderr, "sipas analyze: %s: %ld invalid rows of %ld; no estimates\n", path,
			st.invalid, st.rows);
		status = CLI_USAGE;
	} else if (st.valid == 0) {
		fprintf(stderr, "%s: no responses\n", path);
		status = CLI_USAGE;
	}
out:
	respcsv_free(rc);
	free(buf);
	if (fp && fp != stdin)
		fclose(fp);
	return status;
}

/* ---- groups in output order ------------------------------------------------------------- */

struct out_group {
	const struct est_group *g;
	char *key;                        /* owned copy, split at KEY_SEP */
	const char *values[ANALYZE_MAX_BY];
};

static const struct analyze *sort_ctx;

static int cmp_group(const void *x, const void *y)
{
	const struct out_group *a = x, *b = y;

	for (size_t i = 0; i < sort_ctx->nby; i++) {
		int c;

		if (sort_ctx->by[i].kind == BY_QUESTION) {
			long va = strtol(a->values[i], NULL, 10), vb = strtol(b->values[i], NULL, 10);

			c = (va > vb) - (va < vb);
		} else {
			c = strcmp(a->values[i], b->values[i]);
		}
		if (c)
			return c;
	}
	return 0;
}

static int write_results(struct analyze *a, const struct est_results *res, const struct est_options *o,
	const char *baseline_label, bool csv)
{
	struct out_group *og = calloc(res->ngroups, sizeof *og);
	struct est_report_group *rg = calloc(res->ngroups, sizeof *rg);
	const char *by_names[ANALYZE_MAX_BY];
	bool by_numeric[ANALYZE_MAX_BY];
	struct strbuf sb;
	size_t i, j, n = 0;
	int r = -ENOMEM, status = CLI_RUNTIME;

	strbuf_init(&sb, 0);
	if (!og || !rg)
		goto out;
	for (i = 0; i < a->nby; i++) {
		by_names[i] = a->by[i].name;
		by_numeric[i] = a->by[i].kind == BY_QUESTION;
	}
	/* the whole survey, then the --by groups; the group of rows with a blank --by value is
	 * not reported on its own (nor is the single group "" without --by) */
	for (i = 1; i < res->ngroups && a->nby; i++) {
		const char *key = est_design_group_key(a->design, (size_t)res->groups[i].group);
		struct out_group *g = &og[n];
		char *p;

		if (key[0] == KEY_SEP && !strcmp(key, "\x1f-"))
			continue;
		g->g = &res->groups[i];
		g->key = strdup(key);
		if (!g->key)
			goto out;
		n++;
		for (j = 0, p = g->key; j < a->nby; j++) {
			char *sep = strchr(p, KEY_SEP);

			g->values[j] = p;
			if (sep) {
				*sep = '\0';
				p = sep + 1;
			}
		}
	}
	sort_ctx = a;
	qsort(og, n, sizeof *og, cmp_group);
	rg[0] = (struct est_report_group){ &res->groups[0], NULL };
	for (i = 0; i < n; i++)
		rg[1 + i] = (struct est_report_group){ og[i].g, og[i].values };
	{
		struct est_report rep = {
			.form = a->form,
			.options = o,
			.baseline_label = baseline_label,
			.nby = a->nby,
			.by_names = by_names,
			.by_numeric = by_numeric,
			.ngroups = 1 + n,
			.groups = rg,
		};

		r = csv ? est_report_csv(&sb, &rep) : est_report_json(&sb, &rep);
	}
	if (r < 0)
		goto out;
	if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len || fflush(stdout) != 0) {
		fprintf(stderr, "sipas analyze: writing the estimates: %s\n", strerror(errno));
		goto out;
	}
	status = CLI_OK;
out:
	if (r < 0)
		fprintf(stderr, "sipas analyze: out of memory\n");
	for (i = 0; og && i < n; i++)
		free(og[i].key);
	free(og);
	free(rg);
	strbuf_done(&sb);
	return status;
}

/* ---- the command ------------------------------------------------------------------------ */

static int resolve_by(struct analyze *a, const char *name)
{
	static const char *const design_cols[] = { "agency", "stratum", "channel" };
	struct by_col *b = &a->by[a->nby];
	int k = pick(name, design_cols, 3);

	if (a->nby == ANALYZE_MAX_BY)
		return usage_error("at most %s --by columns", "8");
	for (size_t i = 0; i < a->nby; i++)
		if (!strcmp(a->by[i].name, name))
			return usage_error("--by %s given twice", name);
	b->name = name;
	b->slot = -1;
	if (k >= 0) {
		b->kind = (enum by_kind)k;
	} else {
		const struct form_question *q = form_question_find(a->form, name);

		if (!q)
			return usage_error("--by %s: unknown column (agency, stratum, channel or a question id)", name);
		if ((q->type != FORM_Q_SINGLE && q->type != FORM_Q_SCALE) || q->slot < 0)
			return usage_error("--by %s: not a single-choice question", name);
		b->kind = BY_QUESTION;
		b->slot = q->slot;
	}
	a->nby++;
	return 0;
}

int cli_analyze(const struct config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "form", required_argument, NULL, 'f' },
		{ "by", required_argument, NULL, 'b' },
		{ "frame", required_argument, NULL, 'F' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "baseline-label", required_argument, NULL, 'L' },
		{ "confidence", required_argument, NULL, 'c' },
		{ "ci", required_argument, NULL, 'i' },
		{ "lonely-psu", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct analyze a = { 0 };
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct est_frame *frame = NULL;
	struct est_results *res = NULL;
	const char *form_path = NULL, *frame_path = NULL, *baseline_label = NULL;
	const char *by_names[ANALYZE_MAX_BY];
	size_t nby = 0, i;
	bool csv = false;
	int c, r, status = CLI_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return CLI_OK;
		case 'f': form_path = optarg; break;
		case 'F': frame_path = optarg; break;
		case 'L': baseline_label = optarg; break;
		case 'b':
			if (nby == ANALYZE_MAX_BY)
				return usage_error("at most %s --by columns", "8");
			by_names[nby++] = optarg;
			break;
		case 'B':
			if (!parse_number(optarg, &o.baseline) || o.baseline < 0 || o.baseline > 100)
				return usage_error("--baseline %s: a percentage between 0 and 100, e.g. 79.30", optarg);
			o.has_baseline = true;
			break;
		case 'c':
			if (!parse_number(optarg, &o.confidence) || !(o.confidence > 0 && o.confidence < 1))
				return usage_error("--confidence %s: a number between 0 and 1, e.g. 0.95", optarg);
			break;
		case 'i':
			if (est_ci_parse(optarg, &o.ci) < 0)
				return usage_error("--ci %s: logit, beta or wald", optarg);
			break;
		case 'l':
			if (est_lonely_parse(optarg, &o.lonely) < 0)
				return usage_error("--lonely-psu %s: fail, adjust, remove or certainty", optarg);
			break;
		case 'o':
			if (strcmp(optarg, "json") && strcmp(optarg, "csv"))
				return usage_error("--format %s: json or csv", optarg);
			csv = !strcmp(optarg, "csv");
			break;
		case ':':
			return usage_error("%s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (!form_path)
		return usage_error("%s", "--form FORM.json is required");
	if (optind != argc - 1)
		return usage_error("%s", optind == argc ? "which responses file? (RESPONSES.csv)" : "one responses file only");
	if (baseline_label && !o.has_baseline)
		return usage_error("%s", "--baseline-label needs --baseline");
	a.file = argv[optind];
	strbuf_init(&a.key, 1 << 16);

	{
		struct form_faults faults;

		r = form_load_file(form_path, &a.form, &faults);
		if (r < 0) {
			if (r == -ENOMEM) {
				fprintf(stderr, "sipas analyze: out of memory\n");
				status = CLI_RUNTIME;
				goto out;
			}
			for (i = 0; i < faults.count && i < FORM_MAX_FAULTS; i++)
				fprintf(stderr, "%s: %s: %s\n", form_path, faults.list[i].path, faults.list[i].message);
			if (faults.count == 0)
				fprintf(stderr, "%s: %s\n", form_path, strerror(-r));
			goto out;
		}
	}
	if (a.form->nitems == 0) {
		fprintf(stderr, "%s: the form has no items under its indices: nothing to estimate\n", form_path);
		goto out;
	}
	for (i = 0; i < nby; i++)
		if ((status = resolve_by(&a, by_names[i])) != 0)
			goto out;
	status = CLI_USAGE;
	if (frame_path) {
		struct est_frame_fault fault;

		r = est_frame_load_file(frame_path, &frame, &fault);
		if (r < 0) {
			if (r == -ENOMEM) {
				fprintf(stderr, "sipas analyze: out of memory\n");
				status = CLI_RUNTIME;
			} else if (fault.row > 0) {
				fprintf(stderr, "%s:%zu: column %s: %s (%s)\n", frame_path, fault.row,
					fault.e.column[0] ? fault.e.column : "-", fault.e.message, fault.e.code);
			} else if (fault.e.column[0]) {
				fprintf(stderr, "%s:header: column %s: %s (%s)\n", frame_path, fault.e.column,
					fault.e.message, fault.e.code);
			} else {
				fprintf(stderr, "%s: %s\n", frame_path, fault.e.message);
			}
			goto out;
		}
	}
	r = est_design_new(a.form, &a.design);
	if (r < 0) {
		fprintf(stderr, "sipas analyze: %s\n", r == -ENOMEM ? "out of memory" : "the form cannot be estimated");
		status = r == -ENOMEM ? CLI_RUNTIME : CLI_USAGE;
		goto out;
	}
	if ((status = read_responses(&a, a.file)) != 0)
		goto out;
	{
		struct est_error err;

		r = est_compute(a.design, frame, &o, &res, &err);
		if (r == -ENOMEM) {
			fprintf(stderr, "sipas analyze: out of memory\n");
			status = CLI_RUNTIME;
			goto out;
		}
		if (r < 0) {
			const char *where = !strcmp(err.code, "not_in_frame") || !strcmp(err.code, "population_too_small")
				? frame_path : a.file;

			fprintf(stderr, "%s: column %s: %s (%s)\n", where ? where : a.file,
				err.column[0] ? err.column : "-", err.message, err.code);
			status = CLI_USAGE;
			goto out;
		}
	}
	status = write_results(&a, res, &o, baseline_label, csv);
out:
	est_results_free(res);
	est_design_free(a.design);
	est_frame_free(frame);
	form_free(a.form);
	strbuf_done(&a.key);
	return status;
}
