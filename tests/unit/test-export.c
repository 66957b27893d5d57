/* test-export.c - export/: the .sav/.dta writer's refusals and row accounting, and the .xlsx
 * writer's file (a zip) and limits. The files' contents are read back by other programs in
 * tests/integration/test_spreadsheets.py. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statfile.h"
#include "strbuf.h"
#include "test.h"
#include "xlsx-write.h"

static int to_buf(void *ud, const void *data, size_t len)
{
	return strbuf_append(ud, data, len);
}

static const struct statfile_value_label likert[] = { { 1, "Rất không hài lòng" }, { 5, "Rất hài lòng" } };

static void test_statfile(void)
{
	struct statfile_var vars[] = {
		{ .name = "serial", .label = "Số phiếu", .width = 8 },
		{ .name = "S1.1", .label = "Câu hỏi", .numeric = true, .nlabels = 2, .labels = likert },
		{ .name = "S1_1", .numeric = true },
	};
	const char *row1[] = { "A-1", "5", NULL }, *row2[] = { NULL, NULL, "2.5" }, *bad[] = { "A-2", "x", NULL };
	struct statfile *w = NULL;
	struct strbuf sb;
	char err[200];
	int f;

	for (f = 0; f < 2; f++) {
		enum statfile_format fmt = f ? STATFILE_DTA : STATFILE_SAV;

		strbuf_init(&sb, 0);
		/* S1.1 and S1_1 are one name in Stata */
		if (fmt == STATFILE_DTA) {
			CHECK_INT(statfile_begin(fmt, "t", vars, 3, 2, to_buf, &sb, &w, err, sizeof err), -EINVAL);
			CHECK(strstr(err, "same name") != NULL);
			CHECK_OK(statfile_begin(fmt, "t", vars, 2, 2, to_buf, &sb, &w, err, sizeof err));
		} else {
			CHECK_OK(statfile_begin(fmt, "t", vars, 3, 2, to_buf, &sb, &w, err, sizeof err));
		}
		CHECK_INT(statfile_row(w, bad), -EINVAL);    /* not a number */
		CHECK(sb.len > 0);                           /* the header went out with the first row */
		statfile_free(w);
		strbuf_reset(&sb);
		CHECK_OK(statfile_begin(fmt, "t", vars, fmt == STATFILE_DTA ? 2 : 3, 2, to_buf, &sb, &w, err, sizeof err));
		CHECK_OK(statfile_row(w, row1));
		CHECK_INT(statfile_end(w), -EINVAL);         /* one row short */
		CHECK_OK(statfile_row(w, row2));
		CHECK_INT(statfile_row(w, row1), -EINVAL);   /* one row too many */
		CHECK_OK(statfile_end(w));
		CHECK(fmt == STATFILE_SAV ? !memcmp(sb.buf, "$FL2", 4) : !memcmp(sb.buf, "<stata_dta>", 11));
		statfile_free(w);
		strbuf_done(&sb);
	}
	/* a name no format takes */
	vars[0].name = "";
	CHECK_INT(statfile_begin(STATFILE_SAV, NULL, vars, 1, 0, to_buf, &sb, &w, err, sizeof err), -EINVAL);
	statfile_free(NULL);
}

static void test_xlsx(void)
{
	struct xlsx *w = NULL;
	char head[4] = { 0 }, *longtext;
	int fd, s0, s1;

	CHECK_OK(xlsx_open(NULL, &w));
	CHECK_INT(xlsx_text(w, 0, 0, "x"), -EINVAL);        /* no sheet yet */
	CHECK_INT(xlsx_sheet(w, "a[b]"), -EINVAL);          /* a name Excel refuses */
	s0 = xlsx_sheet(w, "Phiếu");
	s1 = xlsx_sheet(w, "Bảng mã");
	CHECK_INT(s0, 0);
	CHECK_INT(s1, 1);
	CHECK_OK(xlsx_heading(w, 0, "mã"));
	CHECK_OK(xlsx_number(w, 1, 0, 1));
	CHECK_OK(xlsx_number(w, 2, 0, 2));
	CHECK_OK(xlsx_select(w, s0));
	CHECK_INT(xlsx_select(w, 7), -EINVAL);
	CHECK_OK(xlsx_heading(w, 0, "S1"));
	CHECK_OK(xlsx_text(w, 1, 0, "=1+1"));                /* a string cell, never a formula */
	CHECK_INT(xlsx_text(w, XLSX_MAX_ROWS, 0, "x"), -E2BIG);
	longtext = malloc(XLSX_MAX_TEXT + 10);
	CHECK(longtext != NULL);
	memset(longtext, 'a', XLSX_MAX_TEXT + 9);
	longtext[XLSX_MAX_TEXT + 9] = '\0';
	CHECK_OK(xlsx_text(w, 2, 0, longtext));              /* cut to Excel's limit */
	free(longtext);
	CHECK_OK(xlsx_list(w, 0, s1, 1, 2, 0, "S1: mã hợp lệ", "1 = Không; 2 = Có"));
	CHECK_INT(xlsx_list(w, 0, 5, 1, 2, 0, NULL, NULL), -EINVAL);
	CHECK_OK(xlsx_freeze_header(w));
	CHECK_OK(xlsx_width(w, 0, 200));
	CHECK_OK(xlsx_finish(w, &fd));
	CHECK_INT(read(fd, head, 4), 4);
	CHECK(!memcmp(head, "PK\x03\x04", 4));               /* a zip */
	close(fd);
	/* abandoned: its file goes */
	CHECK_OK(xlsx_open(NULL, &w));
	xlsx_free(w);
	xlsx_free(NULL);
}

int main(void)
{
	test_statfile();
	test_xlsx();
	TEST_DONE();
}
