/* db-codes.c - the coded answers as stored: a bytea whose byte 0 is the width of a code (1 or
 * 2), then one code per slot, big-endian, as code + 1 (0 = no answer); see 008_compact.sql. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "db-internal.h"

static const char hexdig[] = "0123456789abcdef";

int db_codes_put(struct strbuf *sb, const int16_t *codes, size_t n, bool copy)
{
	char tmp[512], *p = tmp;
	unsigned width = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (codes[i] >= 255)
			width = 2;
	*p++ = '\\';
	if (copy)
		*p++ = '\\';
	*p++ = 'x';
	*p++ = '0';
	*p++ = (char)('0' + width);
	for (i = 0; i < n; i++) {
		unsigned v = codes[i] < 0 ? 0 : (unsigned)codes[i] + 1;

		if (p - tmp > (long)sizeof tmp - 4) {
			if (strbuf_append(sb, tmp, (size_t)(p - tmp)) < 0)
				return -ENOMEM;
			p = tmp;
		}
		if (width == 2) {
			*p++ = hexdig[(v >> 12) & 15];
			*p++ = hexdig[(v >> 8) & 15];
		}
		*p++ = hexdig[(v >> 4) & 15];
		*p++ = hexdig[v & 15];
	}
	return strbuf_append(sb, tmp, (size_t)(p - tmp)) < 0 ? -ENOMEM : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int db_codes_get(const char *s, int16_t *out, size_t n)
{
	unsigned width, v;
	size_t i = 0, k;
	int h, l;

	if (s[0] != '\\' || s[1] != 'x' || s[2] != '0' || (s[3] != '1' && s[3] != '2'))
		return -EIO;
	width = (unsigned)(s[3] - '0');
	s += 4;
	while (*s) {
		if (i >= n)
			return -EIO;
		for (v = 0, k = 0; k < width; k++, s += 2) {
			if ((h = hexval(s[0])) < 0 || (l = hexval(s[1])) < 0)
				return -EIO;
			v = v << 8 | (unsigned)(h << 4 | l);
		}
		if (v > 32768)
			return -EIO;
		out[i++] = (int16_t)((int)v - 1);
	}
	while (i < n)
		out[i++] = -1;
	return 0;
}
