/* cli-sample.c - `sipas sample draw`: plans a round from the procedure registry (contract §6):
 * sample sizes per agency, a reproducible simple random sample of people, the frame and one
 * single-use invitation per drawn person stored in one transaction. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-util.h"
#include "cli.h"
#include "db-sample.h"
#include "db-surveys.h"
#include "db.h"
#include "invite.h"
#include "random.h"
#include "registry.h"
#include "sample.h"
#include "sha256.h"
#include "threads.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas sample draw --survey ID --registry FILE [--from DATE] [--to DATE]\n"
		   "                         [--margin 5] [--confidence 0.95] [--p 0.5] [--deff 1] [--min 30]\n"
		   "                         [--response-rate 1] [--seed N]\n\n"
		   "Reads the procedure registry FILE (CSV, or an .xlsx workbook's first sheet: dossier,agency,\n"
		   "procedure,completed_at[,name,phone,email,address]), checks every row, and for each agency h of the round with N_h people\n"
		   "(units) completing a procedure in [--from, --to]: target n_h from the margin of error (in\n"
		   "points) with the finite population correction, at least min(--min, N_h); invitations\n"
		   "m_h = min(N_h, ceil(n_h / --response-rate)), drawn by simple random sampling without\n"
		   "replacement (the same file and --seed give the same people). Stores the round's frame and\n"
		   "one single-use invitation per drawn person with their contacts (admins only), replacing a\n"
		   "previous draw; refused (exit 2) once the round has responses, and for a round not made\n"
		   "with `sipas survey create --access invite`. Prints\n"
		   "agency,population,target,invitations. Without --seed a random seed is drawn and printed\n"
		   "on stderr.\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

struct draw_opts {
	const char *survey, *registry, *from, *to;
	struct sample_size_params size;
	bool has_seed;
	uint64_t seed;
};

static int parse_double(const char *opt, const char *arg, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno || *end || end == arg) {
		fprintf(stderr, "sipas sample draw: --%s: '%s' is not a number\n", opt, arg);
		return -EINVAL;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct draw_opts *o)
{
	static const struct option opts[] = {
		{ "survey", required_argument, NULL, 's' }, { "registry", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		{ "margin", required_argument, NULL, 'm' }, { "confidence", required_argument, NULL, 'c' },
		{ "p", required_argument, NULL, 'p' }, { "deff", required_argument, NULL, 'd' },
		{ "min", required_argument, NULL, 'n' }, { "response-rate", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *what;
	double v;
	char *end;
	int opt;

	memset(o, 0, sizeof *o);
	sample_size_defaults(&o->size);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': o->survey = optarg; break;
		case 'r': o->registry = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'm': if (parse_double("margin", optarg, &o->size.margin) < 0) return CLI_USAGE; break;
		case 'c': if (parse_double("confidence", optarg, &o->size.confidence) < 0) return CLI_USAGE; break;
		case 'p': if (parse_double("p", optarg, &o->size.p) < 0) return CLI_USAGE; break;
		case 'd': if (parse_double("deff", optarg, &o->size.deff) < 0) return CLI_USAGE; break;
		case 'R': if (parse_double("response-rate", optarg, &o->size.response_rate) < 0) return CLI_USAGE; break;
		case 'n':
			if (parse_double("min", optarg, &v) < 0)
				return CLI_USAGE;
			if (v != (double)(long long)v || v < 0 || v > 1e6) {
				fprintf(stderr, "sipas sample draw: --min: '%s' is not a whole number from 0 to 1000000\n", optarg);
				return CLI_USAGE;
			}
			o->size.min = (long long)v;
			break;
		case 'S':
			errno = 0;
			o->seed = strtoull(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-') {
				fprintf(stderr, "sipas sample draw: --seed: '%s' is not a whole number from 0 to 2^64-1\n", optarg);
				return CLI_USAGE;
			}
			o->has_seed = true;
			break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sipas sample draw: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	if (!o->survey || !o->registry) {
		fprintf(stderr, "sipas sample draw: --%s is required\n", !o->survey ? "survey" : "registry");
		return CLI_USAGE;
	}
	if (sample_size_check(&o->size, &what) < 0) {
		fprintf(stderr, "sipas sample draw: --%s is out of range (margin 0-100 points, confidence 0.5-1,"
			" p 0-1, deff 1-100, min 0-1000000, response-rate 0-1)\n", what);
		return CLI_USAGE;
	}
	return -1;
}

struct agency_list {
	char (*codes)[REGISTRY_CODE_MAX];
	const char **ptrs;
	size_t n, cap;
};

static int on_agency(void *ud, const char *code, const char *name)
{
	struct agency_list *l = ud;

	(void)name;
	if (l->n == REGISTRY_MAX_AGENCIES)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->codes, ncap * sizeof *l->codes);

		if (!p)
			return -ENOMEM;
		l->codes = p;
		l->cap = ncap;
	}
	snprintf(l->codes[l->n++], REGISTRY_CODE_MAX, "%s", code);
	return 0;
}

static int file_sha256(const char *path, uint8_t out[32])
{
	struct sha256 s;
	char buf[64 * 1024];
	FILE *fp = fopen(path, "rb");
	size_t n;
	int r = 0;

	if (!fp)
		return -errno;
	sha256_init(&s);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sha256_update(&s, buf, n);
	if (ferror(fp))
		r = -EIO;
	fclose(fp);
	sha256_final(&s, out);
	return r;
}

/* The registry file's SHA-256, computed on a thread of its own while the draw reads the file
 * (a third pass over it, on the other processor). */
struct file_hash {
	const char *path;
	uint8_t sha[32];
	int r;
	unsigned started;
	pthread_t t;
};

static void *hash_main(void *arg)
{
	struct file_hash *h = arg;

	h->r = file_sha256(h->path, h->sha);
	return NULL;
}

/* Waits for the hash (computes it here if its thread did not start); returns its result. */
static int hash_wait(struct file_hash *h)
{
	if (h->started)
		pthread_join(h->t, NULL);
	else
		h->r = file_sha256(h->path, h->sha);
	h->started = 0;
	return h->r;
}

/* The drawn people's invitations: codes made here, contacts copied in the second pass. */
struct contacts {
	struct db_sample_invite *inv;
	char (*codes)[INVITE_PRINTED_LEN];
	char **cells;                        /* 5 per invitation: dossier, name, phone, email, address */
};

static int on_contact(void *ud, size_t i, const char *const v[REG_NCOLUMNS])
{
	static const int keep[5] = { REG_DOSSIER, REG_NAME, REG_PHONE, REG_EMAIL, REG_ADDRESS };
	struct contacts *k = ud;
	int j;

	for (j = 0; j < 5; j++)
		if (v[keep[j]][0] && !(k->cells[i * 5 + (size_t)j] = strdup(v[keep[j]])))
			return -ENOMEM;
	k->inv[i].dossier = k->cells[i * 5];
	k->inv[i].name = k->cells[i * 5 + 1];
	k->inv[i].phone = k->cells[i * 5 + 2];
	k->inv[i].email = k->cells[i * 5 + 3];
	k->inv[i].address = k->cells[i * 5 + 4];
	return 0;
}

static void print_registry_errors(const char *path, const struct registry *g)
{
	size_t i, n = registry_error_listed(g);

	for (i = 0; i < n; i++) {
		const struct registry_error *e = registry_error_at(g, i);

		if (e->row > 0 && e->column[0])
			fprintf(stderr, "%s: row %ld, column %s: %s (%s)\n", path, e->row, e->column, e->message, e->code);
		else if (e->row > 0)
			fprintf(stderr, "%s: row %ld: %s (%s)\n", path, e->row, e->message, e->code);
		else if (e->column[0])
			fprintf(stderr, "%s: column %s: %s (%s)\n", path, e->column, e->message, e->code);
		else
			fprintf(stderr, "%s: %s (%s)\n", path, e->message, e->code);
	}
	if (registry_error_count(g) > (long)n)
		fprintf(stderr, "%s: %ld more errors not listed\n", path, registry_error_count(g) - (long)n);
	fprintf(stderr, "sipas sample draw: %s: %ld error(s); nothing stored\n", path, registry_error_count(g));
}

static int sample_draw(const struct config *cfg, int argc, char **argv)
{
	struct draw_opts o;
	struct agency_list ag = { NULL, NULL, 0, 0 };
	struct registry_options ro;
	struct registry *g = NULL;
	struct registry_source src;
	struct registry_error rerr;
	struct sample_plan plan;
	struct contacts k = { NULL, NULL, NULL };
	struct file_hash fh = { .path = NULL };
	struct db_sample_stratum *st = NULL;
	struct db_sample ds;
	struct db_conn *c = NULL;
	struct passwd *pw;
	char actor[160];
	size_t i;
	int r, status, fd = -1;

	memset(&plan, 0, sizeof plan);
	memset(&ds, 0, sizeof ds);
	memset(&rerr, 0, sizeof rerr);
	if ((status = parse_opts(argc, argv, &o)) >= 0)
		return status;
	status = CLI_USAGE;
	memset(&ro, 0, sizeof ro);
	ro.from_day = ro.to_day = REGISTRY_NO_DAY;
	if ((o.from && registry_parse_day(o.from, &ro.from_day) < 0) || (o.to && registry_parse_day(o.to, &ro.to_day) < 0)) {
		fprintf(stderr, "sipas sample draw: --%s: not an ISO date (YYYY-MM-DD)\n",
			o.from && registry_parse_day(o.from, &ro.from_day) < 0 ? "from" : "to");
		return CLI_USAGE;
	}
	if (o.from && o.to && ro.from_day > ro.to_day) {
		fprintf(stderr, "sipas sample draw: --from is after --to\n");
		return CLI_USAGE;
	}
	if (!o.has_seed) {
		if (random_bytes(&o.seed, sizeof o.seed) < 0) {
			fprintf(stderr, "sipas sample draw: no randomness for the seed\n");
			return CLI_RUNTIME;
		}
		fprintf(stderr, "sipas sample draw: seed %" PRIu64 " (give --seed %" PRIu64 " to draw the same sample)\n",
			o.seed, o.seed);
	}
	if ((status = cli_db_connect(cfg, "sample draw", &c)) != 0)
		goto out;
	status = CLI_RUNTIME;
	if ((r = db_sample_survey_id(c, o.survey)) < 0) {
		fprintf(stderr, "sipas sample draw: --survey: %s\n", r == -ENOENT ? "no such round" : db_conn_error(c));
		status = r == -ENOENT ? CLI_USAGE : CLI_RUNTIME;
		goto out;
	}
	ds.survey_id = r;
	if ((r = db_survey_agencies_each(c, ds.survey_id, on_agency, &ag)) < 0) {
		fprintf(stderr, "sipas sample draw: agencies: %s\n", r == -E2BIG ? "too many" : db_conn_error(c));
		goto out;
	}
	if (!(ag.ptrs = calloc(ag.n ? ag.n : 1, sizeof *ag.ptrs)))
		goto oom;
	for (i = 0; i < ag.n; i++)
		ag.ptrs[i] = ag.codes[i];
	ro.agencies = ag.ptrs;
	ro.nagencies = ag.n;
	if ((r = registry_new(&ro, &g)) < 0)
		goto oom;
	/* a workbook by its first bytes, as `sipas upload` tells one; else CSV (which reports a
	 * file it cannot open) */
	fh.path = o.registry;
	(void)threads_start(&fh.t, 1, "sipas-hash", 0, hash_main, &fh, &fh.started);
	fd = open(o.registry, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && registry_is_xlsx(fd))
		registry_xlsx_source(fd, &src);
	else
		registry_csv_source(o.registry, &src);
	r = registry_read(g, &src);
	if (r == -ENOMEM)
		goto oom;
	if (r < 0) {
		print_registry_errors(o.registry, g);
		status = CLI_USAGE;
		goto out;
	}
	if ((r = sample_plan_make(g, &o.size, o.seed, &plan)) < 0) {
		if (r != -E2BIG)
			goto oom;
		fprintf(stderr, "sipas sample draw: more than %ld invitations: raise --margin or --response-rate\n",
			SAMPLE_MAX_INVITATIONS);
		status = CLI_USAGE;
		goto out;
	}
	k.inv = calloc(plan.nrows ? plan.nrows : 1, sizeof *k.inv);
	k.codes = calloc(plan.nrows ? plan.nrows : 1, sizeof *k.codes);
	k.cells = calloc(plan.nrows ? plan.nrows * 5 : 1, sizeof *k.cells);
	st = calloc(plan.nstrata ? plan.nstrata : 1, sizeof *st);
	if (!k.inv || !k.codes || !k.cells || !st)
		goto oom;
	for (i = 0; i < plan.nrows; i++) {
		if ((r = invite_generate(k.codes[i], k.inv[i].hash)) < 0) {
			fprintf(stderr, "sipas sample draw: no randomness for the codes\n");
			goto out;
		}
		k.inv[i].code = k.codes[i];
		k.inv[i].agency = plan.strata[plan.stratum_of[i]].agency;
	}
	r = registry_contacts(g, &src, plan.rows, plan.nrows, on_contact, &k, &rerr);
	if (r < 0) {
		fprintf(stderr, "sipas sample draw: %s: %s\n", o.registry,
			r == -ESTALE ? "the file changed while it was read" : rerr.message[0] ? rerr.message : strerror(-r));
		status = r == -ENOMEM ? CLI_RUNTIME : CLI_USAGE;
		goto out;
	}
	if ((r = hash_wait(&fh)) < 0) {
		fprintf(stderr, "sipas sample draw: %s: %s\n", o.registry, strerror(-r));
		status = CLI_USAGE;
		goto out;
	}
	memcpy(ds.registry_sha256, fh.sha, sizeof ds.registry_sha256);
	for (i = 0; i < plan.nstrata; i++) {
		st[i].agency = plan.strata[i].agency;
		st[i].population = plan.strata[i].population;
		st[i].target = plan.strata[i].target;
		st[i].invitations = plan.strata[i].invitations;
	}
	pw = getpwuid(getuid());
	snprintf(actor, sizeof actor, "cli:%s", pw ? pw->pw_name : "?");
	ds.registry_rows = registry_rows(g);
	ds.from = o.from;
	ds.to = o.to;
	ds.margin = o.size.margin;
	ds.confidence = o.size.confidence;
	ds.p = o.size.p;
	ds.deff = o.size.deff;
	ds.min = o.size.min;
	ds.response_rate = o.size.response_rate;
	ds.seed = o.seed;
	ds.strata = st;
	ds.nstrata = plan.nstrata;
	ds.invites = k.inv;
	ds.ninvites = plan.nrows;
	ds.actor = actor;
	r = db_sample_store(c, &ds);
	if (r < 0) {
		fprintf(stderr, "sipas sample draw: %s\n", db_conn_error(c));
		status = r == -EBUSY || r == -EPERM ? CLI_USAGE : CLI_RUNTIME;
		goto out;
	}
	printf("agency,population,target,invitations\n");
	for (i = 0; i < plan.nstrata; i++)
		printf("%s,%lld,%lld,%lld\n", st[i].agency, st[i].population, st[i].target, st[i].invitations);
	status = CLI_OK;
	goto out;
oom:
	fprintf(stderr, "sipas sample draw: out of memory\n");
	status = CLI_RUNTIME;
out:
	if (fh.started)
		pthread_join(fh.t, NULL);
	if (k.cells)
		for (i = 0; i < plan.nrows * 5; i++)
			free(k.cells[i]);
	free(k.cells);
	free(k.codes);
	free(k.inv);
	free(st);
	sample_plan_done(&plan);
	registry_free(g);
	if (fd >= 0)
		close(fd);
	free(ag.codes);
	free(ag.ptrs);
	db_conn_close(c);
	return status;
}

int cli_sample(const struct config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "draw"))
		return sample_draw(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	fprintf(stderr, "sipas sample: unknown action '%s'\n", argv[1]);
	return usage(stderr);
}
