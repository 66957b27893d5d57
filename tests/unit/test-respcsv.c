/* test-respcsv.c - the responses-file reader: header mapping, every row fault, defaults, codes,
 * normalized answers, limits, chunking. */
#include <errno.h>
#include <math.h>

#include "form.h"
#include "respcsv.h"
#include "fixture-form.h"
#include "strbuf.h"
#include "test.h"

static struct form *form;

struct log {
	struct strbuf out;
	int stop_rows;        /* stop (return -ECANCELED) after this many rows; 0 = never */
	int rows;
};

static int on_row(void *ud, const struct respcsv_row *r)
{
	struct log *l = ud;
	size_t i;

	strbuf_printf(&l->out, "row %ld serial=%s agency=%s channel=%s stratum=%s psu=%s", r->row,
		r->serial ? r->serial : "-", r->agency, r->channel, r->stratum, r->psu ? r->psu : "-");
	if (isnan(r->weight))
		strbuf_puts(&l->out, " weight=-");
	else
		strbuf_printf(&l->out, " weight=%g", r->weight);
	if (isnan(r->fpc))
		strbuf_puts(&l->out, " fpc=-");
	else
		strbuf_printf(&l->out, " fpc=%g", r->fpc);
	strbuf_printf(&l->out, " at=%s codes=", r->submitted_at ? r->submitted_at : "-");
	for (i = 0; i < form->nslots; i++)
		strbuf_printf(&l->out, i ? ",%d" : "%d", r->codes[i]);
	if (r->answers_json) {
		CHECK_INT(strlen(r->answers_json), r->answers_json_len);
		strbuf_printf(&l->out, " json=%s", r->answers_json);
	}
	strbuf_putc(&l->out, '\n');
	if (l->stop_rows && ++l->rows == l->stop_rows)
		return -ECANCELED;
	return 0;
}

static int on_error(void *ud, const struct respcsv_error *e)
{
	struct log *l = ud;

	strbuf_printf(&l->out, "error %ld %s %s %zu/%zu\n", e->row, e->column[0] ? e->column : "-",
		e->code, e->index + 1, e->count);
	/* every fault has both messages */
	CHECK(e->message && e->message[0]);
	CHECK(e->message_vi && e->message_vi[0]);
	/* a fault of a row comes with the row; a fault of the file (a CSV error) without */
	if (strcmp(e->code, "encoding") && strcmp(e->code, "quote") && strcmp(e->code, "too_many_rows") &&
	    strcmp(e->code, "empty_file"))
		CHECK(e->raw != NULL);
	else
		CHECK(e->raw == NULL);
	return 0;
}

/* Runs data through a reader fed in chunks of `chunk` bytes (0 = whole); returns the log. */
static char *run(const char *data, size_t len, size_t chunk, const struct respcsv_options *opt,
	int *ret, struct respcsv_stats *stats)
{
	struct log l = { 0 };
	struct respcsv *rc;
	size_t off = 0;
	int r = 0;

	strbuf_init(&l.out, 0);
	rc = respcsv_new(form, opt, on_row, on_error, &l);
	CHECK(rc != NULL);
	if (!rc)
		return strbuf_steal(&l.out);
	if (!chunk)
		chunk = len ? len : 1;
	while (off < len && r == 0) {
		size_t n = len - off < chunk ? len - off : chunk;

		r = respcsv_feed(rc, data + off, n);
		off += n;
	}
	if (r == 0)
		r = respcsv_finish(rc);
	strbuf_printf(&l.out, "end %d\n", r);
	if (ret)
		*ret = r;
	if (stats)
		respcsv_get_stats(rc, stats);
	respcsv_free(rc);
	return strbuf_steal(&l.out);
}

/* Runs whole and byte by byte (same log required) and compares with want. */
static void expect(const char *data, const struct respcsv_options *opt, const char *want)
{
	char *whole = run(data, strlen(data), 0, opt, NULL, NULL);
	char *bytes = run(data, strlen(data), 1, opt, NULL, NULL);

	if (strcmp(whole, want))
		TEST_FAIL_("input:\n%s--- got\n%s--- expected\n%s", data, whole, want);
	if (strcmp(whole, bytes))
		TEST_FAIL_("byte by byte differs:\n%s---\n%s", whole, bytes);
	free(whole);
	free(bytes);
}

static void test_valid(void)
{
	struct respcsv_options json = { .want_json = true };
	struct respcsv_options web = { .default_channel = "web" };

	/* design defaults: channel paper, stratum = agency, no psu, weight and fpc blank */
	expect("agency,S1_1\nSNV,4\n",
		NULL, "row 1 serial=- agency=SNV channel=paper stratum=SNV psu=- weight=- fpc=- at=- codes=-1,4,-1\nend 0\n");
	expect("agency,S1_1\nSNV,4\n", &web,
		"row 1 serial=- agency=SNV channel=web stratum=SNV psu=- weight=- fpc=- at=- codes=-1,4,-1\nend 0\n");
	/* every column, any order; a decimal comma with ';' */
	expect("S1_2;used;serial;agency;channel;stratum;psu;weight;fpc;submitted_at;S1_1;ch;note;age;why\n"
	       "5;1;A-001;SNV;phone;H1;X12;1,5;200;2024-05-31T14:30:00+07:00;3;\"3;1\";  Tốt lắm  ;45,5;\n",
		&json,
		"row 1 serial=A-001 agency=SNV channel=phone stratum=H1 psu=X12 weight=1.5 fpc=200 "
		"at=2024-05-31T14:30:00+07:00 codes=1,3,5 json={\"used\":1,\"S1_1\":3,\"S1_2\":5,\"ch\":[1,3],"
		"\"note\":\"Tốt lắm\",\"age\":45.5}\nend 0\n");
	/* show_if: why is asked (and required) when used = 2; S1_2 not asked, left blank */
	expect("agency,used,S1_1,S1_2,why\nSNV,2,5,,\"a, b\"\n", &json,
		"row 1 serial=- agency=SNV channel=paper stratum=SNV psu=- weight=- fpc=- at=- codes=2,5,-1 "
		"json={\"used\":2,\"S1_1\":5,\"why\":\"a, b\"}\nend 0\n");
	/* blank rows and a row of empty cells are skipped; trailing empty header columns ignored */
	expect("agency,S1_1,,\n\nSNV,1,,\n,,,\nSNV,2\n", NULL,
		"row 2 serial=- agency=SNV channel=paper stratum=SNV psu=- weight=- fpc=- at=- codes=-1,1,-1\n"
		"row 4 serial=- agency=SNV channel=paper stratum=SNV psu=- weight=- fpc=- at=- codes=-1,2,-1\nend 0\n");
	/* valid dates and timestamps */
	expect("agency,S1_1,submitted_at\nA,1,2024-02-29\nA,1,2024-05-31 14:30\nA,1,2024-05-31T14:30:59.123Z\n"
	       "A,1,2024-12-31T23:59:60-0530\n", NULL,
		"row 1 serial=- agency=A channel=paper stratum=A psu=- weight=- fpc=- at=2024-02-29 codes=-1,1,-1\n"
		"row 2 serial=- agency=A channel=paper stratum=A psu=- weight=- fpc=- at=2024-05-31 14:30 codes=-1,1,-1\n"
		"row 3 serial=- agency=A channel=paper stratum=A psu=- weight=- fpc=- at=2024-05-31T14:30:59.123Z codes=-1,1,-1\n"
		"row 4 serial=- agency=A channel=paper stratum=A psu=- weight=- fpc=- at=2024-12-31T23:59:60-0530 codes=-1,1,-1\n"
		"end 0\n");
	/* a BOM and CRLF, as Excel writes */
	expect("\xEF\xBB\xBF" "agency,S1_1\r\nSNV,5\r\n", NULL,
		"row 1 serial=- agency=SNV channel=paper stratum=SNV psu=- weight=- fpc=- at=- codes=-1,5,-1\nend 0\n");
}

static void test_header_errors(void)
{
	struct respcsv_options upload = { .require_serial = true };

	expect("agency,S1_1,S9,S1_1,serial,serial\nA,1\n", NULL,
		"error 0 S9 unknown_column 1/3\nerror 0 S1_1 duplicate_column 2/3\n"
		"error 0 serial duplicate_column 3/3\nend -22\n");
	expect("S1_1\n4\n", NULL, "error 0 agency missing_agency 1/1\nend -22\n");
	expect("agency,S1_1\nA,4\n", &upload, "error 0 serial missing_serial 1/1\nend -22\n");
	expect("agency,,S1_1\nA,,4\n", NULL, "error 0 - unknown_column 1/1\nend -22\n");
	/* design columns are lower case, question ids exact */
	expect("Agency,s1_1\n", NULL,
		"error 0 Agency unknown_column 1/3\nerror 0 s1_1 unknown_column 2/3\nerror 0 agency missing_agency 3/3\nend -22\n");
	expect("", NULL, "error 0 - empty_file 1/1\nend -22\n");
	expect("\n\n", NULL, "error 0 - empty_file 1/1\nend -22\n");
}

static void test_row_errors(void)
{
	struct respcsv_options upload = { .require_serial = true };

	/* every code of a question */
	expect("agency,used,S1_1,S1_2,ch,note,age,why\n"
	       "A,3,6,,9,,150,\n"          /* out_of_range x4 */
	       "A,x,4.5,,1;x,,abc,\n"      /* invalid_code x3, invalid_number */
	       "A,1,,,1;1,01234567890,17,\n" /* required, duplicate, too_long, out_of_range */
	       "A,2,4,5,,,,\n"             /* not_asked (S1_2), required (why) */
	       "A,1,4,5,,,,no\n",          /* not_asked (why) */
		NULL,
		"error 1 used out_of_range 1/4\nerror 1 S1_1 out_of_range 2/4\nerror 1 ch out_of_range 3/4\n"
		"error 1 age out_of_range 4/4\n"
		"error 2 used invalid_code 1/4\nerror 2 S1_1 invalid_code 2/4\nerror 2 ch invalid_code 3/4\n"
		"error 2 age invalid_number 4/4\n"
		"error 3 ch duplicate 1/4\nerror 3 note too_long 2/4\nerror 3 age out_of_range 3/4\n"
		"error 3 S1_1 required 4/4\n"
		"error 4 S1_2 not_asked 1/2\nerror 4 why required 2/2\n"
		"error 5 why not_asked 1/1\n"
		"end 0\n");
	/* a bad controlling answer does not make its dependants not_asked or required */
	expect("agency,used,S1_1,S1_2,why\nA,7,4,5,\n", NULL, "error 1 used out_of_range 1/1\nend 0\n");
	/* design columns */
	expect("serial,agency,channel,weight,fpc,submitted_at,S1_1,psu,stratum\n"
	       ",,fax,0,0.5,2024-02-30,1,,\n"
	       "1,A B,web,-1,x,2023-02-29,1,,\n"
	       "2,A,api,abc,1e999,31/12/2024,1,,\n"
	       "3,A,api,inf,,2024-05-31T24:00,1,,\n"
	       "4,A,api,1,,2024-05-31T10:00+15:00,1," "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,"
	       "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n",
		&upload,
		"error 1 serial missing_serial 1/6\nerror 1 agency missing_agency 2/6\n"
		"error 1 channel invalid_channel 3/6\nerror 1 weight invalid_weight 4/6\n"
		"error 1 fpc invalid_fpc 5/6\nerror 1 submitted_at invalid_date 6/6\n"
		"error 2 agency invalid_agency 1/4\nerror 2 weight invalid_weight 2/4\n"
		"error 2 fpc invalid_fpc 3/4\nerror 2 submitted_at invalid_date 4/4\n"
		"error 3 weight invalid_weight 1/3\nerror 3 fpc invalid_fpc 2/3\nerror 3 submitted_at invalid_date 3/3\n"
		"error 4 weight invalid_weight 1/2\nerror 4 submitted_at invalid_date 2/2\n"
		"error 5 stratum invalid_stratum 1/3\nerror 5 psu invalid_psu 2/3\nerror 5 submitted_at invalid_date 3/3\n"
		"end 0\n");
	/* duplicate serials, even when the first row was invalid; a serial too long; extra cells */
	expect("serial,agency,S1_1\n7,A,9\n8,A,1\n7,A,2\n"
	       "12345678901234567890123456789012345678901234567890123456789012345,A,1\n9,A,1,,x\n9,A,1,,\n", NULL,
		"error 1 S1_1 out_of_range 1/1\n"
		"row 2 serial=8 agency=A channel=paper stratum=A psu=- weight=- fpc=- at=- codes=-1,1,-1\n"
		"error 3 serial duplicate_serial 1/1\n"
		"error 4 serial invalid_serial 1/1\n"
		"error 5 - extra_cells 1/1\n"
		"error 6 serial duplicate_serial 1/1\n"
		"end 0\n");
}

/* Messages name what is wrong, in both languages; the raw row is there to write back. */
static int check_messages(void *ud, const struct respcsv_error *e)
{
	struct strbuf *sb = ud;
	size_t i;

	strbuf_printf(sb, "%s|%s|%s|", e->code, e->message, e->message_vi);
	for (i = 0; e->raw && i < e->raw->nfields; i++)
		strbuf_printf(sb, "[%s]", e->raw->fields[i]);
	strbuf_putc(sb, '\n');
	return 0;
}

static void test_messages(void)
{
	const char *data = "serial,agency,S1_1,weight\n1,A,6,1\n1,A,4,-2\n";
	struct strbuf sb;
	struct respcsv *rc;

	strbuf_init(&sb, 0);
	rc = respcsv_new(form, NULL, NULL, check_messages, &sb);
	CHECK_OK(respcsv_feed(rc, data, strlen(data)));
	CHECK_OK(respcsv_finish(rc));
	CHECK_STR(strbuf_str(&sb),
		"out_of_range|6 is not an answer code of S1_1 (codes: 1, 2, 3, 4, 5)|"
		"Mã 6 không có trong các phương án trả lời của câu hỏi (1, 2, 3, 4, 5).|[1][A][6][1]\n"
		"duplicate_serial|serial \"1\" is used again (first in row 1)|Số phiếu “1” bị trùng với dòng 1.|[1][A][4][-2]\n"
		"invalid_weight|weight \"-2\" is not a positive number|Trọng số “-2” phải là một số dương.|[1][A][4][-2]\n");
	respcsv_free(rc);
	strbuf_done(&sb);
}

static void test_file_errors(void)
{
	struct respcsv_options small = { .max_serials = 2 };
	struct respcsv_options few = { .max_errors = 2 };
	struct respcsv_stats st;
	char *got;
	int r;

	/* a CSV fault stops the file, named by its column */
	expect("agency,S1_1,note\nA,1,ok\nA,1,caf\xe9\nA,1,x\n", NULL,
		"row 1 serial=- agency=A channel=paper stratum=A psu=- weight=- fpc=- at=- codes=-1,1,-1\n"
		"error 2 note encoding 1/1\nend -22\n");
	expect("agency,S1_1,note\nA,1,\"open\n", NULL, "error 1 note quote 1/1\nend -22\n");
	/* the serial set is bounded */
	expect("serial,agency,S1_1\n1,A,1\n2,A,1\n3,A,1\n", &small,
		"row 1 serial=1 agency=A channel=paper stratum=A psu=- weight=- fpc=- at=- codes=-1,1,-1\n"
		"row 2 serial=2 agency=A channel=paper stratum=A psu=- weight=- fpc=- at=- codes=-1,1,-1\n"
		"error 3 serial too_many_rows 1/1\nend -7\n");
	/* errors past max_errors are counted, not passed on */
	got = run("agency,S1_1\nA,9\nA,9\nA,9\nA,1\n", strlen("agency,S1_1\nA,9\nA,9\nA,9\nA,1\n"), 0, &few, &r, &st);
	CHECK_STR(got, "error 1 S1_1 out_of_range 1/1\nerror 2 S1_1 out_of_range 1/1\n"
		"row 4 serial=- agency=A channel=paper stratum=A psu=- weight=- fpc=- at=- codes=-1,1,-1\nend 0\n");
	CHECK_INT(st.rows, 4);
	CHECK_INT(st.valid, 1);
	CHECK_INT(st.invalid, 3);
	CHECK_INT(st.errors, 3);
	free(got);
	/* a bad default channel is refused */
	{
		struct respcsv_options bad = { .default_channel = "fax" };

		CHECK(respcsv_new(form, &bad, NULL, NULL, NULL) == NULL);
	}
}

static void test_stop(void)
{
	struct log l = { .stop_rows = 2 };
	const char *data = "agency,S1_1\nA,1\nA,2\nA,3\n";
	struct respcsv *rc;

	strbuf_init(&l.out, 0);
	rc = respcsv_new(form, NULL, on_row, on_error, &l);
	CHECK_INT(respcsv_feed(rc, data, strlen(data)), -ECANCELED);
	CHECK_INT(respcsv_feed(rc, "A,4\n", 4), -ECANCELED);
	CHECK_INT(respcsv_finish(rc), -ECANCELED);
	CHECK_INT(l.rows, 2);
	respcsv_free(rc);
	strbuf_done(&l.out);
}

static int log_message(void *ud, const struct respcsv_error *e)
{
	struct log *l = ud;

	strbuf_printf(&l->out, "%ld %s %s\n", e->row, e->code, e->message);
	return 0;
}

/* Enough serials to double the set several times (tables of more than a huge page included):
 * a repeated serial still names the row it was first seen in, whatever its length. */
static void many_serials(int hint)
{
	enum { N = 150000 };
	struct strbuf sb;
	struct log l = { 0 };
	struct respcsv *rc;
	struct respcsv_stats st;
	size_t off;
	struct respcsv_options opt = { 0 };

	strbuf_init(&sb, 0);
	strbuf_init(&l.out, 0);
	strbuf_puts(&sb, "serial,agency,S1_1\n");
	for (int i = 0; i < N; i++)
		strbuf_printf(&sb, i % 3 ? "S%d,A,1\n" : "serial-number-%020d,A,1\n", i);
	strbuf_printf(&sb, "S7,A,1\nserial-number-%020d,A,1\nS%d,A,1\nS%d,A,1\nS8 ,A,1\n", 3, N - 1, N);
	opt.input_bytes = hint == 0 ? 0 : hint == 1 ? sb.len : hint == 2 ? sb.len / 10 : sb.len * 10;
	rc = respcsv_new(form, &opt, NULL, log_message, &l);
	for (off = 0; off < sb.len; off += 65536)
		CHECK_OK(respcsv_feed(rc, sb.buf + off, sb.len - off < 65536 ? sb.len - off : 65536));
	CHECK_OK(respcsv_finish(rc));
	respcsv_get_stats(rc, &st);
	CHECK_INT(st.rows, N + 5);
	CHECK_INT(st.invalid, 4);
	CHECK_STR(strbuf_str(&l.out),
		"150001 duplicate_serial serial \"S7\" is used again (first in row 8)\n"
		"150002 duplicate_serial serial \"serial-number-00000000000000000003\" is used again (first in row 4)\n"
		"150003 duplicate_serial serial \"S149999\" is used again (first in row 150000)\n"
		"150005 duplicate_serial serial \"S8\" is used again (first in row 9)\n");
	respcsv_free(rc);
	strbuf_done(&l.out);
	strbuf_done(&sb);
}

static void test_many_serials(void)
{
	/* with the input's size as a hint (right, too small, too large) or without: the same */
	for (int hint = 0; hint < 4; hint++)
		many_serials(hint);
}

static void test_header_write(void)
{
	struct strbuf sb;
	struct log l = { 0 };
	struct respcsv *rc;

	strbuf_init(&sb, 0);
	CHECK_OK(respcsv_write_header(&sb, form, ','));
	CHECK_STR(strbuf_str(&sb), "serial,agency,channel,stratum,psu,weight,fpc,submitted_at,used,S1_1,S1_2,ch,note,age,why\r\n");
	/* the template reads back without a fault */
	strbuf_init(&l.out, 0);
	rc = respcsv_new(form, NULL, on_row, on_error, &l);
	CHECK_OK(respcsv_feed(rc, sb.buf, sb.len));
	CHECK_OK(respcsv_finish(rc));
	CHECK_STR(strbuf_str(&l.out), "");
	respcsv_free(rc);
	strbuf_done(&l.out);
	strbuf_done(&sb);
}

static int log_duplicate(void *ud, const struct respcsv_error *e)
{
	struct log *l = ud;

	strbuf_printf(&l->out, "error %ld %s %s: %s\n", e->row, e->column, e->code, e->message);
	return 0;
}

/* Records read by another reader (a workbook's rows): the same checks, row numbers as given, a
 * duplicate's first row named with the offset. */
static void test_records(void)
{
	static const char *const head[] = { "serial", "agency", "used", "S1_1" };
	static const char *const r1[] = { "K-1", "A", "1", "4" };
	static const char *const r4[] = { "K-1", "A", "1", "9" };
	static const size_t hl[] = { 6, 6, 4, 4 }, l1[] = { 3, 1, 1, 1 };
	struct respcsv_options opt = { .require_serial = true, .row_offset = 1 };
	struct csv_record rec = { .row = 0, .nfields = 4, .fields = head, .lens = hl };
	struct log l = { 0 };
	struct respcsv *rc;

	strbuf_init(&l.out, 0);
	rc = respcsv_new(form, &opt, on_row, log_duplicate, &l);
	CHECK(rc != NULL);
	if (!rc)
		return;
	CHECK_INT(respcsv_feed_record(rc, &rec), 0);
	rec.row = 1;
	rec.fields = r1;
	rec.lens = l1;
	CHECK_INT(respcsv_feed_record(rc, &rec), 0);
	rec.row = 4;            /* rows 2 and 3 of the data were blank */
	rec.fields = r4;
	CHECK_INT(respcsv_feed_record(rc, &rec), 0);
	CHECK_INT(respcsv_finish(rc), 0);
	CHECK_STR(strbuf_str(&l.out),
		  "row 1 serial=K-1 agency=A channel=paper stratum=A psu=- weight=- fpc=- at=- codes=1,4,-1\n"
		  "error 4 S1_1 out_of_range: 9 is not an answer code of S1_1 (codes: 1, 2, 3, 4, 5)\n"
		  "error 4 serial duplicate_serial: serial \"K-1\" is used again (first in row 2)\n");
	respcsv_free(rc);
	strbuf_done(&l.out);
}

int main(void)
{
	struct form_faults ff;

	if (form_parse(form_json, strlen(form_json), &form, &ff) < 0) {
		TEST_FAIL_("test form: %s: %s", ff.list[0].path, ff.list[0].message);
		TEST_DONE();
	}
	test_valid();
	test_header_errors();
	test_row_errors();
	test_messages();
	test_file_errors();
	test_stop();
	test_many_serials();
	test_header_write();
	test_records();
	form_free(form);
	TEST_DONE();
}
