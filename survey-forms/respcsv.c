/* respcsv.c - reads a responses file against a form: header mapping, row checks, serials. */
#include "respcsv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "answer-check.h"
#include "channel.h"
#include "jsonw.h"

#define COL_IGNORED  (-1)
#define COL_QUESTION FORM_NCOLS   /* col_kind >= COL_QUESTION: question col_kind - COL_QUESTION */

/* The serials seen: open addressing (linear probing, at most half full) on 96-bit fingerprints
 * of the serials, a MurmurHash3 x64-128 of the bytes (64 bits and 32 more), and the row each
 * was first seen in. No serial is stored: two different serials that share the fingerprint
 * would be taken for a duplicate, which for n distinct serials happens with probability below
 * n²/2⁹⁷ (2.5e-17 at the 2 million serials of RESPCSV_MAX_SERIALS) -- unless someone crafts
 * such a pair on purpose, which only gets their own file refused. 16 bytes per slot, 32 per
 * serial at most: 32 MB for a million. The slot is found from the top bits of the fingerprint,
 * so a table twice as large keeps the order and rehashing reads and writes it in sequence. */
struct serial_slot {
	uint64_t h1;        /* 0 = empty */
	uint32_t h2;
	uint32_t row;
};

struct serial_set {
	struct serial_slot *slots;    /* mapped (table_map) */
	size_t cap, count, max;
	unsigned shift;               /* 64 - log2(cap) */
	size_t expect;                /* serials expected in all (a hint), 0 = unknown */
};

struct respcsv {
	const struct form *f;
	struct respcsv_options opt;
	respcsv_row_fn on_row;
	respcsv_error_fn on_error;
	void *userdata;
	struct csv_reader *csv;

	bool header_seen;
	unsigned long long fed;   /* bytes passed to respcsv_feed */
	char sep;                 /* the file's separator */
	size_t ncols;
	int *col_kind;            /* per column: COL_IGNORED, a design column, or COL_QUESTION + q */
	size_t *col_slot;         /* per column: its question's slot in codes, else the scratch one */
	char *col_names;          /* the header's names, NUL-separated */
	size_t *col_name_off;
	int design[FORM_NCOLS];   /* column of each design field, or -1 */

	struct answer_set set;
	int16_t *codes;
	struct strbuf json;
	struct serial_set serials;
	struct respcsv_stats stats;
	size_t reported;
	int status;               /* the value that stopped the reader, or 0 */
	char msg[512], msg_vi[512];
};

/* ---- the serial set ---- */

#define TABLE_ALIGN ((size_t)2 << 20)    /* a huge page */

/* Maps n zeroed bytes (a multiple of the page size), on huge pages when n allows it and the
 * kernel offers them: the table is read at random, and one TLB entry then covers 2 MiB rather
 * than 4 KiB. Returns NULL when out of memory; free with munmap(p, n). */
static void *table_map(size_t n)
{
	unsigned char *raw, *p;
	size_t head;

	if (n < TABLE_ALIGN) {
		p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	}
	raw = mmap(NULL, n + TABLE_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	head = (TABLE_ALIGN - (uintptr_t)raw % TABLE_ALIGN) % TABLE_ALIGN;
	p = raw + head;
	if (head)
		munmap(raw, head);
	munmap(p + n, TABLE_ALIGN - head);
#ifdef MADV_HUGEPAGE
	madvise(p, n, MADV_HUGEPAGE);    /* advice: without it, small pages */
#endif
	return p;
}

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

/* n <= 8 bytes of p, little-endian. */
static inline uint64_t load_le(const unsigned char *p, size_t n)
{
	uint64_t x = 0;

	if (n == 8) {
		memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		x = __builtin_bswap64(x);
#endif
		return x;
	}
	while (n--)
		x = x << 8 | p[n];
	return x;
}

struct serial_key {
	uint64_t h1;
	uint32_t h2;
};

/* MurmurHash3 x64-128 (Austin Appleby, public domain) of n bytes, seed 0. */
static struct serial_key serial_hash(const char *s, size_t n)
{
	const uint64_t c1 = 0x87c37b91114253d5ull, c2 = 0x4cf5ad432745937full;
	const unsigned char *p = (const unsigned char *)s;
	uint64_t h1 = 0, h2 = 0, k1, k2;
	size_t i, rest;

	for (i = 0; i + 16 <= n; i += 16) {
		k1 = load_le(p + i, 8);
		k2 = load_le(p + i + 8, 8);
		k1 *= c1;
		k1 = rotl64(k1, 31);
		k1 *= c2;
		h1 ^= k1;
		h1 = rotl64(h1, 27);
		h1 += h2;
		h1 = h1 * 5 + 0x52dce729;
		k2 *= c2;
		k2 = rotl64(k2, 33);
		k2 *= c1;
		h2 ^= k2;
		h2 = rotl64(h2, 31);
		h2 += h1;
		h2 = h2 * 5 + 0x38495ab5;
	}
	rest = n - i;
	if (rest > 8) {
		k2 = load_le(p + i + 8, rest - 8);
		k2 *= c2;
		k2 = rotl64(k2, 33);
		k2 *= c1;
		h2 ^= k2;
	}
	if (rest) {
		k1 = load_le(p + i, rest > 8 ? 8 : rest);
		k1 *= c1;
		k1 = rotl64(k1, 31);
		k1 *= c2;
		h1 ^= k1;
	}
	h1 ^= n;
	h2 ^= n;
	h1 += h2;
	h2 += h1;
	h1 = fmix64(h1);
	h2 = fmix64(h2);
	h1 += h2;
	h2 += h1;
	return (struct serial_key){ h1 ? h1 : 1, (uint32_t)(h2 >> 32) };
}

/* Starts loading the slot where the serial's search begins (the row's other cells are read
 * meanwhile). */
static inline void serial_prefetch(const struct serial_set *ss, struct serial_key k)
{
	if (ss->slots)
		__builtin_prefetch(&ss->slots[k.h1 >> ss->shift], 1);
}

static void serial_free(struct serial_set *ss)
{
	if (ss->slots)
		munmap(ss->slots, ss->cap * sizeof *ss->slots);
	ss->slots = NULL;
}

/* Doubles the table, or more when the serials expected need it (each doubling maps, zeroes and
 * rehashes). The old one is read in order and given back a huge page at a time, so the two are
 * not both resident. */
static int serial_grow(struct serial_set *ss)
{
	size_t cap = ss->cap ? ss->cap * 2 : 1024, i, k;
	const size_t per_page = TABLE_ALIGN / sizeof *ss->slots;
	unsigned shift = ss->cap ? ss->shift - 1 : 64 - 10;
	size_t want = ss->expect < ss->max ? ss->expect : ss->max;
	struct serial_slot *slots;

	/* at most half full with all of them in */
	while (cap <= 2 * want && cap < ((size_t)1 << 40)) {
		cap *= 2;
		shift--;
	}
	slots = table_map(cap * sizeof *slots);

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < ss->cap; i++) {
		if (ss->slots[i].h1) {
			for (k = ss->slots[i].h1 >> shift; slots[k].h1; k = (k + 1) & (cap - 1))
				;
			slots[k] = ss->slots[i];
		}
		if ((i + 1) % per_page == 0)
			madvise(ss->slots + i + 1 - per_page, TABLE_ALIGN, MADV_DONTNEED);
	}
	serial_free(ss);
	ss->slots = slots;
	ss->cap = cap;
	ss->shift = shift;
	return 0;
}

/* Adds a serial; returns 0 when new, the row it was first seen in (> 0) when not, -E2BIG past
 * the set's bound, -ENOMEM. */
static long serial_add(struct serial_set *ss, struct serial_key key, long row)
{
	size_t k, mask;
	int r;

	if (ss->count * 2 >= ss->cap && (r = serial_grow(ss)) < 0)
		return r;
	mask = ss->cap - 1;
	for (k = key.h1 >> ss->shift; ss->slots[k].h1; k = (k + 1) & mask)
		if (ss->slots[k].h1 == key.h1 && ss->slots[k].h2 == key.h2)
			return ss->slots[k].row;
	if (ss->count == ss->max)
		return -E2BIG;
	ss->slots[k] = (struct serial_slot){ key.h1, key.h2, (uint32_t)row };
	ss->count++;
	return 0;
}

/* ---- reporting ---- */

static const char *column_name(const struct respcsv *rc, size_t col)
{
	return col < rc->ncols ? rc->col_names + rc->col_name_off[col] : "";
}

/* Passes one fault to on_error, unless max_errors were reported already. */
static int report(struct respcsv *rc, long row, const char *column, const char *code,
	size_t index, size_t count, const struct csv_record *raw)
{
	struct respcsv_error e = { row, column, code, rc->msg, rc->msg_vi, index, count, raw };

	if (rc->opt.max_errors && rc->reported >= rc->opt.max_errors)
		return 0;
	rc->reported++;
	return rc->on_error ? rc->on_error(rc->userdata, &e) : 0;
}

/* Reports the faults collected in the answer set for this row. */
static int report_set(struct respcsv *rc, long row, const struct csv_record *raw)
{
	struct answer_set *s = &rc->set;
	size_t i;
	int r;

	rc->stats.errors += s->errors_total;
	for (i = 0; i < s->nerrors; i++) {
		const struct answer_error *e = &s->errors[i];

		answer_error_message(rc->f, e, false, rc->msg, sizeof rc->msg);
		answer_error_message(rc->f, e, true, rc->msg_vi, sizeof rc->msg_vi);
		if ((r = report(rc, row, e->field, answer_code_name(e->code), i, s->nerrors, raw)) < 0)
			return r;
	}
	return 0;
}

/* Reports a fault of the file (a CSV error, too many rows, no header). */
static int report_file(struct respcsv *rc, long row, const char *column, const char *code)
{
	rc->stats.errors++;
	return report(rc, row, column, code, 0, 1, NULL);
}

static const char *csv_message_vi(const char *code)
{
	if (!strcmp(code, "encoding") || !strcmp(code, "nul"))
		return "Tệp không phải là văn bản UTF-8; hãy lưu lại tệp dưới dạng CSV UTF-8.";
	if (!strcmp(code, "quote"))
		return "Dấu ngoặc kép trong tệp CSV không đúng quy cách (dấu ngoặc kép bên trong ô phải viết đôi \"\").";
	if (!strcmp(code, "field_too_long"))
		return "Một ô dữ liệu quá dài.";
	if (!strcmp(code, "too_many_fields"))
		return "Một dòng có quá nhiều cột.";
	if (!strcmp(code, "record_too_long"))
		return "Một dòng quá dài.";
	return "Không đọc được tệp.";
}

/* ---- the header ---- */

static struct answer_error *header_error(struct respcsv *rc, enum answer_code code, const char *name)
{
	return answer_error_add(&rc->set, code, -1, name, strlen(name));
}

static int on_header(struct respcsv *rc, const struct csv_record *rec)
{
	struct answer_error *e;
	size_t i, total = 0;
	int k;

	/* trailing empty names (a spreadsheet's leftover) are no columns */
	rc->ncols = rec->nfields;
	while (rc->ncols > 1 && rec->lens[rc->ncols - 1] == 0)
		rc->ncols--;
	for (i = 0; i < rc->ncols; i++)
		total += rec->lens[i] + 1;
	rc->col_kind = malloc(rc->ncols * sizeof *rc->col_kind);
	rc->col_slot = malloc(rc->ncols * sizeof *rc->col_slot);
	rc->col_name_off = malloc(rc->ncols * sizeof *rc->col_name_off);
	rc->col_names = malloc(total);
	if (!rc->col_kind || !rc->col_slot || !rc->col_name_off || !rc->col_names)
		return -ENOMEM;
	total = 0;
	for (i = 0; i < rc->ncols; i++) {
		memcpy(rc->col_names + total, rec->fields[i], rec->lens[i] + 1);
		rc->col_name_off[i] = total;
		total += rec->lens[i] + 1;
	}
	answer_set_reset(&rc->set);
	for (k = 0; k < FORM_NCOLS; k++)
		rc->design[k] = -1;
	for (i = 0; i < rc->ncols; i++) {
		const char *name = rec->fields[i];
		int col = form_design_column(name, rec->lens[i]), q = -1;
		size_t j;

		rc->col_kind[i] = COL_IGNORED;
		rc->col_slot[i] = rc->f->nslots;
		if (col < 0)
			q = form_question_index(rc->f, name);
		for (j = 0; j < i; j++)
			if (!strcmp(column_name(rc, j), name))
				break;
		if (rec->lens[i] == 0) {
			if ((e = header_error(rc, ANS_UNKNOWN_COLUMN, "")))
				e->value = (long long)i + 1;
		} else if (j < i)
			header_error(rc, ANS_DUPLICATE_COLUMN, name);
		else if (col >= 0) {
			rc->design[col] = (int)i;
			rc->col_kind[i] = col;
		} else if (q >= 0) {
			rc->col_kind[i] = COL_QUESTION + q;
			if (rc->f->questions[q].slot >= 0)
				rc->col_slot[i] = (size_t)rc->f->questions[q].slot;
		} else
			header_error(rc, ANS_UNKNOWN_COLUMN, name);
	}
	if (rc->design[FORM_COL_AGENCY] < 0 && (e = header_error(rc, ANS_MISSING_AGENCY, "agency")))
		e->value = 1;
	if (rc->opt.require_serial && rc->design[FORM_COL_SERIAL] < 0 &&
	    (e = header_error(rc, ANS_MISSING_SERIAL, "serial")))
		e->value = 1;
	rc->header_seen = true;
	rc->sep = csv_reader_separator(rc->csv);
	if (!rc->sep)
		rc->sep = ',';       /* records fed whole (respcsv_feed_record) */
	if (!rc->set.errors_total)
		return 0;
	if ((k = report_set(rc, 0, rec)) < 0)
		return k;
	return -EINVAL;
}

/* ---- a data row ---- */

/* The serial set is full (-E2BIG) or out of memory: a fault of the file. */
static int too_many_rows(struct respcsv *rc, long row, int r)
{
	if (r != -E2BIG)
		return r;
	snprintf(rc->msg, sizeof rc->msg, "more than %zu serials: the file is too large", rc->serials.max);
	snprintf(rc->msg_vi, sizeof rc->msg_vi, "Tệp có quá nhiều dòng (quá %zu số phiếu).", rc->serials.max);
	report_file(rc, row, "serial", "too_many_rows");
	return r;
}

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYYY-MM-DD, optionally followed by [T ]HH:MM[:SS[.fraction]][Z|+HH:MM|-HH:MM|+HHMM|+HH]. */
static bool iso_datetime_valid(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;
	size_t i;

	if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return false;
	y = num2(s) * 100 + num2(s + 2);
	m = num2(s + 5);
	d = num2(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	if (n == 10)
		return true;
	if ((s[10] != 'T' && s[10] != ' ') || n < 16 || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2))
		return false;
	if (num2(s + 11) > 23 || num2(s + 14) > 59)
		return false;
	i = 16;
	if (i < n && s[i] == ':') {
		if (n < i + 3 || !digits(s + i + 1, 2) || num2(s + i + 1) > 60)
			return false;
		i += 3;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			size_t k = ++i;

			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i == k || i - k > 9)
				return false;
		}
	}
	if (i == n)
		return true;
	if (s[i] == 'Z')
		return i + 1 == n;
	if (s[i] != '+' && s[i] != '-')
		return false;
	i++;
	if (n - i == 2 && digits(s + i, 2))
		return num2(s + i) <= 14;
	if (n - i == 4 && digits(s + i, 4))
		return num2(s + i) <= 14 && num2(s + i + 2) <= 59;
	if (n - i == 5 && digits(s + i, 2) && s[i + 2] == ':' && digits(s + i + 3, 2))
		return num2(s + i) <= 14 && num2(s + i + 3) <= 59;
	return false;
}

static struct answer_error *design_error(struct respcsv *rc, enum answer_code code, int col,
	const char *text, size_t n)
{
	struct answer_error *e = answer_error_add(&rc->set, code, -1, form_design_column_name(col),
		strlen(form_design_column_name(col)));

	if (e && text)
		answer_error_text(e, text, n);
	return e;
}

/* Before the serial set grows: how many serials the whole input holds, from the bytes per row so
 * far (known where the reader says how much of the chunk is left). */
static void serial_expect(struct respcsv *rc, const struct csv_record *rec)
{
	struct serial_set *ss = &rc->serials;
	unsigned long long used;

	ss->expect = 0;
	if (ss->count * 2 < ss->cap || !rc->opt.input_bytes || !rec->ahead || rc->stats.rows < 256)
		return;
	used = rc->fed - rec->ahead_len;
	if (used && used <= rc->opt.input_bytes)
		ss->expect = (size_t)((double)rc->opt.input_bytes / (double)used * (double)rc->stats.rows);
}

/* Starts loading the slot of the next row's serial, read ahead in the input after this row: by
 * the time that row is checked the load is done, where this row's own prefetch comes too late
 * to hide a miss to memory. A guess: a quoted cell, spaces or a quoted line break only waste the
 * load. */
static void prefetch_next_serial(struct respcsv *rc, const char *p, size_t n, int scol)
{
	const char *end = p + n, *f = p, *q;
	const char sep = rc->sep;
	int col = 0;

	while (col < scol && f < end && *f != '\n')
		if (*f++ == sep)
			col++;
	if (col < scol)
		return;
	for (q = f; q < end && *q != sep && *q != '\n' && *q != '\r'; q++)
		;
	if (q < end && q > f && q - f <= RESPCSV_MAX_VALUE)
		serial_prefetch(&rc->serials, serial_hash(f, (size_t)(q - f)));
}

static int on_data(struct respcsv *rc, const struct csv_record *rec)
{
	const char *cell[FORM_NCOLS] = { NULL };
	size_t len[FORM_NCOLS] = { 0 };
	struct respcsv_row row;
	struct answer_error *e;
	size_t i, n = rec->nfields < rc->ncols ? rec->nfields : rc->ncols;
	struct serial_key skey = { 0, 0 };
	int scol = rc->design[FORM_COL_SERIAL];
	int16_t *codes = rc->codes;
	bool slow = false;
	long first;
	int r;

	/* a row of empty cells (a spreadsheet's leftover) is no row */
	for (i = 0; i < rec->nfields && rec->lens[i] == 0; i++)
		;
	if (i == rec->nfields)
		return 0;
	rc->stats.rows++;
	if (scol >= 0 && (size_t)scol < n && rec->lens[scol] && rec->lens[scol] <= RESPCSV_MAX_VALUE)
		skey = serial_hash(rec->fields[scol], rec->lens[scol]);
	if (scol >= 0 && rec->ahead)
		prefetch_next_serial(rc, rec->ahead, rec->ahead_len, scol);
	/* The answers. A question has one column at most and a question without one stays blank,
	 * so each row resets only its columns' answers; their codes are written on the way, and
	 * only a cell that needs answer_from_string needs answer_fill_codes afterwards. The common
	 * cell, a one-digit code of a scale or single question, is taken here. */
	answer_set_reset_errors(&rc->set);
	{
		/* in locals: the byte-sized state stores could alias anything in memory */
		const int *col_kind = rc->col_kind;
		const size_t *col_slot = rc->col_slot, *lens = rec->lens;
		const char *const *fields = rec->fields;
		struct answer_value *vals = rc->set.v;
		const uint64_t *small = rc->set.small;

		for (i = 0; i < n; i++) {
			int kind = col_kind[i];
			size_t cl = lens[i];

			if (kind >= COL_QUESTION) {
				size_t q = (size_t)(kind - COL_QUESTION);
				struct answer_value *v = &vals[q];
				unsigned c = (unsigned char)fields[i][0] - (unsigned)'0';

				v->nmulti = 0;
				if (cl == 1 && c < 10 && (small[q] >> c & 1)) {
					v->state = ANSV_SET;
					v->code = (int16_t)c;
					codes[col_slot[i]] = (int16_t)c;
					continue;
				}
				v->state = ANSV_BLANK;
				codes[col_slot[i]] = FORM_NO_ANSWER;
				if (cl) {
					answer_from_string(&rc->set, q, fields[i], cl);
					slow = true;
				}
			} else if (kind >= 0 && cl) {
				cell[kind] = fields[i];
				len[kind] = cl;
			}
		}
	}
	/* a short row: the answers of the columns it lacks are blank */
	for (i = n; i < rc->ncols; i++)
		if (rc->col_kind[i] >= COL_QUESTION) {
			struct answer_value *v = &rc->set.v[rc->col_kind[i] - COL_QUESTION];

			v->state = ANSV_BLANK;
			v->nmulti = 0;
			codes[rc->col_slot[i]] = FORM_NO_ANSWER;
		}
	for (i = n; i < rec->nfields; i++)
		if (rec->lens[i]) {
			if ((e = answer_error_add(&rc->set, ANS_EXTRA_CELLS, -1, "", 0)))
				e->value = (long long)rc->ncols;
			break;
		}

	/* every member, without a memset (a string instruction, slow to start for so few bytes) */
	row.row = rec->row;
	row.serial = NULL;
	row.weight = NAN;
	row.fpc = NAN;
	row.codes = rc->codes;
	row.answers_json = NULL;
	row.answers_json_len = 0;

	/* serial: unique within the file */
	if (cell[FORM_COL_SERIAL]) {
		row.serial = cell[FORM_COL_SERIAL];
		if (len[FORM_COL_SERIAL] > RESPCSV_MAX_VALUE) {
			if ((e = design_error(rc, ANS_INVALID_SERIAL, FORM_COL_SERIAL, row.serial, len[FORM_COL_SERIAL])))
				e->value = RESPCSV_MAX_VALUE;
		} else {
			serial_expect(rc, rec);
			if ((first = serial_add(&rc->serials, skey, rec->row)) < 0)
				return too_many_rows(rc, rec->row, (int)first);
			if (first > 0 && (e = design_error(rc, ANS_DUPLICATE_SERIAL, FORM_COL_SERIAL, row.serial,
					len[FORM_COL_SERIAL])))
				e->value = first + rc->opt.row_offset;
		}
	} else if (rc->opt.require_serial)
		design_error(rc, ANS_MISSING_SERIAL, FORM_COL_SERIAL, NULL, 0);

	row.agency = cell[FORM_COL_AGENCY];
	if (!row.agency)
		design_error(rc, ANS_MISSING_AGENCY, FORM_COL_AGENCY, NULL, 0);
	else if (!answer_agency_valid(row.agency, len[FORM_COL_AGENCY]))
		design_error(rc, ANS_INVALID_AGENCY, FORM_COL_AGENCY, row.agency, len[FORM_COL_AGENCY]);

	row.channel = rc->opt.default_channel;
	if (cell[FORM_COL_CHANNEL]) {
		int ch = form_channel_find(cell[FORM_COL_CHANNEL]);

		row.channel = ch < 0 ? NULL : form_channels[ch].code;
		if (!row.channel)
			design_error(rc, ANS_INVALID_CHANNEL, FORM_COL_CHANNEL, cell[FORM_COL_CHANNEL],
				len[FORM_COL_CHANNEL]);
	}

	row.stratum = cell[FORM_COL_STRATUM] ? cell[FORM_COL_STRATUM] : row.agency;
	if (len[FORM_COL_STRATUM] > RESPCSV_MAX_VALUE &&
	    (e = design_error(rc, ANS_INVALID_STRATUM, FORM_COL_STRATUM, row.stratum, len[FORM_COL_STRATUM])))
		e->value = RESPCSV_MAX_VALUE;
	row.psu = cell[FORM_COL_PSU];
	if (len[FORM_COL_PSU] > RESPCSV_MAX_VALUE &&
	    (e = design_error(rc, ANS_INVALID_PSU, FORM_COL_PSU, row.psu, len[FORM_COL_PSU])))
		e->value = RESPCSV_MAX_VALUE;

	if (cell[FORM_COL_WEIGHT] &&
	    (!answer_parse_number(cell[FORM_COL_WEIGHT], len[FORM_COL_WEIGHT], &row.weight) || !(row.weight > 0)))
		design_error(rc, ANS_INVALID_WEIGHT, FORM_COL_WEIGHT, cell[FORM_COL_WEIGHT], len[FORM_COL_WEIGHT]);
	if (cell[FORM_COL_FPC] &&
	    (!answer_parse_number(cell[FORM_COL_FPC], len[FORM_COL_FPC], &row.fpc) || !(row.fpc >= 1)))
		design_error(rc, ANS_INVALID_FPC, FORM_COL_FPC, cell[FORM_COL_FPC], len[FORM_COL_FPC]);
	row.submitted_at = cell[FORM_COL_SUBMITTED_AT];
	if (row.submitted_at && !iso_datetime_valid(row.submitted_at, len[FORM_COL_SUBMITTED_AT]))
		design_error(rc, ANS_INVALID_DATE, FORM_COL_SUBMITTED_AT, row.submitted_at,
			len[FORM_COL_SUBMITTED_AT]);

	answer_check_rules(&rc->set);
	if (rc->set.errors_total) {
		rc->stats.invalid++;
		return report_set(rc, rec->row, rec);
	}
	if (slow)
		answer_fill_codes(&rc->set, rc->codes);
	if (rc->opt.want_json) {
		strbuf_reset(&rc->json);
		if ((r = answer_write_json(&rc->set, rc->opt.json_uncoded, &rc->json)) < 0)
			return r;
		if (!rc->opt.json_uncoded || rc->json.len > 2) {
			row.answers_json = strbuf_str(&rc->json);
			row.answers_json_len = rc->json.len;
		}
	}
	rc->stats.valid++;
	return rc->on_row ? rc->on_row(rc->userdata, &row) : 0;
}

static int on_record(void *userdata, const struct csv_record *rec)
{
	struct respcsv *rc = userdata;
	int r;

	r = rec->row == 0 ? on_header(rc, rec) : on_data(rc, rec);
	if (r < 0)
		rc->status = r;
	return r;
}

/* ---- the reader ---- */

struct respcsv *respcsv_new(const struct form *f, const struct respcsv_options *opt,
	respcsv_row_fn on_row, respcsv_error_fn on_error, void *userdata)
{
	struct respcsv *rc = calloc(1, sizeof *rc);
	size_t k;
	int ch;

	if (!rc)
		return NULL;
	if (opt)
		rc->opt = *opt;
	ch = rc->opt.default_channel ? form_channel_find(rc->opt.default_channel) : FORM_CHANNEL_DEFAULT;
	if (ch < 0)
		goto fail;
	rc->opt.default_channel = form_channels[ch].code;
	rc->serials.max = rc->opt.max_serials ? rc->opt.max_serials : RESPCSV_MAX_SERIALS;
	rc->f = f;
	rc->on_row = on_row;
	rc->on_error = on_error;
	rc->userdata = userdata;
	strbuf_init(&rc->json, 0);
	/* one more: the scratch slot of columns whose question has none */
	rc->codes = calloc(f->nslots + 1, sizeof *rc->codes);
	rc->csv = csv_reader_new(&rc->opt.csv, on_record, rc);
	/* one fault per question at most, plus the design columns and a few of the row */
	/* the slots of questions without a column stay blank */
	for (k = 0; rc->codes && k <= f->nslots; k++)
		rc->codes[k] = FORM_NO_ANSWER;
	if (!rc->codes || !rc->csv ||
	    answer_set_init(&rc->set, f, f->nquestions + FORM_NCOLS + 4 +
		(rc->opt.csv.max_fields ? rc->opt.csv.max_fields : CSV_DEFAULT_FIELDS)) < 0)
		goto fail;
	return rc;
fail:
	respcsv_free(rc);
	return NULL;
}

void respcsv_free(struct respcsv *rc)
{
	if (!rc)
		return;
	csv_reader_free(rc->csv);
	answer_set_done(&rc->set);
	strbuf_done(&rc->json);
	free(rc->codes);
	free(rc->col_kind);
	free(rc->col_slot);
	free(rc->col_names);
	free(rc->col_name_off);
	serial_free(&rc->serials);
	free(rc);
}

/* After the CSV reader stopped: reports its fault unless one of ours stopped it. */
static int csv_failed(struct respcsv *rc, int r)
{
	const struct csv_error *e = csv_reader_error(rc->csv);

	if (rc->status)
		return rc->status;
	rc->status = r;
	if (e) {
		snprintf(rc->msg, sizeof rc->msg, "%s", e->message);
		snprintf(rc->msg_vi, sizeof rc->msg_vi, "%s", csv_message_vi(e->code));
		report_file(rc, e->row, e->column && e->column <= rc->ncols ? column_name(rc, e->column - 1) : "",
			e->code);
	}
	return r;
}

int respcsv_feed(struct respcsv *rc, const void *buf, size_t len)
{
	int r;

	if (rc->status)
		return rc->status;
	rc->fed += len;
	r = csv_reader_feed(rc->csv, buf, len);
	return r < 0 ? csv_failed(rc, r) : 0;
}

int respcsv_feed_record(struct respcsv *rc, const struct csv_record *rec)
{
	if (rc->status)
		return rc->status;
	if (rec->row != 0 && !rc->header_seen)
		return -EINVAL;
	return on_record(rc, rec);
}

int respcsv_finish(struct respcsv *rc)
{
	int r;

	if (rc->status)
		return rc->status;
	r = csv_reader_finish(rc->csv);
	if (r < 0)
		return csv_failed(rc, r);
	if (!rc->header_seen) {
		snprintf(rc->msg, sizeof rc->msg, "the file is empty: it has no header row");
		snprintf(rc->msg_vi, sizeof rc->msg_vi, "Tệp trống: không có dòng tiêu đề.");
		report_file(rc, 0, "", "empty_file");
		return rc->status = -EINVAL;
	}
	return 0;
}

void respcsv_get_stats(const struct respcsv *rc, struct respcsv_stats *out)
{
	*out = rc->stats;
}

int respcsv_write_header(struct strbuf *sb, const struct form *f, char sep)
{
	size_t i;
	int r = 0;

	for (i = 0; i < FORM_NCOLS && r >= 0; i++) {
		if (i)
			r = strbuf_putc(sb, sep);
		if (r >= 0)
			r = strbuf_puts(sb, form_design_column_name((int)i));
	}
	for (i = 0; i < f->nquestions && r >= 0; i++) {
		r = strbuf_putc(sb, sep);
		if (r >= 0)
			r = csv_write_field(sb, f->questions[i].id, strlen(f->questions[i].id), sep);
	}
	if (r >= 0)
		r = strbuf_puts(sb, "\r\n");
	return r;
}
