/* test-page.c - the HTML shell, the escaper and the error page (pages/page.c). */
#include <errno.h>

#include "page.h"
#include "static-files.h"
#include "test.h"

static void test_escape(void)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	CHECK_OK(html_escape(&sb, "a<b>&\"c'd"));
	CHECK_OK(html_escape(&sb, NULL));
	CHECK_OK(html_escape(&sb, "Lạng Sơn"));
	CHECK_STR(strbuf_str(&sb), "a&lt;b&gt;&amp;&quot;c&#39;dLạng Sơn");
	strbuf_done(&sb);
}

static void test_shell(void)
{
	struct strbuf sb;
	const char *s;

	strbuf_init(&sb, 0);
	CHECK_OK(page_begin(&sb, PAGE_STAFF, "A & B"));
	CHECK_OK(page_end(&sb));
	s = strbuf_str(&sb);
	CHECK(!strncmp(s, "<!doctype html>\n<html lang=\"vi\">", 32));
	CHECK(strstr(s, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">") != NULL);
	CHECK(strstr(s, "<title>A &amp; B</title>") != NULL);
	CHECK(strstr(s, "<body><header class=\"site\"><a href=\"/\">SIPAS Lạng Sơn</a></header><main>") != NULL);
	CHECK(strstr(s, ".cards{") != NULL);              /* the one stylesheet, inlined */
	CHECK_INT(strlen(sipas_css), sipas_css_len);
	CHECK(strstr(s, "</main></body></html>\n") == s + sb.len - strlen("</main></body></html>\n"));
	strbuf_reset(&sb);
	CHECK_OK(page_begin(&sb, PAGE_CITIZEN, "t"));
	CHECK(strstr(strbuf_str(&sb), "<body class=\"citizen\"><header class=\"site\">SIPAS Lạng Sơn</header><main>") != NULL);
	CHECK(strstr(strbuf_str(&sb), "rel=\"manifest\"") == NULL);
	/* an offline page: the manifest's link in the head, escaped, before the stylesheet */
	strbuf_reset(&sb);
	CHECK_OK(page_begin_app(&sb, PAGE_CITIZEN, "t", "/s/a\"b/manifest.webmanifest"));
	s = strbuf_str(&sb);
	CHECK(strstr(s, "</title><link rel=\"manifest\" href=\"/s/a&quot;b/manifest.webmanifest\"><style>") != NULL);
	CHECK(strstr(s, "</head>") > strstr(s, "rel=\"manifest\""));
	strbuf_done(&sb);
}

static void test_error(void)
{
	struct strbuf sb;
	const char *s;

	/* an English message (the API's) gives way to the status's Vietnamese sentence */
	strbuf_init(&sb, 0);
	CHECK_OK(page_error(&sb, 404, "no such survey round"));
	s = strbuf_str(&sb);
	CHECK(strstr(s, "<title>Lỗi 404: Không tìm thấy</title>") != NULL);
	CHECK(strstr(s, "<h1>Lỗi 404: Không tìm thấy</h1><p>Không có trang nào") != NULL);
	CHECK(strstr(s, "no such survey round") == NULL);
	CHECK(strstr(s, "<p><a href=\"/\">Về trang chủ</a></p></main></body></html>\n") != NULL);
	CHECK(strstr(s, "<style>") != NULL);
	/* a Vietnamese message is the text, escaped */
	strbuf_reset(&sb);
	CHECK_OK(page_error(&sb, 403, "Trang này dành cho <cán bộ>."));
	s = strbuf_str(&sb);
	CHECK(strstr(s, "<h1>Lỗi 403: Không có quyền truy cập</h1><p>Trang này dành cho &lt;cán bộ&gt;.</p>") != NULL);
	/* a status without a reason of its own; a NULL message */
	strbuf_reset(&sb);
	CHECK_OK(page_error(&sb, 418, NULL));
	CHECK(strstr(strbuf_str(&sb), "<h1>Lỗi 418: Có lỗi xảy ra</h1>") != NULL);
	strbuf_done(&sb);
	/* past the buffer's limit: an error */
	strbuf_init(&sb, 64);
	CHECK_INT(page_error(&sb, 500, NULL), -E2BIG);
	strbuf_done(&sb);
}

int main(void)
{
	test_escape();
	test_shell();
	test_error();
	TEST_DONE();
}
