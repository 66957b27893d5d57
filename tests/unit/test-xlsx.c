/* test-xlsx.c - the workbook reader: cell values (numbers, date serials in both date systems,
 * number formats, column names) and whole workbooks of the fuzz seed corpus, read row by row. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "test.h"
#include "xlsx-int.h"
#include "xlsx.h"

static const char *number(const char *v)
{
	static struct strbuf sb;

	strbuf_done(&sb);
	strbuf_init(&sb, 0);
	if (xlsx_put_number(&sb, v, strlen(v)) < 0)
		return "<error>";
	return strbuf_str(&sb);
}

static const char *date(double serial, bool d1904, bool with_time)
{
	static struct strbuf sb;

	strbuf_done(&sb);
	strbuf_init(&sb, 0);
	if (xlsx_put_date(&sb, serial, d1904, with_time) < 0)
		return "<error>";
	return strbuf_str(&sb);
}

static void test_numbers(void)
{
	CHECK_STR(number("3"), "3");
	CHECK_STR(number("0"), "0");
	CHECK_STR(number("-0"), "0");
	CHECK_STR(number("3.0"), "3");
	CHECK_STR(number("007"), "7");
	CHECK_STR(number("2.5"), "2.5");
	CHECK_STR(number("1E-3"), "0.001");
	CHECK_STR(number("0.30000000000000004"), "0.30000000000000004");
	CHECK_STR(number("79.299999999999997"), "79.3");
	CHECK_STR(number("0.3333333333333333"), "0.3333333333333333");
	CHECK_STR(number("1E+20"), "1e+20");
	CHECK_STR(number(" 12 "), "12");
	CHECK_STR(number("abc"), "<error>");
	CHECK_STR(number("1e999"), "<error>");
	CHECK_STR(number(""), "<error>");
}

static const char *unescaped(const char *s)
{
	static struct strbuf sb;

	strbuf_done(&sb);
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<>");
	strbuf_puts(&sb, s);
	xlsx_unescape(&sb, 2);
	return strbuf_str(&sb) + 2;
}

static void test_escapes(void)
{
	CHECK_STR(unescaped("a_x000D_b"), "a\rb");
	CHECK_STR(unescaped("_x005F_x000D_"), "_x000D_");
	CHECK_STR(unescaped("_x00E9__x1EA1_"), "é" "ạ");
	CHECK_STR(unescaped("_x0000_ _xD800_ _x12G4_ _x12"), "_x0000_ _xD800_ _x12G4_ _x12");
	CHECK_STR(unescaped("snake_case_x"), "snake_case_x");
}

static void test_dates(void)
{
	/* the 1900 system: serial 1 is 1900-01-01, 60 the 1900-02-29 that never was */
	CHECK_STR(date(1, false, false), "1900-01-01");
	CHECK_STR(date(59, false, false), "1900-02-28");
	CHECK_STR(date(60, false, false), "<error>");
	CHECK_STR(date(61, false, false), "1900-03-01");
	CHECK_STR(date(46083, false, false), "2026-03-02");
	CHECK_STR(date(46083.354166666664, false, false), "2026-03-02T08:30:00");
	CHECK_STR(date(46083, false, true), "2026-03-02T00:00:00");
	CHECK_STR(date(45351, false, false), "2024-02-29");
	CHECK_STR(date(46022.99998842592, false, false), "2025-12-31T23:59:59");
	CHECK_STR(date(46022.999999999, false, false), "2026-01-01");      /* rounds to midnight */
	CHECK_STR(date(2958465, false, false), "9999-12-31");
	CHECK_STR(date(2958466, false, false), "<error>");
	CHECK_STR(date(0, false, false), "<error>");
	CHECK_STR(date(-1, false, false), "<error>");
	/* the 1904 system: 0 is 1904-01-01, 1462 days after the 1900 system's */
	CHECK_STR(date(0, true, false), "1904-01-01");
	CHECK_STR(date(46083 - 1462, true, false), "2026-03-02");
}

static void test_formats(void)
{
	CHECK_INT(xlsx_format_kind(0, NULL), 0);
	CHECK_INT(xlsx_format_kind(14, NULL), 1);
	CHECK_INT(xlsx_format_kind(22, NULL), 2);
	CHECK_INT(xlsx_format_kind(20, NULL), 3);
	CHECK_INT(xlsx_format_kind(164, "yyyy-mm-dd"), 1);
	CHECK_INT(xlsx_format_kind(164, "yyyy-mm-dd h:mm:ss"), 2);
	CHECK_INT(xlsx_format_kind(164, "dd/mm/yyyy;@"), 1);
	CHECK_INT(xlsx_format_kind(164, "[$-42A]dd/mm/yyyy"), 1);
	CHECK_INT(xlsx_format_kind(164, "[h]:mm"), 3);
	CHECK_INT(xlsx_format_kind(164, "General"), 0);
	CHECK_INT(xlsx_format_kind(164, "0.00E+00"), 0);
	CHECK_INT(xlsx_format_kind(164, "#,##0 \"ngày\""), 0);
	CHECK_INT(xlsx_format_kind(164, "[Red]0.00"), 0);
	CHECK_INT(xlsx_format_kind(164, "0\\d"), 0);
}

static void test_columns(void)
{
	char name[8];

	CHECK_INT(xlsx_ref_column("A1", 16384), 1);
	CHECK_INT(xlsx_ref_column("Z9", 16384), 26);
	CHECK_INT(xlsx_ref_column("AA10", 16384), 27);
	CHECK_INT(xlsx_ref_column("XFD1048576", 16384), 16384);
	CHECK_INT(xlsx_ref_column("XFE1", 16384), 0);
	CHECK_INT(xlsx_ref_column("ZZZZZZZZZZZZZZZZZZZZZZ1", 2000), 0);
	CHECK_INT(xlsx_ref_column("12", 2000), 0);
	xlsx_column_name(1, name);
	CHECK_STR(name, "A");
	xlsx_column_name(28, name);
	CHECK_STR(name, "AB");
	xlsx_column_name(16384, name);
	CHECK_STR(name, "XFD");
}

static int on_row(void *ud, const struct csv_record *rec)
{
	struct strbuf *sb = ud;
	size_t i;

	strbuf_printf(sb, "%ld:", rec->row + 1);
	for (i = 0; i < rec->nfields; i++)
		strbuf_printf(sb, "%s%s", i ? "|" : "", rec->fields[i]);
	return strbuf_putc(sb, '\n');
}

/* Reads seed name of tests/fuzz/corpus/xlsx: its rows as "row:a|b|c" lines, or the error code. */
static const char *read_seed_with(const char *name, const struct xlsx_limits *lim, struct strbuf *sb)
{
	char path[512];
	struct xlsx_error err;
	int fd, r;

	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/xlsx/%s", SIPAS_SOURCE_ROOT, name);
	strbuf_reset(sb);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return "<missing>";
	r = xlsx_read(fd, lim, on_row, sb, &err);
	close(fd);
	if (r < 0) {
		strbuf_reset(sb);
		strbuf_printf(sb, "%d %s row %ld col %zu", r, err.code, err.row, err.column);
	}
	return strbuf_str(sb);
}

static const char *read_seed(const char *name, struct strbuf *sb)
{
	return read_seed_with(name, NULL, sb);
}

/* Each limit, on workbooks that pass the defaults. */
static void test_limits(void)
{
	struct xlsx_limits size = { .max_member_bytes = 1 << 20, .max_ratio = 1000000 };
	struct xlsx_limits ratio = { .max_ratio = 2 };
	struct xlsx_limits rows = { .max_rows = 4 };
	struct xlsx_limits cols = { .cells = { .max_fields = 5 } };
	struct xlsx_limits cell = { .cells = { .max_field_bytes = 20 } };
	struct xlsx_limits row = { .cells = { .max_record_bytes = 40 } };
	struct xlsx_limits strings = { .max_shared_count = 1 };
	struct xlsx_limits file = { .max_file_bytes = 1000 };
	struct strbuf sb;

	strbuf_init(&sb, 0);
	/* a part past its size, whatever its ratio: refused once it inflates past 1 MiB */
	CHECK_STR(read_seed_with("hostile-bomb.xlsx", &size, &sb), "-7 zip_bomb row 0 col 0");
	CHECK_STR(read_seed_with("openpyxl-shared.xlsx", &ratio, &sb), "1:serial|agency|submitted_at|weight|S1_1|note\n"
		  "2:A-1|SNV|2026-03-02|1.5|4|Tốt\n3:1002|STC|2026-03-02T08:30:00|0.3333333333333333|5|TRUE\n"
		  "5:A-4|SNV|||3|Thủ tục nhanh, cán bộ nhiệt tình\n");      /* parts under 1 MiB: no ratio */
	CHECK_STR(read_seed_with("openpyxl-shared.xlsx", &rows, &sb), "-7 too_many_rows row 5 col 0");
	CHECK_STR(read_seed_with("openpyxl-shared.xlsx", &cols, &sb), "-7 too_many_columns row 1 col 0");
	CHECK_STR(read_seed_with("openpyxl-inline.xlsx", &cell, &sb), "-7 field_too_long row 5 col 6");
	CHECK_STR(read_seed_with("openpyxl-inline.xlsx", &row, &sb), "-7 record_too_long row 1 col 6");
	CHECK_STR(read_seed_with("openpyxl-shared.xlsx", &strings, &sb), "-7 too_many_strings row 0 col 0");
	CHECK_STR(read_seed_with("openpyxl-shared.xlsx", &file, &sb), "-7 too_large row 0 col 0");
	strbuf_done(&sb);
}

static void test_workbooks(void)
{
	static const char rows[] =
		"1:serial|agency|submitted_at|weight|S1_1|note\n"
		"2:A-1|SNV|2026-03-02|1.5|4|Tốt\n"
		"3:1002|STC|2026-03-02T08:30:00|0.3333333333333333|5|TRUE\n"
		"5:A-4|SNV|||3|Thủ tục nhanh, cán bộ nhiệt tình\n";
	struct strbuf sb;

	strbuf_init(&sb, 0);
	CHECK_STR(read_seed("openpyxl-inline.xlsx", &sb), rows);
	CHECK_STR(read_seed("openpyxl-shared.xlsx", &sb), rows);
	CHECK_STR(read_seed("openpyxl-1904-merged.xlsx", &sb), rows);
	CHECK_STR(read_seed("mini-stored.xlsx", &sb), "1:serial|agency|submitted_at|weight|S1_1|note\n2:B-1|SNV||2|4|x\n");
	CHECK_STR(read_seed("mini-rich-error.xlsx", &sb), "-22 cell_error row 3 col 2");
	CHECK_STR(read_seed("hostile-doctype.xlsx", &sb), "-22 xml_entities row 0 col 0");
	CHECK_STR(read_seed("hostile-far-cell.xlsx", &sb), "-7 too_many_columns row 9 col 0");
	CHECK_STR(read_seed("hostile-no-sheet.xlsx", &sb), "-22 no_worksheet row 0 col 0");
	CHECK_STR(read_seed("hostile-cfb.xlsx", &sb), "-22 encrypted row 0 col 0");
	CHECK_STR(read_seed("hostile-bomb.xlsx", &sb), "-7 zip_bomb row 0 col 0");
	strbuf_done(&sb);
}

int main(void)
{
	test_numbers();
	test_escapes();
	test_dates();
	test_formats();
	test_columns();
	test_workbooks();
	test_limits();
	TEST_DONE();
}
