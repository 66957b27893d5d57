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

int db_codes_bin(const char *p, size_t len, int16_t *out, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t width, i, k;

	if (len < 1 || (u[0] != 1 && u[0] != 2) || (len - 1) % u[0] != 0 || (len - 1) / u[0] > n)
		return -EIO;
	width = u[0];
	for (i = 0, k = 1; k < len; i++, k += width) {
		unsigned v = width == 1 ? u[k] : (unsigned)u[k] << 8 | u[k + 1];

		if (v > 32768)
			return -EIO;
		out[i] = (int16_t)((int)v - 1);
	}
	for (; i < n; i++)
		out[i] = -1;
	return 0;
}
