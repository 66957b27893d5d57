/* frame.c - the sampling frame: strata with their population and target. */
#include "frame.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "est-map.h"
#include "strbuf.h"

struct est_frame {
	struct est_map strata;
	double *population;
	double *target;
	size_t cap;
};

int est_frame_new(struct est_frame **out)
{
	struct est_frame *f = calloc(1, sizeof *f);

	if (!f)
		return -ENOMEM;
	est_map_init(&f->strata, EST_FRAME_MAX_STRATA);
	*out = f;
	return 0;
}

void est_frame_free(struct est_frame *f)
{
	if (!f)
		return;
	est_map_done(&f->strata);
	free(f->population);
	free(f->target);
	free(f);
}

int est_frame_set(struct est_frame *f, const char *stratum, double population, double target)
{
	size_t len = strlen(stratum);
	long id;

	if (len == 0 || len > 1024 || !(isfinite(population) && population >= 1) ||
	    !(isnan(target) || (isfinite(target) && target >= 0)))
		return -EINVAL;
	if (est_map_find(&f->strata, stratum, len) >= 0)
		return -EEXIST;
	if (f->strata.count == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		double *p = realloc(f->population, ncap * sizeof *p);

		if (!p)
			return -ENOMEM;
		f->population = p;
		p = realloc(f->target, ncap * sizeof *p);
		if (!p)
			return -ENOMEM;
		f->target = p;
		f->cap = ncap;
	}
	id = est_map_intern(&f->strata, stratum, len);
	if (id < 0)
		return (int)id;
	f->population[id] = population;
	f->target[id] = target;
	return 0;
}

double est_frame_population(const struct est_frame *f, const char *stratum)
{
	long id = est_map_find(&f->strata, stratum, strlen(stratum));

	return id < 0 ? NAN : f->population[id];
}

double est_frame_target(const struct est_frame *f, const char *stratum)
{
	long id = est_map_find(&f->strata, stratum, strlen(stratum));

	return id < 0 ? NAN : f->target[id];
}

size_t est_frame_count(const struct est_frame *f)
{
	return f->strata.count;
}

const char *est_frame_stratum(const struct est_frame *f, size_t i)
{
	return est_map_key(&f->strata, i, NULL);
}

/* ---- parsing ---------------------------------------------------------------------------- */

enum { COL_STRATUM, COL_POPULATION, COL_TARGET, NCOL };
static const char *const col_names[NCOL] = { "stratum", "population", "target" };

struct parse {
	struct est_frame *f;
	struct est_frame_fault *fault;
	int col[NCOL];      /* field position of each column, or -1 */
	size_t nheader;
};

static int fault_at(struct parse *p, size_t row, const char *column, const char *code, const char *msg, const char *val)
{
	if (p->fault) {
		p->fault->row = row;
		est_error_set(&p->fault->e, -EINVAL, column, code, "%s%s%s%s", msg, val ? " '" : "", val ? val : "",
			val ? "'" : "");
	}
	return -EINVAL;
}

/* A plain decimal number (digits, one point, an exponent); NAN when s is not one. */
static double parse_number(const char *s, size_t n)
{
	char *end;
	double v;
	size_t i;

	if (n == 0 || n > 64)
		return NAN;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789.eE+-", s[i]))
			return NAN;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end != s + n || !isfinite(v))
		return NAN;
	return v;
}

static int on_record(void *userdata, const struct csv_record *rec)
{
	struct parse *p = userdata;
	const char *stratum;
	double pop, target = NAN;
	size_t i, row = (size_t)rec->row;
	int r, c;

	if (rec->row == 0) {
		for (c = 0; c < NCOL; c++)
			p->col[c] = -1;
		for (i = 0; i < rec->nfields; i++) {
			for (c = 0; c < NCOL; c++)
				if (!strcmp(rec->fields[i], col_names[c]))
					break;
			if (c == NCOL)
				return fault_at(p, 0, rec->fields[i], "unknown_column", "unknown column", rec->fields[i]);
			if (p->col[c] >= 0)
				return fault_at(p, 0, rec->fields[i], "duplicate_column", "duplicate column", rec->fields[i]);
			p->col[c] = (int)i;
		}
		for (c = 0; c < 2; c++)
			if (p->col[c] < 0)
				return fault_at(p, 0, col_names[c], "missing_column", "missing column", col_names[c]);
		p->nheader = rec->nfields;
		return 0;
	}
	if (rec->nfields != p->nheader)
		return fault_at(p, row, "", "field_count", rec->nfields < p->nheader ? "too few cells" : "too many cells", NULL);
	stratum = rec->fields[p->col[COL_STRATUM]];
	if (!stratum[0])
		return fault_at(p, row, "stratum", "required", "empty stratum", NULL);
	if (rec->lens[p->col[COL_STRATUM]] > 1024)
		return fault_at(p, row, "stratum", "too_long", "stratum longer than 1024 bytes", NULL);
	pop = parse_number(rec->fields[p->col[COL_POPULATION]], rec->lens[p->col[COL_POPULATION]]);
	if (!(pop >= 1))
		return fault_at(p, row, "population", "bad_number", "population must be a number >= 1, not",
			rec->fields[p->col[COL_POPULATION]]);
	if (p->col[COL_TARGET] >= 0 && rec->lens[p->col[COL_TARGET]] > 0) {
		target = parse_number(rec->fields[p->col[COL_TARGET]], rec->lens[p->col[COL_TARGET]]);
		if (!(target >= 0))
			return fault_at(p, row, "target", "bad_number", "target must be a number >= 0, not",
				rec->fields[p->col[COL_TARGET]]);
	}
	r = est_frame_set(p->f, stratum, pop, target);
	if (r == -EEXIST)
		return fault_at(p, row, "stratum", "duplicate", "duplicate stratum", stratum);
	if (r == -E2BIG) {
		fault_at(p, row, "stratum", "too_many", "more strata than the limit", NULL);
		return -E2BIG;
	}
	if (r < 0) {
		if (p->fault) {
			p->fault->row = row;
			est_error_set(&p->fault->e, r, "", "memory", "out of memory");
		}
		return r;
	}
	return 0;
}

int est_frame_parse(const char *data, size_t len, struct est_frame **out, struct est_frame_fault *fault)
{
	struct parse p = { .fault = fault };
	struct csv_reader *rd = NULL;
	int r;

	if (fault)
		memset(fault, 0, sizeof *fault);
	if (len > EST_FRAME_MAX_BYTES) {
		if (fault)
			est_error_set(&fault->e, -E2BIG, "", "too_large", "frame larger than %u bytes", EST_FRAME_MAX_BYTES);
		return -E2BIG;
	}
	if ((r = est_frame_new(&p.f)) < 0)
		return r;
	rd = csv_reader_new(NULL, on_record, &p);
	if (!rd) {
		r = -ENOMEM;
		goto out;
	}
	r = csv_reader_feed(rd, data, len);
	if (r == 0)
		r = csv_reader_finish(rd);
	if (r < 0) {
		const struct csv_error *ce = csv_reader_error(rd);

		/* a fault from on_record is already filled; a CSV fault is copied */
		if (ce && strcmp(ce->code, "stopped") != 0 && fault) {
			fault->row = ce->row > 0 ? (size_t)ce->row : 0;
			est_error_set(&fault->e, r, "", ce->code, "%s", ce->message);
		}
		goto out;
	}
	if (p.nheader == 0) {
		r = fault_at(&p, 0, "", "empty", "no header row", NULL);
		goto out;
	}
	*out = p.f;
	p.f = NULL;
out:
	csv_reader_free(rd);
	est_frame_free(p.f);
	return r;
}

int est_frame_load_file(const char *path, struct est_frame **out, struct est_frame_fault *fault)
{
	struct strbuf sb;
	char buf[65536];
	FILE *fp;
	size_t n;
	int r = 0;

	if (fault)
		memset(fault, 0, sizeof *fault);
	fp = fopen(path, "rb");
	if (!fp) {
		r = -errno;
		if (fault)
			est_error_set(&fault->e, r, "", "unreadable", "%s", strerror(-r));
		return r;
	}
	strbuf_init(&sb, EST_FRAME_MAX_BYTES);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		if ((r = strbuf_append(&sb, buf, n)) < 0)
			break;
	if (r == 0 && ferror(fp))
		r = -EIO;
	fclose(fp);
	if (r < 0) {
		if (fault)
			est_error_set(&fault->e, r, "", r == -E2BIG ? "too_large" : "unreadable", "%s",
				r == -E2BIG ? "frame file too large" : strerror(-r));
		strbuf_done(&sb);
		return r;
	}
	r = est_frame_parse(sb.buf ? sb.buf : "", sb.len, out, fault);
	strbuf_done(&sb);
	return r;
}
