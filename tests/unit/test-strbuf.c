/* test-strbuf.c - the growable buffer and the JSON writer. */
#include <errno.h>

#include "jsonw.h"
#include "strbuf.h"
#include "test.h"

static void test_limit(void)
{
	struct strbuf sb;

	strbuf_init(&sb, 8);
	CHECK_OK(strbuf_puts(&sb, "1234567"));
	CHECK_INT(strbuf_puts(&sb, "89"), -E2BIG);
	CHECK_STR(strbuf_str(&sb), "1234567");
	CHECK_OK(strbuf_putc(&sb, '8'));
	CHECK_INT(sb.len, 8);
	strbuf_done(&sb);
}

static void test_printf(void)
{
	struct strbuf sb;
	char *s;

	strbuf_init(&sb, 0);
	CHECK_STR(strbuf_str(&sb), "");
	CHECK_OK(strbuf_printf(&sb, "%s-%d", "a", 42));
	CHECK_OK(strbuf_printf(&sb, "%0100d", 7));
	CHECK_INT(sb.len, 4 + 100);
	s = strbuf_steal(&sb);
	CHECK(strncmp(s, "a-42000", 7) == 0);
	free(s);
	CHECK_INT(sb.len, 0);
	strbuf_done(&sb);
}

static void test_json(void)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	CHECK_OK(jsonw_string(&sb, "a\"b\\c\n\x01 Việt"));
	CHECK_STR(strbuf_str(&sb), "\"a\\\"b\\\\c\\n\\u0001 Việt\"");
	strbuf_reset(&sb);
	CHECK_OK(jsonw_double(&sb, 0.1));
	CHECK_STR(strbuf_str(&sb), "0.1");
	strbuf_reset(&sb);
	CHECK_OK(jsonw_double(&sb, 79.176270275357104));
	CHECK(strtod(strbuf_str(&sb), NULL) == 79.176270275357104);
	strbuf_reset(&sb);
	CHECK_OK(jsonw_double(&sb, NAN));
	CHECK_STR(strbuf_str(&sb), "null");
	strbuf_reset(&sb);
	CHECK_OK(jsonw_key(&sb, 1, "k"));
	CHECK_OK(jsonw_key(&sb, 0, "l"));
	CHECK_STR(strbuf_str(&sb), "\"k\":,\"l\":");
	strbuf_done(&sb);
}

/* Members: a comma before each but an object's first, values as the typed writers write them. */
static void test_json_members(void)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	CHECK_OK(strbuf_putc(&sb, '{'));
	CHECK_OK(jsonw_member_str(&sb, "s", "a\"b"));
	CHECK_OK(jsonw_member_str(&sb, "z", NULL));
	CHECK_OK(jsonw_member_int(&sb, "i", -9007199254740993LL));
	CHECK_OK(jsonw_member_num(&sb, "x", 0.1));
	CHECK_OK(jsonw_member_num(&sb, "nan", NAN));
	CHECK_OK(jsonw_member_bool(&sb, "t", true));
	CHECK_OK(jsonw_member(&sb, "o"));
	CHECK_OK(strbuf_putc(&sb, '{'));
	CHECK_OK(jsonw_member_bool(&sb, "f", false));
	CHECK_OK(strbuf_puts(&sb, "}}"));
	CHECK_STR(strbuf_str(&sb), "{\"s\":\"a\\\"b\",\"z\":null,\"i\":-9007199254740993,\"x\":0.1,"
		  "\"nan\":null,\"t\":true,\"o\":{\"f\":false}}");
	/* an empty buffer: a fragment's first member */
	strbuf_reset(&sb);
	CHECK_OK(jsonw_member_int(&sb, "n", 1));
	CHECK_STR(strbuf_str(&sb), "\"n\":1");
	/* past the limit: an error */
	strbuf_done(&sb);
	strbuf_init(&sb, 4);
	CHECK_OK(strbuf_putc(&sb, '{'));
	CHECK_INT(jsonw_member_str(&sb, "long", "value"), -E2BIG);
	strbuf_done(&sb);
}

int main(void)
{
	test_limit();
	test_printf();
	test_json();
	test_json_members();
	TEST_DONE();
}
