/* jsonw.c - append JSON values to a strbuf. */
#include "jsonw.h"

#include <math.h>

#include "dtoa.h"

int jsonw_stringn(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	int r;

	if ((r = strbuf_putc(sb, '"')) < 0)
		return r;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if ((r = strbuf_append(sb, s + run, i - run)) < 0)
			return r;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
			esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
			elen = 6;
		}
		if ((r = strbuf_append(sb, esc, elen)) < 0)
			return r;
	}
	if ((r = strbuf_append(sb, s + run, n - run)) < 0)
		return r;
	return strbuf_putc(sb, '"');
}

int jsonw_string(struct strbuf *sb, const char *s)
{
	size_t n = 0;

	if (!s)
		return strbuf_puts(sb, "null");
	while (s[n])
		n++;
	return jsonw_stringn(sb, s, n);
}

int jsonw_double(struct strbuf *sb, double v)
{
	char buf[DTOA_BUF];
	size_t n;

	if (!isfinite(v))
		return strbuf_puts(sb, "null");
	if (v == 0)
		return strbuf_puts(sb, "0");
	/* the shortest representation that reads back as the same double */
	n = dtoa_shortest(buf, v);
	return strbuf_append(sb, buf, n);
}

int jsonw_key(struct strbuf *sb, int first, const char *key)
{
	int r;

	if (!first && (r = strbuf_putc(sb, ',')) < 0)
		return r;
	if ((r = jsonw_string(sb, key)) < 0)
		return r;
	return strbuf_putc(sb, ':');
}

int jsonw_member(struct strbuf *sb, const char *key)
{
	return jsonw_key(sb, sb->len == 0 || sb->buf[sb->len - 1] == '{', key);
}

int jsonw_member_str(struct strbuf *sb, const char *key, const char *s)
{
	int r = jsonw_member(sb, key);

	return r < 0 ? r : jsonw_string(sb, s);
}

int jsonw_member_int(struct strbuf *sb, const char *key, long long v)
{
	int r = jsonw_member(sb, key);

	return r < 0 ? r : strbuf_printf(sb, "%lld", v);
}

int jsonw_member_num(struct strbuf *sb, const char *key, double v)
{
	int r = jsonw_member(sb, key);

	return r < 0 ? r : jsonw_double(sb, v);
}

int jsonw_member_bool(struct strbuf *sb, const char *key, bool v)
{
	int r = jsonw_member(sb, key);

	return r < 0 ? r : strbuf_puts(sb, v ? "true" : "false");
}
