/* registry.c - the procedure registry: validation, units, the second pass (see registry.h). */
#include "registry.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radix16.h"

#define STOP_HEADER (-ECANCELED)     /* our callback's "stop: the header is unusable" */
#define SEED_PHONE   0x70686f6e65ULL
#define SEED_EMAIL   0x656d61696cULL
#define SEED_DOSSIER 0x646f7373ULL
#define SEED_DOS_A   0x9e3779b97f4a7c15ULL
#define SEED_DOS_B   0xc2b2ae3d27d4eb4fULL

static const char *const column_names[REG_NCOLUMNS] = {
	"dossier", "agency", "procedure", "completed_at", "name", "phone", "email", "address",
};
#define NREQUIRED 4

struct unit_ent {                    /* 16 bytes a row in the period */
	uint64_t key;
	uint32_t agency;
	uint32_t row;
};

struct dossier_ent {                 /* 16 bytes a row: a 96-bit hash of the dossier and its row */
	uint32_t h[3];
	uint32_t row;
};

struct registry {
	struct registry_options opt;
	char (*codes)[REGISTRY_CODE_MAX];   /* sorted */
	size_t nagencies;
	int col[REG_NCOLUMNS];              /* the file's cell index of each column, or -1 */
	size_t nfilecols;
	bool header_seen;
	int sheet;                          /* the source's: faults name the sheet's rows */
	long rows;
	struct unit_ent *units;
	size_t nunits, capunits;
	struct dossier_ent *dos;
	size_t ndos, capdos;
	size_t *start;                      /* nagencies + 1 offsets into units, after grouping */
	struct registry_error *err;
	size_t nlisted;
	long nerr;
};

uint64_t registry_hash(const void *p, size_t n, uint64_t seed)
{
	/* the shape of MurmurHash64A (public domain), reading bytes little-endian on any machine */
	const uint64_t m = 0xc6a4a7935bd1e995ULL;
	const unsigned char *s = p;
	uint64_t h = seed ^ ((uint64_t)n * m), k;
	size_t i;

	while (n >= 8) {
		for (k = 0, i = 0; i < 8; i++)
			k |= (uint64_t)s[i] << (8 * i);
		k *= m;
		k ^= k >> 47;
		k *= m;
		h ^= k;
		h *= m;
		s += 8;
		n -= 8;
	}
	if (n) {
		for (k = 0, i = 0; i < n; i++)
			k |= (uint64_t)s[i] << (8 * i);
		h ^= k;
		h *= m;
	}
	h ^= h >> 47;
	h *= m;
	h ^= h >> 47;
	return h;
}

static int days_in_month(int y, int mo)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[mo - 1];
}

static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int registry_parse_day(const char *s, int32_t *day)
{
	int y, mo, d, hh, mi;
	long long yy, era, yoe, doy, doe;
	size_t i;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -EINVAL;
	if (s[10]) {             /* a time: T or space, HH:MM, then seconds, fraction, zone */
		if ((s[10] != 'T' && s[10] != ' ') || strlen(s) < 16 || s[13] != ':')
			return -EINVAL;
		hh = digits(s + 11, 2);
		mi = digits(s + 14, 2);
		if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || strlen(s) > 35)
			return -EINVAL;
		for (i = 16; s[i]; i++)
			if (!strchr("0123456789:.+-Z", s[i]))
				return -EINVAL;
	}
	/* days from civil (H. Hinnant's algorithm) */
	yy = mo <= 2 ? y - 1 : y;
	era = yy / 400;
	yoe = yy - era * 400;
	doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*day = (int32_t)(era * 146097 + doe - 719468);
	return 0;
}

/* A fault of row (0 the header, WHOLE_FILE none), listed with the row the source shows. */
#define WHOLE_FILE (-1L)
static void fault(struct registry *g, long row, int column, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void fault(struct registry *g, long row, int column, const char *code, const char *fmt, ...)
{
	struct registry_error *e;
	va_list ap;

	g->nerr++;
	if (g->nlisted == REGISTRY_MAX_ERRORS)
		return;
	e = &g->err[g->nlisted++];
	e->row = row == WHOLE_FILE ? 0 : row + g->sheet;
	snprintf(e->column, sizeof e->column, "%s", column >= 0 ? column_names[column] : "");
	snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

int registry_new(const struct registry_options *opt, struct registry **out)
{
	struct registry *g;
	size_t i;

	if (opt->nagencies > REGISTRY_MAX_AGENCIES)
		return -E2BIG;
	for (i = 0; i < opt->nagencies; i++)
		if (strlen(opt->agencies[i]) >= REGISTRY_CODE_MAX)
			return -EINVAL;
	g = calloc(1, sizeof *g);
	if (!g)
		return -ENOMEM;
	g->opt = *opt;
	g->opt.agencies = NULL;
	g->codes = calloc(opt->nagencies ? opt->nagencies : 1, sizeof *g->codes);
	g->err = calloc(REGISTRY_MAX_ERRORS, sizeof *g->err);
	if (!g->codes || !g->err) {
		registry_free(g);
		return -ENOMEM;
	}
	for (i = 0; i < opt->nagencies; i++)
		snprintf(g->codes[i], sizeof g->codes[i], "%s", opt->agencies[i]);
	g->nagencies = opt->nagencies;
	qsort(g->codes, g->nagencies, sizeof *g->codes, (int (*)(const void *, const void *))strcmp);
	for (i = 0; i < REG_NCOLUMNS; i++)
		g->col[i] = -1;
	*out = g;
	return 0;
}

static int on_header(struct registry *g, const char *const *cells, size_t n)
{
	long before = g->nerr;
	size_t i;
	int k;

	g->header_seen = true;
	g->nfilecols = n;
	for (i = 0; i < n; i++) {
		for (k = 0; k < REG_NCOLUMNS; k++)
			if (!strcmp(cells[i], column_names[k]))
				break;
		if (k == REG_NCOLUMNS) {
			fault(g, 0, -1, "unknown_column", "column %zu: unknown column '%.80s' (expected %s)", i + 1,
			      cells[i], "dossier,agency,procedure,completed_at[,name,phone,email,address]");
			continue;
		}
		if (g->col[k] >= 0) {
			fault(g, 0, k, "duplicate_column", "column '%s' appears twice", column_names[k]);
			continue;
		}
		g->col[k] = (int)i;
	}
	for (k = 0; k < NREQUIRED; k++)
		if (g->col[k] < 0)
			fault(g, 0, k, "missing_column", "the required column '%s' is missing", column_names[k]);
	return g->nerr > before ? STOP_HEADER : 0;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap + *cap / 2 : 4096;
	void *np;

	if (need <= *cap)
		return p;
	if (ncap < need)
		ncap = need;
	np = realloc(p, ncap * size);
	if (np)
		*cap = ncap;
	return np;
}

static int agency_find(const struct registry *g, const char *code)
{
	size_t lo = 0, hi = g->nagencies;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(g->codes[mid], code);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The unit key of a valid row: its phone, else email, else dossier, normalised. */
static uint64_t unit_key(const char *phone, const char *email, const char *dossier)
{
	char buf[REGISTRY_MAX_CELL];
	size_t n = 0, i;

	for (i = 0; phone && phone[i]; i++)
		if (phone[i] >= '0' && phone[i] <= '9')
			buf[n++] = phone[i];
	if (n >= 11 && buf[0] == '8' && buf[1] == '4') {      /* +84 912... = 0912... */
		memmove(buf + 1, buf + 2, n - 2);
		buf[0] = '0';
		n--;
	}
	if (n)
		return registry_hash(buf, n, SEED_PHONE);
	for (i = 0; email && email[i]; i++)
		buf[n++] = email[i] >= 'A' && email[i] <= 'Z' ? (char)(email[i] - 'A' + 'a') : email[i];
	if (n)
		return registry_hash(buf, n, SEED_EMAIL);
	return registry_hash(dossier, strlen(dossier), SEED_DOSSIER);
}

static int on_row(void *ud, long row, const char *const *cells, const size_t *lens, size_t n)
{
	struct registry *g = ud;
	const char *v[REG_NCOLUMNS];
	bool ok = true;
	int32_t day = 0;
	int k, agency = -1;

	if (row == 0)
		return on_header(g, cells, n);
	if (++g->rows > REGISTRY_MAX_ROWS) {
		fault(g, row, -1, "too_many_rows", "more than %ld rows", REGISTRY_MAX_ROWS);
		return -E2BIG;
	}
	if (n != g->nfilecols) {
		fault(g, row, -1, "cell_count", "%zu cells where the header has %zu", n, g->nfilecols);
		return 0;
	}
	for (k = 0; k < REG_NCOLUMNS; k++) {
		v[k] = g->col[k] >= 0 ? cells[g->col[k]] : "";
		if (g->col[k] >= 0 && lens[g->col[k]] > REGISTRY_MAX_CELL) {
			fault(g, row, k, "too_long", "more than %d bytes", REGISTRY_MAX_CELL);
			ok = false;
		} else if (k < NREQUIRED && !v[k][0]) {
			fault(g, row, k, "missing_value", "the %s is missing", column_names[k]);
			ok = false;
		}
	}
	if (v[REG_AGENCY][0] && strlen(v[REG_AGENCY]) <= REGISTRY_MAX_CELL &&
	    (agency = agency_find(g, v[REG_AGENCY])) < 0) {
		fault(g, row, REG_AGENCY, "unknown_agency", "'%.40s' is not an agency of this round", v[REG_AGENCY]);
		ok = false;
	}
	if (v[REG_COMPLETED_AT][0] && registry_parse_day(v[REG_COMPLETED_AT], &day) < 0) {
		fault(g, row, REG_COMPLETED_AT, "bad_date", "'%.40s' is not an ISO date (YYYY-MM-DD)",
		      v[REG_COMPLETED_AT]);
		ok = false;
	}
	if (v[REG_DOSSIER][0] && lens[g->col[REG_DOSSIER]] <= REGISTRY_MAX_CELL) {
		size_t len = lens[g->col[REG_DOSSIER]];
		uint64_t a = registry_hash(v[REG_DOSSIER], len, SEED_DOS_A);
		uint64_t b = registry_hash(v[REG_DOSSIER], len, SEED_DOS_B);
		struct dossier_ent *d;

		if (!(d = grow(g->dos, &g->capdos, g->ndos + 1, sizeof *g->dos)))
			return -ENOMEM;
		g->dos = d;
		d = &g->dos[g->ndos++];
		d->h[0] = (uint32_t)(a >> 32);
		d->h[1] = (uint32_t)a;
		d->h[2] = (uint32_t)(b >> 32);
		d->row = (uint32_t)row;
	}
	if (!ok || g->nerr)                 /* nothing will be drawn: keep no units */
		return 0;
	if ((g->opt.from_day != REGISTRY_NO_DAY && day < g->opt.from_day) ||
	    (g->opt.to_day != REGISTRY_NO_DAY && day > g->opt.to_day))
		return 0;
	{
		struct unit_ent *u = grow(g->units, &g->capunits, g->nunits + 1, sizeof *g->units);

		if (!u)
			return -ENOMEM;
		g->units = u;
		u = &g->units[g->nunits++];
		u->key = unit_key(v[REG_PHONE], v[REG_EMAIL], v[REG_DOSSIER]);
		u->agency = (uint32_t)agency;
		u->row = (uint32_t)row;
	}
	return 0;
}

static int cmp_dossier(const void *a, const void *b)
{
	const struct dossier_ent *x = a, *y = b;
	int i;

	for (i = 0; i < 3; i++)
		if (x->h[i] != y->h[i])
			return x->h[i] < y->h[i] ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int cmp_unit(const void *a, const void *b)
{
	const struct unit_ent *x = a, *y = b;

	if (x->agency != y->agency)
		return x->agency < y->agency ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

_Static_assert(sizeof(struct dossier_ent) == RADIX16_REC, "a dossier entry is a radix16 record");
_Static_assert(sizeof(struct unit_ent) == RADIX16_REC, "a unit entry is a radix16 record");

/* The key words of cmp_dossier's and cmp_unit's orders, for radix16_sort. */
static uint32_t dossier_word(const void *p, int w)
{
	const struct dossier_ent *x = p;

	return w < 3 ? x->h[w] : x->row;
}

static uint32_t unit_word(const void *p, int w)
{
	const struct unit_ent *x = p;

	return w == 0 ? x->agency : w == 1 ? (uint32_t)(x->key >> 32) : w == 2 ? (uint32_t)x->key : x->row;
}

static int cmp_error(const void *a, const void *b)
{
	const struct registry_error *x = a, *y = b;

	return x->row < y->row ? -1 : x->row > y->row;
}

static void check_dossiers(struct registry *g)
{
	size_t i, first = 0;

	if (g->ndos > 1 && radix16_sort(g->dos, g->ndos, dossier_word) < 0)
		qsort(g->dos, g->ndos, sizeof *g->dos, cmp_dossier);
	for (i = 1; i < g->ndos; i++) {
		if (memcmp(g->dos[i].h, g->dos[first].h, sizeof g->dos[i].h) != 0) {
			first = i;
			continue;
		}
		fault(g, (long)g->dos[i].row, REG_DOSSIER, "duplicate_dossier", "the same dossier as row %lu",
		      (unsigned long)g->dos[first].row + (unsigned long)g->sheet);
	}
	free(g->dos);
	g->dos = NULL;
	g->ndos = g->capdos = 0;
}

/* Sorts the units by agency and key, keeps one per key (its first row) and indexes the agencies. */
static int group_units(struct registry *g)
{
	size_t i, o = 0, h;

	if (g->nunits > 1 && radix16_sort(g->units, g->nunits, unit_word) < 0)
		qsort(g->units, g->nunits, sizeof *g->units, cmp_unit);
	for (i = 0; i < g->nunits; i++)
		if (o == 0 || g->units[i].agency != g->units[o - 1].agency || g->units[i].key != g->units[o - 1].key)
			g->units[o++] = g->units[i];
	g->nunits = o;
	if (!(g->start = calloc(g->nagencies + 1, sizeof *g->start)))
		return -ENOMEM;
	for (i = 0, h = 0; h <= g->nagencies; h++) {
		while (i < g->nunits && g->units[i].agency < h)
			i++;
		g->start[h] = i;
	}
	if (o && o < g->capunits) {
		struct unit_ent *u = realloc(g->units, o * sizeof *u);

		if (u) {
			g->units = u;
			g->capunits = o;
		}
	}
	return 0;
}

int registry_read(struct registry *g, const struct registry_source *src)
{
	struct registry_error e;
	int r;

	memset(&e, 0, sizeof e);
	g->sheet = src->sheet ? 1 : 0;
	r = src->each(src->src, on_row, g, &e);
	if (r == STOP_HEADER)
		r = -EINVAL;
	else if (r < 0 && r != -ENOMEM && e.code[0] && g->nlisted < REGISTRY_MAX_ERRORS) {
		g->err[g->nlisted++] = e;
		g->nerr++;
	} else if (r == 0 && !g->header_seen) {
		fault(g, WHOLE_FILE, -1, "empty", "the file is empty: no header row");
	} else if (r == 0 && g->rows == 0) {
		fault(g, WHOLE_FILE, -1, "empty", "the file has no data rows");
	}
	if (r == 0 || r == -EINVAL)
		check_dossiers(g);
	if (g->nlisted > 1)
		qsort(g->err, g->nlisted, sizeof *g->err, cmp_error);
	if (r < 0)
		return r;
	if (g->nerr)
		return -EINVAL;
	return group_units(g);
}

long registry_error_count(const struct registry *g) { return g->nerr; }
size_t registry_error_listed(const struct registry *g) { return g->nlisted; }
const struct registry_error *registry_error_at(const struct registry *g, size_t i) { return &g->err[i]; }
long registry_rows(const struct registry *g) { return g->rows; }
size_t registry_agency_count(const struct registry *g) { return g->nagencies; }
const char *registry_agency_code(const struct registry *g, size_t h) { return g->codes[h]; }

long registry_agency_units(const struct registry *g, size_t h)
{
	return g->start ? (long)(g->start[h + 1] - g->start[h]) : 0;
}

uint64_t registry_unit_key(const struct registry *g, size_t h, size_t i)
{
	return g->units[g->start[h] + i].key;
}

long registry_unit_row(const struct registry *g, size_t h, size_t i)
{
	return (long)g->units[g->start[h] + i].row;
}

struct contact_pass {
	const struct registry *g;
	const long *rows;
	size_t n, next;
	registry_contact_fn fn;
	void *ud;
};

static int on_contact_row(void *ud, long row, const char *const *cells, const size_t *lens, size_t n)
{
	struct contact_pass *p = ud;
	const char *v[REG_NCOLUMNS];
	int k, r;

	(void)lens;
	if (row == 0 || p->next >= p->n || row != p->rows[p->next])
		return 0;
	for (k = 0; k < REG_NCOLUMNS; k++)
		v[k] = p->g->col[k] >= 0 && (size_t)p->g->col[k] < n ? cells[p->g->col[k]] : "";
	if ((r = p->fn(p->ud, p->next, v)) < 0)
		return r;
	return ++p->next == p->n ? STOP_HEADER : 0;   /* all found: stop reading */
}

int registry_contacts(const struct registry *g, const struct registry_source *src, const long *rows, size_t n,
		      registry_contact_fn fn, void *ud, struct registry_error *err)
{
	struct contact_pass p = { g, rows, n, 0, fn, ud };
	int r;

	if (n == 0)
		return 0;
	r = src->each(src->src, on_contact_row, &p, err);
	if (r == STOP_HEADER)
		return 0;
	if (r == 0 && p.next < n)          /* the file changed between the passes */
		return -ESTALE;
	return r;
}

void registry_free(struct registry *g)
{
	if (!g)
		return;
	free(g->codes);
	free(g->units);
	free(g->dos);
	free(g->start);
	free(g->err);
	free(g);
}
