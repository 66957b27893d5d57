/* csv.c - a streaming push parser for RFC 4180 CSV with bounded memory. */
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#if defined(__SSE2__) && !defined(CSV_PORTABLE)
#include <emmintrin.h>
#endif

/* bytes of slack after the record buffer: the record fast path stores whole blocks */
#define CSV_SLACK 40

enum csv_state {
	ST_START,      /* at the start of a cell (skipping leading spaces) */
	ST_UNQUOTED,   /* in an unquoted cell */
	ST_QUOTED,     /* in a quoted cell */
	ST_QUOTE,      /* a quote inside a quoted cell: an escaped quote or the closing one */
	ST_AFTER,      /* after the closing quote: only spaces until the separator or line end */
};

enum csv_class {
	CL_PLAIN,      /* the first three continue an unquoted cell */
	CL_SPACE,
	CL_QUOTE,
	CL_SEP,
	CL_CR,
	CL_LF,
	CL_NUL,
};

struct csv_reader {
	struct csv_limits lim;
	csv_record_fn fn;
	void *userdata;
	unsigned char cls[256];
	char sep;

	/* until the header line is complete, the bytes wait here (to pick the separator) */
	struct strbuf pending;
	size_t pscan;             /* bytes of pending scanned for the header's end */
	bool pquoted;             /* the scan is inside quotes */

	/* the record being read: cells NUL-terminated one after another in buf, which the limits
	 * bound (max_record_bytes + max_fields + 1 bytes and CSV_SLACK more, allocated once) */
	char *buf;
	size_t len;
	const char **ptrs;        /* the cells (buf never moves) */
	size_t *lens;
	size_t nfields;
	size_t field_start;
	bool field_quoted;
	unsigned char field_high;   /* OR of the cell's bytes: >= 0x80 means UTF-8 to check */
	bool first_quoted;        /* the record's first cell was quoted (so it is not a blank line) */
	bool try_fast;            /* at a record's start, not yet offered to the fast path */

	enum csv_state state;
	bool skip_lf;             /* a CR ended the last record: a following LF belongs to it */
	bool header_done;
	long row;                 /* of the record being read */
	long line;                /* current line */
	long rec_line;            /* line the record started on */
	long field_line;          /* line the cell started on */

	int status;               /* 0, or the negative value that stopped the reader */
	struct csv_error err;
};

static int fail(struct csv_reader *r, int status, const char *code, size_t column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(struct csv_reader *r, int status, const char *code, size_t column, const char *fmt, ...)
{
	va_list ap;
	int n;

	r->status = status;
	r->err.code = code;
	r->err.row = r->row;
	/* the line a cell or a record starts on: the same however the input was chunked */
	r->err.line = column ? r->field_line : r->rec_line;
	r->err.column = column;
	if (r->header_done)
		n = snprintf(r->err.message, sizeof r->err.message, "row %ld", r->row);
	else
		n = snprintf(r->err.message, sizeof r->err.message, "header row");
	if (column)
		n += snprintf(r->err.message + n, sizeof r->err.message - (size_t)n, ", column %zu", column);
	n += snprintf(r->err.message + n, sizeof r->err.message - (size_t)n, ": ");
	va_start(ap, fmt);
	vsnprintf(r->err.message + n, sizeof r->err.message - (size_t)n, fmt, ap);
	va_end(ap);
	return status;
}

struct csv_reader *csv_reader_new(const struct csv_limits *limits, csv_record_fn fn, void *userdata)
{
	struct csv_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	if (limits)
		r->lim = *limits;
	if (!r->lim.max_field_bytes)
		r->lim.max_field_bytes = CSV_DEFAULT_FIELD_BYTES;
	if (!r->lim.max_fields)
		r->lim.max_fields = CSV_DEFAULT_FIELDS;
	if (!r->lim.max_record_bytes)
		r->lim.max_record_bytes = CSV_DEFAULT_RECORD_BYTES;
	r->fn = fn;
	r->userdata = userdata;
	r->buf = malloc(r->lim.max_record_bytes + r->lim.max_fields + 1 + CSV_SLACK);
	r->lens = malloc(r->lim.max_fields * sizeof *r->lens);
	r->ptrs = malloc(r->lim.max_fields * sizeof *r->ptrs);
	if (!r->buf || !r->lens || !r->ptrs) {
		csv_reader_free(r);
		return NULL;
	}
	strbuf_init(&r->pending, r->lim.max_record_bytes + 3);
	r->line = 1;
	r->rec_line = 1;
	r->try_fast = true;
	return r;
}

void csv_reader_free(struct csv_reader *r)
{
	if (!r)
		return;
	strbuf_done(&r->pending);
	free(r->buf);
	free(r->lens);
	free(r->ptrs);
	free(r);
}

const struct csv_error *csv_reader_error(const struct csv_reader *r)
{
	return r->status ? &r->err : NULL;
}

char csv_reader_separator(const struct csv_reader *r)
{
	return r->sep;
}

static void set_separator(struct csv_reader *r, char sep)
{
	r->sep = sep;
	memset(r->cls, CL_PLAIN, sizeof r->cls);
	r->cls[' '] = CL_SPACE;
	r->cls['\t'] = CL_SPACE;
	r->cls['"'] = CL_QUOTE;
	r->cls['\r'] = CL_CR;
	r->cls['\n'] = CL_LF;
	r->cls[0] = CL_NUL;
	r->cls[(unsigned char)sep] = CL_SEP;
}

/* Appends n bytes of the current cell. */
static inline int put(struct csv_reader *r, const char *s, size_t n)
{
	/* the room left in the cell and in the row (len counts the NUL ending each earlier cell);
	 * both stay within their limits, so neither wraps */
	size_t field_room = r->lim.max_field_bytes - (r->len - r->field_start);
	size_t record_room = r->lim.max_record_bytes - (r->len - r->nfields);

	/* When n crosses both limits, the error names the one the bytes reach first, as they
	 * would arriving one at a time: the same error whatever the chunking of the input. */
	if (n > field_room && field_room <= record_room)
		return fail(r, -E2BIG, "field_too_long", r->nfields + 1,
			"a cell is longer than %zu bytes", r->lim.max_field_bytes);
	if (n > record_room)
		return fail(r, -E2BIG, "record_too_long", 0,
			"the row is longer than %zu bytes", r->lim.max_record_bytes);
	if (n <= 8) {
		/* most cells of a large file are a code or two: no call for those */
		char *d = r->buf + r->len;

		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else
		memcpy(r->buf + r->len, s, n);
	r->len += n;
	return 0;
}

static inline int end_field(struct csv_reader *r)
{
	size_t flen, bad;

	if (r->nfields == r->lim.max_fields)
		return fail(r, -E2BIG, "too_many_fields", r->nfields + 1,
			"the row has more than %zu cells", r->lim.max_fields);
	if (!r->field_quoted)
		while (r->len > r->field_start && (r->buf[r->len - 1] == ' ' || r->buf[r->len - 1] == '\t'))
			r->len--;
	flen = r->len - r->field_start;
	if (r->field_high & 0x80) {
		bad = utf8_valid_prefix(r->buf + r->field_start, flen);
		if (bad < flen)
			return fail(r, -EINVAL, "encoding", r->nfields + 1,
				"the file is not UTF-8; save it as CSV UTF-8 (byte 0x%02x is invalid)",
				(unsigned char)r->buf[r->field_start + bad]);
	}
	r->buf[r->len++] = '\0';
	if (r->nfields == 0)
		r->first_quoted = r->field_quoted;
	r->ptrs[r->nfields] = r->buf + r->field_start;
	r->lens[r->nfields] = flen;
	r->nfields++;
	r->field_start = r->len;
	r->field_quoted = false;
	r->field_high = 0;
	r->state = ST_START;
	return 0;
}

/* Delivers the record whose cells are complete in buf; [ahead, end) is the input that follows
 * it, when known. */
static int emit_record(struct csv_reader *r, const unsigned char *ahead, const unsigned char *end)
{
	struct csv_record rec;
	int ret;

	if (r->nfields == 1 && r->lens[0] == 0 && !r->first_quoted) {
		/* an empty line: skipped, but counted once the header is read */
		if (r->header_done)
			r->row++;
		goto out;
	}
	rec.row = r->row;
	rec.line = r->rec_line;
	rec.nfields = r->nfields;
	rec.fields = r->ptrs;
	rec.lens = r->lens;
	rec.ahead = (const char *)ahead;
	rec.ahead_len = ahead ? (size_t)(end - ahead) : 0;
	ret = r->fn ? r->fn(r->userdata, &rec) : 0;
	if (ret < 0)
		return fail(r, ret, "stopped", 0, "stopped");
	r->header_done = true;
	r->row++;
out:
	r->nfields = 0;
	r->len = 0;
	r->field_start = 0;
	r->try_fast = true;
	return 0;
}

static int end_record(struct csv_reader *r)
{
	int ret;

	if ((ret = end_field(r)) < 0)
		return ret;
	return emit_record(r, NULL, NULL);
}

static int nul_error(struct csv_reader *r)
{
	return fail(r, -EINVAL, "nul", r->nfields + 1,
		"the file contains a NUL byte, so it is not UTF-8 text; save it as CSV UTF-8");
}

/* The fast path for the bulk of a large file: takes cells of plain ASCII ended by the separator
 * (no quotes around, no spaces to trim, within the limits) with no per-byte state; returns
 * where a cell that needs the state machine starts. */
static const unsigned char *simple_cells(struct csv_reader *r, const unsigned char *p,
	const unsigned char *end)
{
	/* locals, not r's members: the byte copies below may alias anything */
	const unsigned char *cls = r->cls;
	char *buf = r->buf;
	const char **ptrs = r->ptrs;
	size_t *lens = r->lens;
	size_t len = r->len, nfields = r->nfields;
	const size_t max_field = r->lim.max_field_bytes, max_fields = r->lim.max_fields;
	const size_t max_record = r->lim.max_record_bytes;

	if (nfields == 0 && p < end && cls[*p] == CL_PLAIN)
		r->first_quoted = false;
	while (p < end && cls[*p] == CL_PLAIN) {
		const unsigned char *q = p;
		unsigned char high = 0;
		size_t n;

		while (q < end && cls[*q] < CL_SEP)
			high |= *q++;
		n = (size_t)(q - p);
		if (q == end || cls[*q] != CL_SEP || (high & 0x80) || q[-1] == ' ' || q[-1] == '\t' ||
		    n > max_field || len - nfields + n > max_record || nfields == max_fields)
			break;
		/* a fixed-size copy compiles to one move; the buffer has 8 bytes of slack */
		if (n <= 8 && end - p >= 8)
			memcpy(buf + len, p, 8);
		else
			memcpy(buf + len, p, n);
		buf[len + n] = '\0';
		ptrs[nfields] = buf + len;
		lens[nfields] = n;
		nfields++;
		len += n + 1;
		p = q + 1;
	}
	r->len = len;
	r->field_start = len;
	r->nfields = nfields;
	return p;
}

/* ---- the record fast path ----
 * Most records of a large file are plain: cells without quotes, a line end of LF or CRLF, the
 * whole record in the chunk. They are scanned a block at a time (16 bytes with SSE2, else 8 in
 * a 64-bit word), which gives bit masks of the line ends, separators and bytes that need the
 * state machine; the block is copied into buf as it is scanned and the separators become the
 * cells' NULs. A record that is not plain, or that meets a limit, is left to the state machine,
 * which reads it from its first byte as if the fast path did not exist. */

#if defined(__SSE2__) && !defined(CSV_PORTABLE)

#define BLOCK      16
#define MASK_SHIFT 0       /* byte j of a block is bit (j << MASK_SHIFT) + MASK_TOP of a mask */
#define MASK_TOP   0

struct scan_consts {
	__m128i nl, sep, quote, cr, zero, space, tab;
};

static inline void scan_init(struct scan_consts *k, char sep)
{
	k->nl = _mm_set1_epi8('\n');
	k->sep = _mm_set1_epi8(sep);
	k->quote = _mm_set1_epi8('"');
	k->cr = _mm_set1_epi8('\r');
	k->zero = _mm_setzero_si128();
	k->space = _mm_set1_epi8(' ');
	k->tab = _mm_set1_epi8('\t');
}

/* Masks of block p: line ends, separators, quotes/CRs/NULs, spaces/tabs, bytes >= 0x80; copies
 * the block to dst. */
static inline void scan_block(const struct scan_consts *k, const unsigned char *p, char *dst,
	uint64_t *nl, uint64_t *sep, uint64_t *special, uint64_t *blank, uint64_t *high)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i sp = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, k->quote), _mm_cmpeq_epi8(x, k->cr)),
		_mm_cmpeq_epi8(x, k->zero));
	__m128i bl = _mm_or_si128(_mm_cmpeq_epi8(x, k->space), _mm_cmpeq_epi8(x, k->tab));

	_mm_storeu_si128((__m128i *)(void *)dst, x);
	*nl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, k->nl));
	*sep = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, k->sep));
	*special = (unsigned)_mm_movemask_epi8(sp);
	*blank = (unsigned)_mm_movemask_epi8(bl);
	*high = (unsigned)_mm_movemask_epi8(x);
}

#else

#define BLOCK      8
#define MASK_SHIFT 3
#define MASK_TOP   7

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

struct scan_consts {
	uint64_t sep;
};

static inline void scan_init(struct scan_consts *k, char sep)
{
	k->sep = ONES * (unsigned char)sep;
}

/* 0x80 in each byte of x that is zero, exactly (no borrow between bytes). */
static inline uint64_t zero_bytes(uint64_t x)
{
	uint64_t t = (x & ~HIGHS) + ~HIGHS;

	return ~(t | x | ~HIGHS);
}

static inline void scan_block(const struct scan_consts *k, const unsigned char *p, char *dst,
	uint64_t *nl, uint64_t *sep, uint64_t *special, uint64_t *blank, uint64_t *high)
{
	uint64_t x;

	memcpy(&x, p, 8);
	memcpy(dst, &x, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);    /* byte j at bits 8j..8j+7, as the masks count */
#endif
	*nl = zero_bytes(x ^ (ONES * '\n'));
	*sep = zero_bytes(x ^ k->sep);
	*special = zero_bytes(x ^ (ONES * '"')) | zero_bytes(x ^ (ONES * '\r')) | zero_bytes(x);
	*blank = zero_bytes(x ^ (ONES * ' ')) | zero_bytes(x ^ (ONES * '\t'));
	*high = x & HIGHS;
}

#endif

/* The mask bit of byte j, and the bits of the bytes before j (j < BLOCK). */
#define MASK_BIT(j)   ((uint64_t)1 << (((j) << MASK_SHIFT) + MASK_TOP))
#define MASK_BELOW(j) (((uint64_t)1 << ((j) << MASK_SHIFT)) - 1)
#define MASK_POS(m)   ((size_t)__builtin_ctzll(m) >> MASK_SHIFT)

static inline bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Takes one plain record starting at p (the start of a record); returns the byte after its line
 * end, or NULL when it is not plain (nothing of the reader changed but scratch). */
static inline const unsigned char *simple_record(struct csv_reader *r, const struct scan_consts *k,
	const unsigned char *p, const unsigned char *end)
{
	char *buf = r->buf;
	const char **ptrs = r->ptrs;
	size_t *lens = r->lens;
	const size_t max_field = r->lim.max_field_bytes, max_fields = r->lim.max_fields;
	const size_t max_record = r->lim.max_record_bytes;
	const size_t avail = (size_t)(end - p);
	size_t off = 0, cell = 0, nf = 0, n = 0, lf = 0, i;
	uint64_t nl, sep, special, blank, hi, high = 0, blanks = 0;

	for (;;) {
		/* off <= max_record: the block fits the buffer's slack */
		if (avail - off < BLOCK || off > max_record)
			return NULL;
		scan_block(k, p + off, buf + off, &nl, &sep, &special, &blank, &hi);
		if (nl) {
			size_t at = MASK_POS(nl);

			lf = off + at;
			n = lf;
			sep &= MASK_BELOW(at);
			special &= MASK_BELOW(at);
			blank &= MASK_BELOW(at);
			hi &= MASK_BELOW(at);
			if (special) {
				/* only a CR right before the LF */
				if (at == 0 || special != MASK_BIT(at - 1) || p[lf - 1] != '\r')
					return NULL;
				n--;
			}
		} else if (special)
			return NULL;
		high |= hi;
		blanks |= blank;
		while (sep) {
			size_t s = off + MASK_POS(sep);

			if (nf == max_fields)
				return NULL;
			sep &= sep - 1;
			buf[s] = '\0';
			ptrs[nf] = buf + cell;
			lens[nf] = s - cell;
			nf++;
			cell = s + 1;
		}
		if (nl)
			break;
		off += BLOCK;
	}
	/* an empty line is the state machine's (it counts it, or skips it) */
	if (n == 0 || n > max_record || nf == max_fields)
		return NULL;
	buf[n] = '\0';
	ptrs[nf] = buf + cell;
	lens[nf] = n - cell;
	nf++;
	/* cells to trim or too long: rare, checked only when the record could have them */
	if (blanks || n > max_field)
		for (i = 0; i < nf; i++) {
			const char *c = ptrs[i];
			size_t len = lens[i];

			if (len > max_field || (len && (is_blank((unsigned char)c[0]) || is_blank((unsigned char)c[len - 1]))))
				return NULL;
		}
	if (high && utf8_valid_prefix((const char *)p, n) != n)
		return NULL;
	r->nfields = nf;
	r->len = n + 1;
	r->field_start = n + 1;
	r->first_quoted = false;
	return p + lf + 1;
}

/* Takes the plain records from p on; returns where the first other one starts (p when none
 * was taken) with *ret set to 0 or the callback's negative value. */
static const unsigned char *simple_records(struct csv_reader *r, const unsigned char *p,
	const unsigned char *end, int *ret)
{
	struct scan_consts k;
	const unsigned char *q;

	scan_init(&k, r->sep);
	*ret = 0;
	while ((q = simple_record(r, &k, p, end)) != NULL) {
		r->rec_line = r->line;
		*ret = emit_record(r, q, end);
		r->line++;
		p = q;
		if (*ret < 0)
			break;
	}
	return p;
}

/* The state machine, on bytes once the separator is known. */
static int parse(struct csv_reader *r, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;
	unsigned char high = 0;
	int ret = 0;

	while (p < end) {
		const unsigned char *run;
		unsigned char c = *p;

		if (r->skip_lf) {
			r->skip_lf = false;
			if (c == '\n') {
				p++;
				continue;
			}
		}
		switch (r->state) {
		case ST_START:
			if (r->try_fast) {
				/* at a record's first byte: the fast path takes the plain records, the
				 * first other one is read on from its first byte below */
				r->try_fast = false;
				p = simple_records(r, p, end, &ret);
				if (ret < 0)
					return ret;
				continue;
			}
			if (r->nfields == 0 && r->len == 0)
				r->rec_line = r->line;
			if (r->cls[c] != CL_SPACE)
				r->field_line = r->line;
			switch (r->cls[c]) {
			case CL_SPACE:
				p++;
				continue;
			case CL_QUOTE:
				r->state = ST_QUOTED;
				r->field_quoted = true;
				p++;
				continue;
			case CL_SEP:
				ret = end_field(r);
				p++;
				break;
			case CL_CR:
				r->skip_lf = true;
				/* fall through */
			case CL_LF:
				ret = end_record(r);
				r->line++;
				p++;
				break;
			case CL_NUL:
				return nul_error(r);
			default:
				p = simple_cells(r, p, end);
				if (p == end || r->cls[*p] != CL_PLAIN)
					continue;
				r->state = ST_UNQUOTED;
				goto unquoted;
			}
			break;
		case ST_UNQUOTED:
unquoted:
			run = p;
			while (p < end && r->cls[*p] < CL_SEP)
				high |= *p++;
			r->field_high |= high;
			high = 0;
			if (p > run && (ret = put(r, (const char *)run, (size_t)(p - run))) < 0)
				return ret;
			if (p == end)
				return 0;
			switch (r->cls[*p]) {
			case CL_SEP:
				ret = end_field(r);
				break;
			case CL_CR:
				r->skip_lf = true;
				/* fall through */
			case CL_LF:
				ret = end_record(r);
				r->line++;
				break;
			default:
				return nul_error(r);
			}
			p++;
			break;
		case ST_QUOTED:
			run = p;
			while (p < end && r->cls[*p] != CL_QUOTE && r->cls[*p] != CL_NUL) {
				if (*p == '\n')
					r->line++;
				high |= *p++;
			}
			r->field_high |= high;
			high = 0;
			if (p > run && (ret = put(r, (const char *)run, (size_t)(p - run))) < 0)
				return ret;
			if (p == end)
				return 0;
			if (r->cls[*p] == CL_NUL)
				return nul_error(r);
			r->state = ST_QUOTE;
			p++;
			break;
		case ST_QUOTE:
			switch (r->cls[c]) {
			case CL_QUOTE:
				ret = put(r, "\"", 1);
				r->state = ST_QUOTED;
				p++;
				break;
			case CL_SPACE:
				r->state = ST_AFTER;
				p++;
				break;
			default:
				r->state = ST_AFTER;
				break;
			}
			break;
		case ST_AFTER:
			switch (r->cls[c]) {
			case CL_SPACE:
				break;
			case CL_SEP:
				ret = end_field(r);
				break;
			case CL_CR:
				r->skip_lf = true;
				/* fall through */
			case CL_LF:
				ret = end_record(r);
				r->line++;
				break;
			case CL_NUL:
				return nul_error(r);
			default:
				return fail(r, -EINVAL, "quote", r->nfields + 1,
					"text after a closing quote; a quote inside a quoted cell must be doubled (\"\")");
			}
			p++;
			break;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Picks the separator from the header line held in pending[0..end) and parses what waits. */
static int start(struct csv_reader *r, size_t end)
{
	const char *s = r->pending.buf;
	bool quoted = false, semicolon = false, comma = false;
	size_t i, skip = 0;
	int ret;

	for (i = 0; i < end; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == ';')
			semicolon = true;
		else if (!quoted && s[i] == ',')
			comma = true;
	}
	set_separator(r, semicolon && !comma ? ';' : ',');
	if (r->pending.len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		skip = 3;
	/* pending holds no buffer at all when the input was empty */
	ret = r->pending.len > skip ? parse(r, (const unsigned char *)s + skip, r->pending.len - skip) : 0;
	strbuf_done(&r->pending);
	return ret;
}

/* Before the separator is known: buffers input until the header line ends. */
static int feed_header(struct csv_reader *r, const char *buf, size_t len, size_t *used)
{
	struct strbuf *pb = &r->pending;
	size_t i, take = len;
	int ret;

	/* take no more than the room left, so a huge first chunk is not copied whole */
	if (take > pb->limit - pb->len)
		take = pb->limit - pb->len;
	if ((ret = strbuf_append(pb, buf, take)) < 0)
		return fail(r, ret, ret == -ENOMEM ? "memory" : "record_too_long", 0,
			ret == -ENOMEM ? "out of memory" : "the header is too long");
	*used = take;
	if (pb->len >= 2 && ((unsigned char)pb->buf[0] == 0xFF && (unsigned char)pb->buf[1] == 0xFE))
		return fail(r, -EINVAL, "encoding", 0, "the file is UTF-16, not UTF-8; save it as CSV UTF-8");
	if (pb->len >= 2 && ((unsigned char)pb->buf[0] == 0xFE && (unsigned char)pb->buf[1] == 0xFF))
		return fail(r, -EINVAL, "encoding", 0, "the file is UTF-16, not UTF-8; save it as CSV UTF-8");
	for (i = r->pscan; i < pb->len; i++) {
		char c = pb->buf[i];

		if (c == '"')
			r->pquoted = !r->pquoted;
		else if (!r->pquoted && (c == '\n' || c == '\r')) {
			/* leading empty lines do not make a header */
			size_t k = i;

			while (k > 0 && pb->buf[k - 1] != '\n' && pb->buf[k - 1] != '\r')
				k--;
			if (k == i || (k == 0 && i == 3 && !memcmp(pb->buf, "\xEF\xBB\xBF", 3)))
				continue;
			return start(r, i);
		}
	}
	r->pscan = pb->len;
	if (take < len)
		return fail(r, -E2BIG, "record_too_long", 0, "the header is longer than %zu bytes",
			r->lim.max_record_bytes);
	return 0;
}

int csv_reader_feed(struct csv_reader *r, const void *buf, size_t len)
{
	size_t used = 0;
	int ret;

	if (r->status)
		return r->status;
	if (len == 0)
		return 0;
	if (!r->sep) {
		if ((ret = feed_header(r, buf, len, &used)) < 0)
			return ret;
		if (!r->sep)
			return 0;
	}
	return parse(r, (const unsigned char *)buf + used, len - used);
}

int csv_reader_finish(struct csv_reader *r)
{
	int ret;

	if (r->status)
		return r->status;
	if (!r->sep && (ret = start(r, r->pending.len)) < 0)
		return ret;
	if (r->state == ST_QUOTED) {
		return fail(r, -EINVAL, "quote", r->nfields + 1,
			"a quoted cell is not closed (it opens on line %ld)", r->field_line);
	}
	if (r->state != ST_START || r->nfields > 0 || r->field_quoted)
		return end_record(r);
	return 0;
}

int csv_write_field(struct strbuf *sb, const char *s, size_t n, char sep)
{
	bool quote = n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
	size_t i, run = 0;
	int ret;

	for (i = 0; i < n && !quote; i++)
		if (s[i] == sep || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			quote = true;
	if (!quote)
		return strbuf_append(sb, s, n);
	if ((ret = strbuf_putc(sb, '"')) < 0)
		return ret;
	for (i = 0; i < n; i++)
		if (s[i] == '"') {
			if ((ret = strbuf_append(sb, s + run, i + 1 - run)) < 0)
				return ret;
			run = i;
		}
	if ((ret = strbuf_append(sb, s + run, n - run)) < 0)
		return ret;
	return strbuf_putc(sb, '"');
}

bool csv_formula_start(const char *s, size_t n)
{
	return n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
}

int csv_write_text(struct strbuf *sb, const char *s, size_t n, char sep)
{
	struct strbuf tmp;
	int ret;

	if (!csv_formula_start(s, n))
		return csv_write_field(sb, s, n, sep);
	/* the apostrophe joins the cell, so a cell that needs quotes gets them around both */
	strbuf_init(&tmp, 0);
	if ((ret = strbuf_putc(&tmp, '\'')) == 0 && (ret = strbuf_append(&tmp, s, n)) == 0)
		ret = csv_write_field(sb, tmp.buf, tmp.len, sep);
	strbuf_done(&tmp);
	return ret;
}
