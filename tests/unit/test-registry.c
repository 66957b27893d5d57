/* test-registry.c - the procedure registry (server/store/registry.c) and the draw
 * (server/store/sample.c): units, the period, every error code, a pluggable row source, the
 * draw's independence of row order and its inclusion frequencies over many seeds; a workbook
 * as the row source (the seeds of fuzz-registry): the sheet's rows, padding, faults. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "sample.h"
#include "test.h"

static const char *const agencies[] = { "SNV", "STC", "SYT" };

static char *write_tmp(const char *content, size_t n)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/test-registry-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, content, n) != (ssize_t)n)
		abort();
	close(fd);
	return path;
}

static int read_text(const char *text, int32_t from, int32_t to, struct registry **out)
{
	struct registry_options o = { agencies, 3, from, to };
	struct registry_source src;
	char *path = write_tmp(text, strlen(text));
	int r;

	CHECK_OK(registry_new(&o, out));
	registry_csv_source(path, &src);
	r = registry_read(*out, &src);
	unlink(path);
	return r;
}

/* The listed error codes, joined by spaces, as "row:column:code". */
static const char *codes(const struct registry *g)
{
	static char buf[2048];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < registry_error_listed(g) && o < sizeof buf - 100; i++) {
		const struct registry_error *e = registry_error_at(g, i);

		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%ld:%s:%s", i ? " " : "", e->row, e->column, e->code);
	}
	return buf;
}

static void test_units(void)
{
	struct registry *g = NULL;
	int32_t from;

	CHECK_OK(registry_parse_day("2026-01-01", &from));
	CHECK_OK(read_text("dossier,agency,procedure,completed_at,name,phone,email,address\n"
			   "D1,SNV,P,2026-01-05,An,0912 345 678,,\n"
			   "D2,SNV,P,2026-02-01T08:30:00+07:00,An,+84 912 345 678,,\n"  /* the same phone */
			   "D3,SNV,P,2026-02-01,Bình,,b@x.vn,\n"
			   "D4,SNV,P,2026-02-01,Bình,,B@X.VN,\n"                     /* the same email */
			   "D5,SNV,P,2026-02-01,Chi,,,\n"                            /* the dossier alone */
			   "D6,STC,P,2026-02-01,An,0912345678,,\n"                   /* another agency */
			   "D7,SNV,P,2025-12-31,Dũng,0987000000,,\n",                 /* before the period */
			   from, REGISTRY_NO_DAY, &g));
	CHECK_INT(registry_rows(g), 7);
	CHECK_INT(registry_agency_count(g), 3);
	CHECK_STR(registry_agency_code(g, 0), "SNV");
	CHECK_INT(registry_agency_units(g, 0), 3);
	CHECK_INT(registry_agency_units(g, 1), 1);
	CHECK_INT(registry_agency_units(g, 2), 0);
	{
		long rows[3];
		size_t i;

		for (i = 0; i < 3; i++)
			rows[i] = registry_unit_row(g, 0, i);
		/* each unit's first row: 1 (D1, D2), 3 (D3, D4), 5 */
		CHECK(rows[0] + rows[1] + rows[2] == 9);
		CHECK(rows[0] != 2 && rows[1] != 2 && rows[2] != 2);
	}
	registry_free(g);
}

static void expect_codes(const char *text, const char *want)
{
	struct registry *g = NULL;
	int r = read_text(text, REGISTRY_NO_DAY, REGISTRY_NO_DAY, &g);

	CHECK(r < 0);
	CHECK_STR(codes(g), want);
	registry_free(g);
}

static void test_errors(void)
{
	char big[3000];

	expect_codes("dossier,agency,procedure\nD1,SNV,P\n", "0:completed_at:missing_column");
	expect_codes("dossier,agency,procedure,completed_at,fax\nD1,SNV,P,2026-01-01,1\n", "0::unknown_column");
	expect_codes("dossier,agency,procedure,completed_at,agency\n", "0:agency:duplicate_column");
	expect_codes("dossier,agency,procedure,completed_at\n,SNV,P,2026-01-01\nD2,,P,2026-01-01\n",
		     "1:dossier:missing_value 2:agency:missing_value");
	expect_codes("dossier,agency,procedure,completed_at\nD1,XYZ,P,2026-01-01\n", "1:agency:unknown_agency");
	expect_codes("dossier,agency,procedure,completed_at\nD1,SNV,P,2026-02-30\nD2,SNV,P,01/02/2026\n"
		     "D3,SNV,P,2026-01-01T25:00\n",
		     "1:completed_at:bad_date 2:completed_at:bad_date 3:completed_at:bad_date");
	expect_codes("dossier,agency,procedure,completed_at\nD1,SNV,P,2026-01-01\nD2,SNV,P,2026-01-01\n"
		     "D1,STC,P,2026-01-02\n", "3:dossier:duplicate_dossier");
	expect_codes("dossier,agency,procedure,completed_at\nD1,SNV,P\n", "1::cell_count");
	expect_codes("", "0::empty");
	expect_codes("dossier,agency,procedure,completed_at\n", "0::empty");
	expect_codes("dossier,agency,procedure,completed_at\nD\xff,SNV,P,2026-01-01\n", "1:1:encoding");
	memset(big, 'x', sizeof big);
	memcpy(big, "dossier,agency,procedure,completed_at,name\nD1,SNV,P,2026-01-01,", 63);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	expect_codes(big, "1:name:too_long");
	/* every fault is listed, in row order, and nothing is grouped */
	expect_codes("dossier,agency,procedure,completed_at\nD1,XYZ,P,2026-13-01\nD1,SNV,P,2026-01-01\n",
		     "1:agency:unknown_agency 1:completed_at:bad_date 2:dossier:duplicate_dossier");
}

static void test_days(void)
{
	int32_t d;

	CHECK_OK(registry_parse_day("1970-01-01", &d));
	CHECK_INT(d, 0);
	CHECK_OK(registry_parse_day("2024-02-29", &d));
	CHECK_INT(d, 19782);
	CHECK_OK(registry_parse_day("2026-11-30 07:00", &d));
	CHECK_INT(d, 20787);
	CHECK_INT(registry_parse_day("2023-02-29", &d), -EINVAL);
	CHECK_INT(registry_parse_day("2026-1-01", &d), -EINVAL);
	CHECK_INT(registry_parse_day("2026-01-01x", &d), -EINVAL);
	CHECK_INT(registry_parse_day("2026-01-01T07:00<script>", &d), -EINVAL);
}

/* ---- a row source of its own (what a workbook reader will be) ---- */

struct mem_source {
	const char *(*rows)[4];
	size_t n;
	const size_t *order;        /* a permutation of the data rows, or NULL */
};

static int mem_each(void *src, registry_row_fn fn, void *ud, struct registry_error *err)
{
	static const char *const head[5] = { "dossier", "agency", "procedure", "completed_at", "phone" };
	struct mem_source *m = src;
	size_t i, k;
	int r;

	(void)err;
	if ((r = fn(ud, 0, head, (size_t[]){ 7, 6, 9, 12, 5 }, 5)) < 0)
		return r;
	for (i = 0; i < m->n; i++) {
		const char *const *row = m->rows[m->order ? m->order[i] : i];
		const char *cells[5] = { row[0], row[1], "P", row[2], row[3] };
		size_t l[5];

		for (k = 0; k < 5; k++)
			l[k] = strlen(cells[k]);
		if ((r = fn(ud, (long)i + 1, cells, l, 5)) < 0)
			return r;
	}
	return 0;
}

struct collected {
	char dossiers[64][16];
	size_t n;
};

static int on_contact(void *ud, size_t index, const char *const cells[REG_NCOLUMNS])
{
	struct collected *c = ud;

	(void)index;
	snprintf(c->dossiers[c->n++], sizeof c->dossiers[0], "%s", cells[REG_DOSSIER]);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Draws with seed from the rows in the given order; the drawn dossiers, sorted, into out. */
static void draw(struct mem_source *m, uint64_t seed, const struct sample_size_params *p, struct collected *out)
{
	struct registry_options o = { agencies, 3, REGISTRY_NO_DAY, REGISTRY_NO_DAY };
	struct registry_source src = { mem_each, m, 0 };
	struct registry_error err;
	struct sample_plan plan;
	struct registry *g = NULL;

	memset(out, 0, sizeof *out);
	CHECK_OK(registry_new(&o, &g));
	CHECK_OK(registry_read(g, &src));
	CHECK_OK(sample_plan_make(g, p, seed, &plan));
	CHECK_OK(registry_contacts(g, &src, plan.rows, plan.nrows, on_contact, out, &err));
	CHECK_INT(out->n, plan.nrows);
	qsort(out->dossiers, out->n, sizeof out->dossiers[0], cmp_str);
	sample_plan_done(&plan);
	registry_free(g);
}

#define NUNITS 20
static char names[NUNITS + 4][2][16];
static const char *rows[NUNITS + 4][4];

static void make_rows(void)
{
	size_t i;

	for (i = 0; i < NUNITS + 4; i++) {
		snprintf(names[i][0], sizeof names[i][0], "D%02zu", i);
		snprintf(names[i][1], sizeof names[i][1], "09000000%02zu", i < NUNITS ? i : i - NUNITS);
		rows[i][0] = names[i][0];
		rows[i][1] = i < NUNITS + 2 ? "SNV" : "SYT";
		rows[i][2] = "2026-03-01";
		rows[i][3] = names[i][1];        /* rows 20, 21 share phones with units 0, 1 */
	}
}

static void test_order_independent(void)
{
	struct mem_source m = { rows, NUNITS + 4, NULL };
	struct sample_size_params p;
	struct collected a, b;
	size_t order[NUNITS + 4], i;

	sample_size_defaults(&p);
	p.margin = 99;       /* n0 < 1: the minimum decides */
	p.min = 5;
	for (i = 0; i < NUNITS + 4; i++)
		order[i] = NUNITS + 3 - i;     /* reversed: units 0 and 1 now have their later dossiers first */
	draw(&m, 42, &p, &a);
	m.order = order;
	draw(&m, 42, &p, &b);
	/* SNV: 20 units, 5 drawn; SYT: 2 units, both */
	CHECK_INT(a.n, 7);
	CHECK_INT(b.n, 7);
	/* the same people: D00 and D20 are one person (so are D01 and D21), whose first row in the
	 * file speaks for them; name each person by the lower dossier before comparing */
	for (i = 0; i < 7; i++) {
		a.dossiers[i][1] = a.dossiers[i][1] == '2' ? '0' : a.dossiers[i][1];
		b.dossiers[i][1] = b.dossiers[i][1] == '2' ? '0' : b.dossiers[i][1];
	}
	qsort(a.dossiers, a.n, sizeof a.dossiers[0], cmp_str);
	qsort(b.dossiers, b.n, sizeof b.dossiers[0], cmp_str);
	for (i = 0; i < 7; i++)
		CHECK_STR(a.dossiers[i], b.dossiers[i]);
	m.order = NULL;
	draw(&m, 43, &p, &b);
	CHECK(memcmp(&a, &b, sizeof a) != 0);       /* another seed, another sample */
}

/* Over 4000 seeds each of the 20 units is drawn with frequency m/N = 5/20 within 5 standard
 * errors (sqrt(0.25 * 0.75 / 4000) = 0.0068), and every draw has 5 distinct units. */
static void test_inclusion(void)
{
	struct mem_source m = { rows, NUNITS, NULL };
	struct sample_size_params p;
	struct collected c;
	long count[NUNITS] = { 0 };
	int seed, i;

	sample_size_defaults(&p);
	p.margin = 99;
	p.min = 5;
	for (seed = 0; seed < 4000; seed++) {
		draw(&m, (uint64_t)seed * 7919 + 1, &p, &c);
		CHECK_INT(c.n, 5);
		for (i = 0; i < (int)c.n; i++) {
			count[atoi(c.dossiers[i] + 1)]++;
			if (i)
				CHECK(strcmp(c.dossiers[i - 1], c.dossiers[i]) < 0);
		}
	}
	for (i = 0; i < NUNITS; i++) {
		double f = count[i] / 4000.0;

		if (!(f > 0.25 - 5 * 0.0068 && f < 0.25 + 5 * 0.0068))
			TEST_FAIL_("unit %d drawn with frequency %.4f, expected 0.25", i, f);
	}
}

struct seen {
	char name[64];
	size_t n;
};

static int on_contact_name(void *ud, size_t index, const char *const cells[REG_NCOLUMNS])
{
	struct seen *s = ud;

	snprintf(s->name, sizeof s->name, "%s|%s|%s", cells[REG_DOSSIER], cells[REG_NAME], cells[REG_ADDRESS]);
	s->n++;
	return 0;
}

static int open_seed(const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/registry/%s", SIPAS_SOURCE_ROOT, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

static void test_workbook(void)
{
	static const char *const codes_x[] = { "SNV", "STC", "X" };
	struct registry_options o = { codes_x, 3, REGISTRY_NO_DAY, REGISTRY_NO_DAY };
	struct registry_source src;
	struct registry *g = NULL;
	struct registry_error err;
	struct seen seen = { "", 0 };
	long row;
	int fd = open_seed("openpyxl-valid.xlsx");

	CHECK_INT(registry_is_xlsx(fd), 1);
	CHECK_OK(registry_new(&o, &g));
	registry_xlsx_source(fd, &src);
	CHECK_OK(registry_read(g, &src));
	CHECK_INT(registry_rows(g), 5);                 /* the blank row is no row */
	CHECK_INT(registry_agency_units(g, 0), 1);      /* SNV: one phone written two ways */
	CHECK_INT(registry_agency_units(g, 1), 1);      /* STC: one e-mail in two cases */
	CHECK_INT(registry_agency_units(g, 2), 1);
	CHECK_INT(registry_unit_row(g, 0, 0), 1);       /* rows are the sheet's less one */
	CHECK_INT(registry_unit_row(g, 1, 0), 4);       /* sheet row 5, after the blank row 4 */
	CHECK_INT(registry_unit_row(g, 2, 0), 6);
	row = registry_unit_row(g, 1, 0);
	memset(&err, 0, sizeof err);
	CHECK_OK(registry_contacts(g, &src, &row, 1, on_contact_name, &seen, &err));
	CHECK_INT(seen.n, 1);
	CHECK_STR(seen.name, "3003|Lê Thị Hoa|");    /* a number cell as text; a short row padded */
	registry_free(g);
	close(fd);

	fd = open_seed("stored-faults.xlsx");
	CHECK_INT(registry_is_xlsx(fd), 1);
	CHECK_OK(registry_new(&o, &g));
	registry_xlsx_source(fd, &src);
	CHECK_INT(registry_read(g, &src), -EINVAL);
	/* the sheet's rows: past the header's cells, empty cells, the dossier of row 2 */
	CHECK_STR(codes(g), "3::cell_count 4:dossier:missing_value 4:procedure:missing_value "
			    "6:dossier:duplicate_dossier");
	CHECK_STR(registry_error_at(g, 3)->message, "the same dossier as row 2");
	registry_free(g);
	close(fd);

	fd = open_seed("stored-bad-header.xlsx");
	CHECK_OK(registry_new(&o, &g));
	registry_xlsx_source(fd, &src);
	CHECK_INT(registry_read(g, &src), -EINVAL);
	CHECK_STR(codes(g), "1::unknown_column 1:completed_at:missing_column");   /* the header is row 1 */
	registry_free(g);
	close(fd);

	fd = open_seed("valid.csv");
	CHECK_INT(registry_is_xlsx(fd), 0);
	close(fd);
}

int main(void)
{
	make_rows();
	test_days();
	test_units();
	test_errors();
	test_order_independent();
	test_inclusion();
	test_workbook();
	TEST_DONE();
}
