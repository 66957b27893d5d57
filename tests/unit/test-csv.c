/* test-csv.c - the streaming CSV reader: formats, chunking invariance, limits, errors. */
#include <errno.h>
#include <stdbool.h>

#include "csv.h"
#include "strbuf.h"
#include "test.h"

struct sink {
	struct strbuf out;
	long stop_at;     /* return -ECANCELED at this row (-1 = never) */
};

static int on_record(void *userdata, const struct csv_record *rec)
{
	struct sink *s = userdata;
	size_t i, k;

	strbuf_printf(&s->out, "%ld@%ld:", rec->row, rec->line);
	for (i = 0; i < rec->nfields; i++) {
		if (i)
			strbuf_putc(&s->out, '|');
		/* the copies are NUL-terminated and as long as said */
		if (strlen(rec->fields[i]) != rec->lens[i])
			strbuf_puts(&s->out, "<embedded NUL>");
		for (k = 0; k < rec->lens[i]; k++) {
			char c = rec->fields[i][k];

			if (c == '\n')
				strbuf_puts(&s->out, "\\n");
			else if (c == '\r')
				strbuf_puts(&s->out, "\\r");
			else if (c == '|')
				strbuf_puts(&s->out, "\\|");
			else
				strbuf_putc(&s->out, c);
		}
	}
	strbuf_putc(&s->out, '\n');
	return rec->row == s->stop_at ? -ECANCELED : 0;
}

/* Parses data fed in chunks of `chunk` bytes (0 = all at once); returns the records and the
 * outcome as text. */
static char *parse_chunked(const char *data, size_t len, size_t chunk, const struct csv_limits *lim,
	long stop_at)
{
	struct sink s = { .stop_at = stop_at };
	struct csv_reader *r;
	const struct csv_error *e;
	size_t off = 0;
	int ret = 0;

	strbuf_init(&s.out, 0);
	r = csv_reader_new(lim, on_record, &s);
	if (!r)
		return NULL;
	if (!chunk)
		chunk = len ? len : 1;
	while (off < len && ret == 0) {
		size_t n = len - off < chunk ? len - off : chunk;

		ret = csv_reader_feed(r, data + off, n);
		off += n;
	}
	if (ret == 0)
		ret = csv_reader_finish(r);
	e = csv_reader_error(r);
	if (ret < 0)
		strbuf_printf(&s.out, "error %d %s row %ld line %ld column %zu sep %c\n", ret,
			e ? e->code : "?", e ? e->row : -9, e ? e->line : -9, e ? e->column : 999,
			csv_reader_separator(r) ? csv_reader_separator(r) : '0');
	else
		strbuf_printf(&s.out, "ok sep %c\n", csv_reader_separator(r));
	CHECK((ret < 0) == (e != NULL));
	csv_reader_free(r);
	return strbuf_steal(&s.out);
}

/* Parses whole, byte by byte, split at every point and in odd chunks: all give the same result. */
static char *parse_all_ways(const char *data, size_t len, const struct csv_limits *lim)
{
	char *whole = parse_chunked(data, len, 0, lim, -1), *other;
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 64 };
	size_t i;

	for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		other = parse_chunked(data, len, chunks[i], lim, -1);
		if (strcmp(whole, other))
			TEST_FAIL_("chunks of %zu differ:\n%s---\n%s", chunks[i], whole, other);
		free(other);
	}
	/* two chunks split at every point */
	for (i = 1; i < len; i++) {
		struct sink s = { .stop_at = -1 };
		struct csv_reader *r;
		const struct csv_error *e;
		int ret;

		strbuf_init(&s.out, 0);
		r = csv_reader_new(lim, on_record, &s);
		ret = csv_reader_feed(r, data, i);
		if (ret == 0)
			ret = csv_reader_feed(r, data + i, len - i);
		if (ret == 0)
			ret = csv_reader_finish(r);
		e = csv_reader_error(r);
		if (ret < 0)
			strbuf_printf(&s.out, "error %d %s row %ld line %ld column %zu sep %c\n", ret,
				e ? e->code : "?", e ? e->row : -9, e ? e->line : -9, e ? e->column : 999,
				csv_reader_separator(r) ? csv_reader_separator(r) : '0');
		else
			strbuf_printf(&s.out, "ok sep %c\n", csv_reader_separator(r));
		if (strcmp(whole, strbuf_str(&s.out)))
			TEST_FAIL_("split at %zu differs:\n%s---\n%s", i, whole, strbuf_str(&s.out));
		strbuf_done(&s.out);
		csv_reader_free(r);
	}
	return whole;
}

static void expect(const char *data, const char *want)
{
	char *got = parse_all_ways(data, strlen(data), NULL);

	if (strcmp(got, want))
		TEST_FAIL_("input \"%s\":\n--- got\n%s--- expected\n%s", data, got, want);
	free(got);
}

static void expect_n(const char *data, size_t len, const struct csv_limits *lim, const char *want)
{
	char *got = parse_all_ways(data, len, lim);

	if (strcmp(got, want))
		TEST_FAIL_("input of %zu bytes:\n--- got\n%s--- expected\n%s", len, got, want);
	free(got);
}

static void test_basic(void)
{
	expect("a,b,c\n1,2,3\n4,5,6\n", "0@1:a|b|c\n1@2:1|2|3\n2@3:4|5|6\nok sep ,\n");
	/* no final line end; CRLF; a lone CR */
	expect("a,b\r\n1,2\r\n3,4", "0@1:a|b\n1@2:1|2\n2@3:3|4\nok sep ,\n");
	expect("a,b\r1,2\r3,4\r", "0@1:a|b\n1@2:1|2\n2@3:3|4\nok sep ,\n");
	/* BOM; trailing empty lines; empty cells */
	expect("\xEF\xBB\xBFserial,agency\n,X\n\n\n\r\n", "0@1:serial|agency\n1@2:|X\nok sep ,\n");
	/* an empty line in the middle is skipped but counted; a line of commas is a record */
	expect("a,b\n1,2\n\n3,4\n,\n", "0@1:a|b\n1@2:1|2\n3@4:3|4\n4@5:|\nok sep ,\n");
	/* leading empty lines before the header */
	expect("\n\r\na,b\n1,2\n", "0@3:a|b\n1@4:1|2\nok sep ,\n");
	/* trimmed spaces and tabs around unquoted cells, kept inside quotes */
	expect("a , b\n  1 ,\t2 x\t\n\" 3 \" , 4\n", "0@1:a|b\n1@2:1|2 x\n2@3: 3 |4\nok sep ,\n");
	/* empty input, only a BOM, only blank lines */
	expect("", "ok sep ,\n");
	expect("\xEF\xBB\xBF", "ok sep ,\n");
	expect("\n\n", "ok sep ,\n");
	/* Vietnamese text passes through */
	expect("q,ý kiến\n1,\"Rất hài lòng, cảm ơn\"\n", "0@1:q|ý kiến\n1@2:1|Rất hài lòng, cảm ơn\nok sep ,\n");
}

static void test_separator(void)
{
	expect("a;b;c\n1;2,5;3\n", "0@1:a|b|c\n1@2:1|2,5|3\nok sep ;\n");
	/* both in the header: comma wins */
	expect("a;b,c\n1;2,3\n", "0@1:a;b|c\n1@2:1;2|3\nok sep ,\n");
	/* a comma inside quotes does not count */
	expect("\"a,x\";b\n1;2\n", "0@1:a,x|b\n1@2:1|2\nok sep ;\n");
	/* a semicolon inside quotes does not count either */
	expect("\"a;x\",b\n1,2\n", "0@1:a;x|b\n1@2:1|2\nok sep ,\n");
	/* a header with one column */
	expect("serial\n1\n", "0@1:serial\n1@2:1\nok sep ,\n");
	/* a quoted header line break does not end the header */
	expect("\"a\nb\";c\n1;2\n", "0@1:a\\nb|c\n1@3:1|2\nok sep ;\n");
}

static void test_quotes(void)
{
	expect("a,b\n\"x \"\"y\"\"\",\"line1\nline2\r\nline3\"\n\"\",\"\"\"\"\n",
		"0@1:a|b\n1@2:x \"y\"|line1\\nline2\\r\\nline3\n2@5:|\"\nok sep ,\n");
	/* a quote inside an unquoted cell is kept */
	expect("a\n5\" screen\n", "0@1:a\n1@2:5\" screen\nok sep ,\n");
	/* spaces after the closing quote are fine, text is not */
	expect("a,b\n\"1\"  ,2\n", "0@1:a|b\n1@2:1|2\nok sep ,\n");
	expect("a,b\n\"1\"x,2\n", "0@1:a|b\nerror -22 quote row 1 line 2 column 1 sep ,\n");
	/* an unclosed quote at the end names the line it opened on */
	expect("a,b\n1,\"open\n\n\n", "0@1:a|b\nerror -22 quote row 1 line 2 column 2 sep ,\n");
	/* a quoted empty line is a record, not a blank line */
	expect("a\n\"\"\n", "0@1:a\n1@2:\nok sep ,\n");
}

static void test_encoding(void)
{
	/* invalid UTF-8 names the row and column */
	expect("a,b\n1,2\n3,caf\xe9\n", "0@1:a|b\n1@2:1|2\nerror -22 encoding row 2 line 3 column 2 sep ,\n");
	/* overlong, surrogate, past U+10FFFF, truncated */
	expect("a\n\xc0\xaf\n", "0@1:a\nerror -22 encoding row 1 line 2 column 1 sep ,\n");
	expect("a\n\xed\xa0\x80\n", "0@1:a\nerror -22 encoding row 1 line 2 column 1 sep ,\n");
	expect("a\n\xf4\x90\x80\x80\n", "0@1:a\nerror -22 encoding row 1 line 2 column 1 sep ,\n");
	expect("a,b\nx,\xe1\xba\n", "0@1:a|b\nerror -22 encoding row 1 line 2 column 2 sep ,\n");
	/* in the header */
	expect("a,\xff\n", "error -22 encoding row 0 line 1 column 2 sep ,\n");
	/* UTF-16 (as Excel's "Unicode text" saves) */
	expect_n("\xff\xfe" "a\0,\0b\0", 8, NULL, "error -22 encoding row 0 line 1 column 0 sep 0\n");
	/* NUL bytes, quoted or not */
	expect_n("a,b\n1,x\0y\n", 10, NULL, "0@1:a|b\nerror -22 nul row 1 line 2 column 2 sep ,\n");
	expect_n("a,b\n\"\0\",1\n", 10, NULL, "0@1:a|b\nerror -22 nul row 1 line 2 column 1 sep ,\n");

	/* the message tells the user what to do */
	{
		const char *data = "a\n\xe9\n";
		struct sink s = { .stop_at = -1 };
		struct csv_reader *r = csv_reader_new(NULL, on_record, &s);

		strbuf_init(&s.out, 0);
		CHECK_INT(csv_reader_feed(r, data, strlen(data)), -EINVAL);
		CHECK(strstr(csv_reader_error(r)->message, "row 1, column 1") != NULL);
		CHECK(strstr(csv_reader_error(r)->message, "not UTF-8; save it as CSV UTF-8") != NULL);
		/* once stopped, it stays stopped */
		CHECK_INT(csv_reader_feed(r, "x\n", 2), -EINVAL);
		CHECK_INT(csv_reader_finish(r), -EINVAL);
		csv_reader_free(r);
		strbuf_done(&s.out);
	}
}

static void test_limits(void)
{
	struct csv_limits lim = { .max_field_bytes = 4, .max_fields = 3, .max_record_bytes = 10 };

	/* exactly at each limit passes */
	expect_n("a,b,c\nabcd,ab,c\n", 16, &lim, "0@1:a|b|c\n1@2:abcd|ab|c\nok sep ,\n");
	expect_n("a,b,c\n\"ab\"\"\",xyzw,zz\n", 21, &lim, "0@1:a|b|c\n1@2:ab\"|xyzw|zz\nok sep ,\n");
	/* one past */
	expect_n("a,b,c\nabcde,b,c\n", 16, &lim, "0@1:a|b|c\nerror -7 field_too_long row 1 line 2 column 1 sep ,\n");
	expect_n("a,b,c\n1,2,3,4\n", 14, &lim, "0@1:a|b|c\nerror -7 too_many_fields row 1 line 2 column 4 sep ,\n");
	expect_n("a,b,c\nabcd,abcd,abc\n", 20, &lim, "0@1:a|b|c\nerror -7 record_too_long row 1 line 2 column 0 sep ,\n");
	/* trailing spaces beyond the cell limit are trimmed only at the cell's end: refused */
	expect_n("a\nab      \n", 11, &lim, "0@1:a\nerror -7 field_too_long row 1 line 2 column 1 sep ,\n");
	/* a header line longer than the record limit, with no line end in sight */
	expect_n("aaaaaaaaaaaaaaaaaaaaaaaaaa", 26, &lim, "error -7 record_too_long row 0 line 1 column 0 sep 0\n");
	/* default limits: a 64 KiB cell passes, one byte more does not */
	{
		size_t n = CSV_DEFAULT_FIELD_BYTES;
		char *data = malloc(n + 16);
		char *got;

		memcpy(data, "a\n", 2);
		memset(data + 2, 'x', n + 1);
		memcpy(data + 2 + n + 1, "\n", 1);
		got = parse_chunked(data, 2 + n + 2, 4096, NULL, -1);
		CHECK(strstr(got, "error -7 field_too_long row 1") != NULL);
		free(got);
		got = parse_chunked(data, 2 + n, 4096, NULL, -1);
		CHECK(strstr(got, "ok sep ,") != NULL);
		free(got);
		free(data);
	}
	/* 2000 cells pass, 2001 do not */
	{
		struct strbuf sb;
		char *got;

		strbuf_init(&sb, 0);
		strbuf_puts(&sb, "a\n");
		for (int i = 0; i < CSV_DEFAULT_FIELDS; i++)
			strbuf_puts(&sb, i ? ",1" : "1");
		got = parse_chunked(sb.buf, sb.len, 0, NULL, -1);
		CHECK(strstr(got, "ok sep ,") != NULL);
		free(got);
		strbuf_puts(&sb, ",1\n");
		got = parse_chunked(sb.buf, sb.len, 100, NULL, -1);
		CHECK(strstr(got, "error -7 too_many_fields row 1 line 2 column 2001") != NULL);
		free(got);
		strbuf_done(&sb);
	}
}

static void test_stop(void)
{
	const char *data = "a\n1\n2\n3\n";
	char *got = parse_chunked(data, strlen(data), 0, NULL, 2);

	CHECK_STR(got, "0@1:a\n1@2:1\n2@3:2\nerror -125 stopped row 2 line 3 column 0 sep ,\n");
	free(got);
	got = parse_chunked(data, strlen(data), 1, NULL, 0);
	CHECK_STR(got, "0@1:a\nerror -125 stopped row 0 line 1 column 0 sep ,\n");
	free(got);
}

static void test_write(void)
{
	static const char *const cells[] = { "plain", "", "a,b", "say \"hi\"", "two\nlines", " pad",
		"pad\t", "x;y", "Rất hài lòng", "\"", "cr\r" };
	struct strbuf sb;
	char *got;
	size_t i;

	strbuf_init(&sb, 0);
	CHECK_OK(csv_write_field(&sb, "a,b", 3, ','));
	CHECK_OK(csv_write_field(&sb, "a;b", 3, ','));
	CHECK_OK(csv_write_field(&sb, "q\"", 2, ';'));
	CHECK_STR(strbuf_str(&sb), "\"a,b\"a;b\"q\"\"\"");
	/* a header and one row of every cell, read back the same, for both separators */
	for (int k = 0; k < 2; k++) {
		char sep = k ? ';' : ',';

		strbuf_reset(&sb);
		strbuf_printf(&sb, "h%c", sep);
		strbuf_puts(&sb, "x\n");
		for (i = 0; i < sizeof cells / sizeof cells[0]; i++) {
			if (i)
				strbuf_putc(&sb, sep);
			CHECK_OK(csv_write_field(&sb, cells[i], strlen(cells[i]), sep));
		}
		strbuf_puts(&sb, "\n");
		got = parse_all_ways(sb.buf, sb.len, NULL);
		CHECK(strstr(got, "1@2:plain||a,b|say \"hi\"|two\\nlines| pad|pad\t|x;y|Rất hài lòng|\"|cr\\r\n") != NULL);
		CHECK(strstr(got, k ? "ok sep ;" : "ok sep ,") != NULL);
		free(got);
	}
	strbuf_done(&sb);
}

/* Export cells that a spreadsheet would read as a formula get one apostrophe; others do not. */
static void test_write_text(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "+1", "'+1" }, { "-2 là", "'-2 là" }, { "@SUM(A1)", "'@SUM(A1)" },
		{ "\tx", "'\tx" }, { "\rx", "\"'\rx\"" }, { "a=b", "a=b" }, { "", "" }, { "'=x", "'=x" },
		{ " =x", "\" =x\"" }, { "Rất tốt", "Rất tốt" }, { "-", "'-" },
	};
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf_reset(&sb);
		CHECK_INT(csv_formula_start(cases[i].in, strlen(cases[i].in)),
			  cases[i].in[0] == '=' || cases[i].in[0] == '+' || cases[i].in[0] == '-' ||
			  cases[i].in[0] == '@' || cases[i].in[0] == '\t' || cases[i].in[0] == '\r');
		CHECK_OK(csv_write_text(&sb, cases[i].in, strlen(cases[i].in), ','));
		CHECK_STR(strbuf_str(&sb), cases[i].out);
	}
	strbuf_done(&sb);
}

/* Pseudo-random inputs from a small alphabet: chunking never changes the outcome. */
static void test_random(void)
{
	static const char alphabet[] = "ab ,;\"\r\n\xc3\xa1\xff";
	unsigned int seed = 12345;
	char data[64];

	for (int iter = 0; iter < 300; iter++) {
		size_t len = (size_t)(iter % 40) + 1, i;
		char *got;

		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			data[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		got = parse_all_ways(data, len, NULL);
		free(got);
	}
}

/* Longer pseudo-random files, mostly plain records (the reader's fast path) with now and then
 * a byte that needs the state machine, under tight and default limits: the outcome is the same
 * whole as byte by byte (which never takes the fast path) and in odd chunks. */
static void test_random_records(void)
{
	static const char *const pieces[] = { "1", "25", "abc", "", "AG001", "P0000123", "x y",
		" a", "b\t", "\"q\"", "q\"q", "c\xc3\xa1", "\xff", "\xe1\xba", "\r", "1234567890123456789" };
	static const size_t chunks[] = { 1, 7, 16, 17, 63 };
	struct csv_limits tight = { .max_field_bytes = 12, .max_fields = 9, .max_record_bytes = 40 };
	unsigned int seed = 777;
	char data[4096];

	for (int iter = 0; iter < 400; iter++) {
		const struct csv_limits *lim = iter % 3 == 0 ? &tight : NULL;
		size_t len = 0, rows = (size_t)(iter % 23) + 1;
		int odd = iter % 4;    /* 0: plain pieces only */
		char *whole, *other;

		for (size_t row = 0; row < rows && len < sizeof data - 200; row++) {
			size_t cells;

			seed = seed * 1103515245u + 12345u;
			cells = (seed >> 16) % 14;
			for (size_t c = 0; c <= cells; c++) {
				size_t k, n;

				seed = seed * 1103515245u + 12345u;
				k = (seed >> 16) % (odd ? 16 : 7);
				if (c)
					data[len++] = iter % 5 == 4 ? ';' : ',';
				n = strlen(pieces[k]);
				memcpy(data + len, pieces[k], n);
				len += n;
			}
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 5 == 0)
				data[len++] = '\r';
			if ((seed >> 16) % 7 != 1)
				data[len++] = '\n';
		}
		whole = parse_chunked(data, len, 0, lim, -1);
		for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
			other = parse_chunked(data, len, chunks[i], lim, -1);
			if (strcmp(whole, other))
				TEST_FAIL_("iteration %d, chunks of %zu differ:\n%s---\n%s", iter, chunks[i], whole, other);
			free(other);
		}
		free(whole);
	}
}

int main(void)
{
	test_basic();
	test_separator();
	test_quotes();
	test_encoding();
	test_limits();
	test_stop();
	test_write();
	test_write_text();
	test_random();
	test_random_records();
	TEST_DONE();
}
