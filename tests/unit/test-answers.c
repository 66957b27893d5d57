/* test-answers.c - one response from a JSON body or posted pairs: every error code, the
 * normalized answers, and agreement between the JSON, pairs and responses-file paths. */
#include <errno.h>

#include "answers.h"
#include "channel.h"
#include "form.h"
#include "respcsv.h"
#include "fixture-form.h"
#include "strbuf.h"
#include "test.h"

static struct form *form;
static struct answers *a;

/* "field code; field code; ..." of the last check */
static char *error_list(void)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, 0);
	for (i = 0; i < a->nerrors; i++) {
		strbuf_printf(&sb, "%s%s %s", i ? "; " : "", a->errors[i].field[0] ? a->errors[i].field : "-",
			a->errors[i].code);
		/* both messages, always */
		CHECK(a->errors[i].message[0] != '\0');
		CHECK(a->errors[i].message_en[0] != '\0');
	}
	{
		char *out = strbuf_steal(&sb);

		return out ? out : strdup("");
	}
}

static void expect_json(const char *body, int want_ret, const char *want_errors)
{
	int r = answers_from_json(a, body, strlen(body));
	char *got = error_list();

	if (r != want_ret)
		TEST_FAIL_("%s: returned %d, expected %d (%s)", body, r, want_ret, got);
	if (strcmp(got, want_errors))
		TEST_FAIL_("%s:\n  got      %s\n  expected %s", body, got, want_errors);
	CHECK_INT(a->errors_total, a->nerrors);
	free(got);
}

static void test_valid_json(void)
{
	const char *body = "{\"id\": \"0F8FAD5B-D9CB-469F-A165-70867728950E\", \"agency\": \"SNV\", "
		"\"answers\": {\"age\": 45.5, \"note\": \"  Tiếng Việt \", \"ch\": [3, 1], \"S1_2\": 5, "
		"\"used\": 1, \"S1_1\": 4, \"why\": null}}";

	CHECK_OK(answers_from_json(a, body, strlen(body)));
	CHECK_STR(a->id, "0f8fad5b-d9cb-469f-a165-70867728950e");
	CHECK_STR(a->agency, "SNV");
	CHECK_STR(a->invite, "");
	/* question order, sorted multi codes, trimmed text, null left out; 10 characters of 14 bytes */
	CHECK_STR(a->json, "{\"used\":1,\"S1_1\":4,\"S1_2\":5,\"ch\":[1,3],\"note\":\"Tiếng Việt\",\"age\":45.5}");
	CHECK_INT(a->json_len, strlen(a->json));
	CHECK_INT(form->nslots, 3);
	CHECK_INT(a->codes[0], 1);
	CHECK_INT(a->codes[1], 4);
	CHECK_INT(a->codes[2], 5);
	CHECK_INT(a->nerrors, 0);

	/* an invitation may stand in for the agency; an empty multi is no answer */
	expect_json("{\"invite\": \"K7QM-3XPA-9RTD-HW2C\", \"answers\": {\"S1_1\": 1, \"ch\": []}}", 0, "");
	CHECK_STR(a->invite, "K7QM-3XPA-9RTD-HW2C");
	CHECK_STR(a->agency, "");
	CHECK_STR(a->json, "{\"S1_1\":1}");
	CHECK_INT(a->codes[0], FORM_NO_ANSWER);
	CHECK_INT(a->codes[2], FORM_NO_ANSWER);
	/* used = 2: why is asked and required */
	expect_json("{\"agency\": \"A\", \"answers\": {\"used\": 2, \"S1_1\": 3, \"why\": \"xa\"}}", 0, "");
	CHECK_INT(a->channel, -1);
	/* the channel: a code of channel.h; null or "" is none */
	expect_json("{\"agency\": \"A\", \"channel\": \"interview\", \"answers\": {\"S1_1\": 3}}", 0, "");
	CHECK_INT(a->channel, FORM_CHANNEL_INTERVIEW);
	expect_json("{\"agency\": \"A\", \"channel\": \"web\", \"answers\": {\"S1_1\": 3}}", 0, "");
	CHECK_INT(a->channel, FORM_CHANNEL_WEB);
	expect_json("{\"agency\": \"A\", \"channel\": null, \"answers\": {\"S1_1\": 3}}", 0, "");
	CHECK_INT(a->channel, -1);
}

static void test_json_errors(void)
{
	char buf[600];
	size_t i;

	/* every code of a question */
	expect_json("{\"agency\": \"A\", \"answers\": {\"used\": 3, \"S1_1\": 6, \"ch\": [9], \"age\": 150}}",
		-EINVAL, "used out_of_range; S1_1 out_of_range; ch out_of_range; age out_of_range");
	expect_json("{\"agency\": \"A\", \"answers\": {\"used\": 1.5, \"S1_1\": 4.0, \"ch\": [1, \"x\"], \"S1_2\": 10000}}",
		-EINVAL, "used invalid_code; S1_1 invalid_code; ch invalid_code; S1_2 out_of_range");
	expect_json("{\"agency\": \"A\", \"answers\": {\"used\": \"1\", \"S1_1\": 4, \"ch\": 1, \"note\": 5, \"age\": \"45\", \"S1_2\": [4]}}",
		-EINVAL, "used invalid_type; ch invalid_type; note invalid_type; age invalid_type; S1_2 invalid_type");
	expect_json("{\"agency\": \"A\", \"answers\": {\"S1_1\": 4, \"ch\": [2, 2], \"note\": \"01234567890\"}}",
		-EINVAL, "ch duplicate; note too_long");
	expect_json("{\"agency\": \"A\", \"answers\": {\"used\": 2, \"S1_2\": 4}}",
		-EINVAL, "S1_1 required; S1_2 not_asked; why required");
	expect_json("{\"agency\": \"A\", \"answers\": {\"S1_1\": -1, \"S9\": 1, \"age\": 17}}",
		-EINVAL, "S1_1 out_of_range; S9 unknown_question; age out_of_range");
	/* the envelope */
	expect_json("{\"answers\": {\"S1_1\": 4}}", -EINVAL, "agency missing_agency");
	expect_json("{\"agency\": \"\", \"answers\": {\"S1_1\": 4}}", -EINVAL, "agency missing_agency");
	expect_json("{\"agency\": \"Sở Nội vụ\", \"answers\": {\"S1_1\": 4}}", -EINVAL, "agency invalid_agency");
	expect_json("{\"agency\": 7, \"answers\": {\"S1_1\": 4}}", -EINVAL, "agency invalid_type");
	expect_json("{\"id\": \"not-a-uuid\", \"agency\": \"A\", \"answers\": {\"S1_1\": 4}}", -EINVAL, "id invalid_id");
	expect_json("{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950\", \"agency\": \"A\", \"answers\": {\"S1_1\": 4}}",
		-EINVAL, "id invalid_id");
	expect_json("{\"invite\": \"<script>\", \"answers\": {\"S1_1\": 4}}", -EINVAL,
		"invite invalid_invite; agency missing_agency");
	expect_json("{\"agency\": \"A\", \"answers\": {\"S1_1\": 4}, \"extra\": 1}", -EINVAL, "extra unknown_field");
	expect_json("{\"agency\": \"A\", \"channel\": \"fax\", \"answers\": {\"S1_1\": 4}}", -EINVAL, "channel invalid_channel");
	expect_json("{\"agency\": \"A\", \"channel\": \"interviewinterview\", \"answers\": {\"S1_1\": 4}}", -EINVAL,
		"channel invalid_channel");
	expect_json("{\"agency\": \"A\", \"channel\": 2, \"answers\": {\"S1_1\": 4}}", -EINVAL, "channel invalid_type");
	expect_json("{\"agency\": \"A\", \"answers\": [4]}", -EINVAL, "answers invalid_type; S1_1 required");
	expect_json("{\"agency\": \"A\"}", -EINVAL, "S1_1 required");
	/* the body: not JSON, duplicate keys, not an object, huge numbers, nesting, encoding */
	expect_json("{\"agency\": \"A\", ", -EINVAL, "- invalid_json");
	expect_json("{\"agency\": \"A\", \"agency\": \"B\", \"answers\": {}}", -EINVAL, "- invalid_json");
	expect_json("{\"agency\": \"A\", \"answers\": {\"S1_1\": 4, \"S1_1\": 5}}", -EINVAL, "- invalid_json");
	expect_json("[1, 2]", -EINVAL, "- invalid_json");
	expect_json("\"x\"", -EINVAL, "- invalid_json");
	expect_json("{\"agency\": \"A\", \"answers\": {\"S1_1\": 123456789012345678901234567890}}", -EINVAL, "- invalid_json");
	expect_json("{\"agency\": \"A\", \"answers\": {\"age\": 1e400}}", -EINVAL, "- invalid_json");
	expect_json("{\"agency\": \"A\", \"answers\": {\"S1_1\": 9223372036854775807}}", -EINVAL, "S1_1 out_of_range");
	expect_json("{\"agency\": \"A\", \"answers\": {\"note\": \"a\\u0000b\"}}", -EINVAL, "- invalid_json");
	expect_json("{\"agency\": \"A\", \"answers\": {\"note\": \"caf\xe9\"}}", -EINVAL, "- encoding");
	/* nesting: 32 levels pass the depth check (then fail as answers), 33 do not */
	for (int depth = 32; depth <= 33; depth++) {
		size_t n = 0;

		n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"agency\": \"A\", \"answers\": {\"note\": ");
		for (i = 2; i < (size_t)depth; i++)
			buf[n++] = '[';
		for (i = 2; i < (size_t)depth; i++)
			buf[n++] = ']';
		n += (size_t)snprintf(buf + n, sizeof buf - n, ", \"S1_1\": 4}}");
		expect_json(buf, -EINVAL, depth == 32 ? "note invalid_type" : "- too_deep");
	}
	/* brackets inside strings do not count */
	expect_json("{\"agency\": \"A\", \"answers\": {\"S1_1\": 4, \"note\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}}",
		-EINVAL, "note too_long");
	/* size */
	{
		size_t n = ANSWERS_MAX_BODY + 1;
		char *big = malloc(n);

		memset(big, ' ', n);
		big[0] = '{';
		big[n - 1] = '}';
		CHECK_INT(answers_from_json(a, big, n), -E2BIG);
		CHECK_OK(answers_from_json(a, "{\"agency\":\"A\",\"answers\":{\"S1_1\":1}}", 35));
		free(big);
	}
}

static void test_messages(void)
{
	struct strbuf sb;
	const struct answers_error *e;
	const char *body = "{\"agency\": \"A\", \"answers\": {\"used\": 2, \"S1_2\": 4, \"S1_1\": 7, \"note\": \"01234567890\"}}";

	CHECK_INT(answers_from_json(a, body, strlen(body)), -EINVAL);
	e = answers_error_for(a, "S1_1");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->code, "out_of_range");
		CHECK_STR(e->message, "Mã 7 không có trong các phương án trả lời của câu hỏi (1, 2, 3, 4, 5).");
		CHECK_STR(e->message_en, "7 is not an answer code of S1_1 (codes: 1, 2, 3, 4, 5)");
	}
	e = answers_error_for(a, "S1_2");
	CHECK(e && !strcmp(e->message, "Câu hỏi này không áp dụng với câu trả lời của Ông/Bà ở câu used; vui lòng để trống."));
	e = answers_error_for(a, "why");
	CHECK(e && !strcmp(e->message, "Vui lòng trả lời câu hỏi này."));
	e = answers_error_for(a, "note");
	CHECK(e && !strcmp(e->message, "Câu trả lời dài quá 10 ký tự."));
	CHECK(answers_error_for(a, "age") == NULL);
	strbuf_init(&sb, 0);
	CHECK_OK(answers_write_errors(a, &sb));
	CHECK(strncmp(strbuf_str(&sb), "{\"errors\":[{\"field\":\"S1_1\",\"code\":\"out_of_range\",\"message\":\"Mã 7 ", 66) == 0);
	CHECK(strstr(strbuf_str(&sb), "{\"field\":\"why\",\"code\":\"required\",\"message\":\"Vui lòng trả lời câu hỏi này.\"}]}") != NULL);
	strbuf_done(&sb);
}

static const char same_body[] = "{\"agency\": \"SNV\", \"answers\": {\"used\": 1, \"S1_1\": 4, "
	"\"S1_2\": 5, \"ch\": [1, 3], \"note\": \"Tiếng Việt\", \"age\": 45.5}}";

#define P(n, v) { n, v, sizeof v - 1 }

static void test_pairs(void)
{
	static const struct answers_pair ok[] = {
		P("_csrf", "xyz"), P("agency", "SNV"), P("used", "1"), P("S1_1", " 4 "), P("S1_2", "5"),
		P("ch", "3"), P("ch", "1"), P("note", "Tiếng Việt"), P("age", "45,5"), P("why", ""),
	};
	static const struct answers_pair bad[] = {
		P("agency", "SNV"), P("agency", "SNV"), P("used", "1"), P("used", "2"), P("S1_1", "x"),
		P("ch", "1;1"), P("age", "abc"), P("S9", "1"), P("note", "a\xff"), P("id", "nope"),
	};
	static const struct answers_pair none[] = { P("S1_1", "3") };
	char *json;
	char *got;
	int r;

	CHECK_OK(answers_from_pairs(a, ok, sizeof ok / sizeof ok[0]));
	/* the same answers as JSON give the same normalized text: one validator */
	json = strdup(a->json);
	CHECK_STR(json, "{\"used\":1,\"S1_1\":4,\"S1_2\":5,\"ch\":[1,3],\"note\":\"Tiếng Việt\",\"age\":45.5}");
	CHECK_OK(answers_from_json(a, same_body, strlen(same_body)));
	CHECK_STR(a->json, json);
	free(json);

	r = answers_from_pairs(a, bad, sizeof bad / sizeof bad[0]);
	CHECK_INT(r, -EINVAL);
	got = error_list();
	CHECK_STR(got, "agency duplicate; used duplicate; S1_1 invalid_code; ch duplicate; age invalid_number; "
		"S9 unknown_question; note encoding; id invalid_id");
	free(got);
	CHECK_INT(answers_from_pairs(a, none, 1), -EINVAL);
	got = error_list();
	CHECK_STR(got, "agency missing_agency");
	free(got);
}

/* The responses file gives the same normalized answers and codes as the intake. */
static int on_row(void *ud, const struct respcsv_row *row)
{
	struct strbuf *sb = ud;

	strbuf_printf(sb, "%s|%d,%d,%d", row->answers_json, row->codes[0], row->codes[1], row->codes[2]);
	return 0;
}

static void test_same_as_file(void)
{
	const char *csv = "agency,used,S1_1,S1_2,ch,note,age\nSNV,1,4,5,3;1,Tiếng Việt,\"45,5\"\n";
	struct respcsv_options opt = { .want_json = true };
	struct respcsv *rc;
	struct strbuf sb, want;

	strbuf_init(&sb, 0);
	strbuf_init(&want, 0);
	rc = respcsv_new(form, &opt, on_row, NULL, &sb);
	CHECK_OK(respcsv_feed(rc, csv, strlen(csv)));
	CHECK_OK(respcsv_finish(rc));
	respcsv_free(rc);
	CHECK_OK(answers_from_json(a, same_body, strlen(same_body)));
	strbuf_printf(&want, "%s|%d,%d,%d", a->json, a->codes[0], a->codes[1], a->codes[2]);
	CHECK_STR(strbuf_str(&sb), strbuf_str(&want));
	strbuf_done(&sb);
	strbuf_done(&want);
}

int main(void)
{
	struct form_faults ff;

	if (form_parse(form_json, strlen(form_json), &form, &ff) < 0) {
		TEST_FAIL_("test form: %s: %s", ff.list[0].path, ff.list[0].message);
		TEST_DONE();
	}
	a = answers_new(form);
	CHECK(a != NULL);
	if (a) {
		test_valid_json();
		test_json_errors();
		test_messages();
		test_pairs();
		test_same_as_file();
	}
	answers_free(a);
	answers_free(NULL);
	form_free(form);
	TEST_DONE();
}
