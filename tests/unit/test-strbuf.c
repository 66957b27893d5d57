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

int main(void)
{
	test_limit();
	test_printf();
	test_json();
	TEST_DONE();
}
