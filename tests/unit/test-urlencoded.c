/* test-urlencoded.c - form-post bodies: decoding, repeats, hostile input. */
#include <errno.h>

#include "test.h"
#include "urlencoded.h"

static void test_decode(void)
{
	struct urlenc_form f;
	const char *body = "a=1&b=hello+world&c=%C4%90%E1%BB%93ng&a=2&empty=&flag&&x=%25";

	CHECK_OK(urlenc_parse(body, strlen(body), &f));
	CHECK_INT(f.n, 7);
	CHECK_STR(urlenc_get(&f, "a"), "1");
	CHECK_STR(f.fields[3].name, "a");
	CHECK_STR(f.fields[3].value, "2");
	CHECK_STR(urlenc_get(&f, "b"), "hello world");
	CHECK_STR(urlenc_get(&f, "c"), "Đồng");
	CHECK_STR(urlenc_get(&f, "empty"), "");
	CHECK_STR(urlenc_get(&f, "flag"), "");
	CHECK_STR(urlenc_get(&f, "x"), "%");
	CHECK(urlenc_get(&f, "missing") == NULL);
	urlenc_done(&f);
	CHECK_OK(urlenc_parse("", 0, &f));
	CHECK_INT(f.n, 0);
	urlenc_done(&f);
}

static void test_hostile(void)
{
	struct urlenc_form f;
	static char big[40000];
	size_t i;

	CHECK_INT(urlenc_parse("a=%zz", 5, &f), -EBADMSG);
	CHECK_INT(urlenc_parse("a=%4", 4, &f), -EBADMSG);
	CHECK_INT(urlenc_parse("a=%", 3, &f), -EBADMSG);
	CHECK_INT(urlenc_parse("a=%00", 5, &f), -EBADMSG);
	CHECK_INT(urlenc_parse("a=%C4", 5, &f), -EILSEQ);
	CHECK_INT(urlenc_parse("a=%ff%fe", 8, &f), -EILSEQ);
	/* too many fields */
	for (i = 0; i < 2 * URLENC_MAX_FIELDS + 2; i += 2) {
		big[i] = 'a';
		big[i + 1] = '&';
	}
	CHECK_INT(urlenc_parse(big, 2 * URLENC_MAX_FIELDS + 2, &f), -E2BIG);
	/* a value past the limit */
	big[0] = 'v';
	big[1] = '=';
	for (i = 2; i < sizeof big; i++)
		big[i] = 'x';
	CHECK_INT(urlenc_parse(big, sizeof big, &f), -E2BIG);
	CHECK(f.fields == NULL);
}

int main(void)
{
	test_decode();
	test_hostile();
	TEST_DONE();
}
