/* urlencoded.c - application/x-www-form-urlencoded bodies, decoded in one pass into one buffer. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "urlencoded.h"
#include "utf8.h"

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

/* Decodes src[0..n) into dst (at least n bytes); returns the decoded length or -EBADMSG. */
static long decode(const char *src, size_t n, char *dst)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = src[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -EBADMSG;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -EBADMSG;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return -EBADMSG;
		dst[o++] = c;
	}
	return (long)o;
}

int urlenc_parse(const char *body, size_t len, struct urlenc_form *form)
{
	size_t pos = 0, nfields = 0, i, o = 0;
	int r = 0;

	memset(form, 0, sizeof *form);
	for (i = 0; i < len; i++)
		if (body[i] == '&')
			nfields++;
	nfields++;
	if (nfields > URLENC_MAX_FIELDS)
		return -E2BIG;
	form->fields = calloc(nfields, sizeof *form->fields);
	form->storage = malloc(len + 2 * nfields + 1);
	if (!form->fields || !form->storage) {
		r = -ENOMEM;
		goto out;
	}
	while (pos < len) {
		const char *part = body + pos, *amp = memchr(part, '&', len - pos), *eq;
		size_t plen = amp ? (size_t)(amp - part) : len - pos;
		long nl, vl;

		pos += plen + 1;
		if (plen == 0)
			continue;
		eq = memchr(part, '=', plen);
		if (!eq)
			eq = part + plen;
		if ((size_t)(eq - part) > 3 * URLENC_MAX_NAME) {
			r = -E2BIG;
			goto out;
		}
		nl = decode(part, (size_t)(eq - part), form->storage + o);
		if (nl < 0) {
			r = (int)nl;
			goto out;
		}
		if (nl > URLENC_MAX_NAME) {
			r = -E2BIG;
			goto out;
		}
		form->fields[form->n].name = form->storage + o;
		o += (size_t)nl;
		form->storage[o++] = '\0';
		vl = eq < part + plen ? decode(eq + 1, (size_t)(part + plen - eq - 1), form->storage + o) : 0;
		if (vl < 0) {
			r = (int)vl;
			goto out;
		}
		if (vl > URLENC_MAX_VALUE) {
			r = -E2BIG;
			goto out;
		}
		form->fields[form->n].value = form->storage + o;
		form->fields[form->n].len = (size_t)vl;
		if (utf8_valid_prefix(form->fields[form->n].name, (size_t)nl) != (size_t)nl ||
		    utf8_valid_prefix(form->storage + o, (size_t)vl) != (size_t)vl) {
			r = -EILSEQ;
			goto out;
		}
		o += (size_t)vl;
		form->storage[o++] = '\0';
		form->n++;
	}
out:
	if (r < 0)
		urlenc_done(form);
	return r;
}

void urlenc_done(struct urlenc_form *form)
{
	if (!form)
		return;
	free(form->fields);
	free(form->storage);
	memset(form, 0, sizeof *form);
}

const char *urlenc_get(const struct urlenc_form *form, const char *name)
{
	size_t i;

	for (i = 0; i < form->n; i++)
		if (strcmp(form->fields[i].name, name) == 0)
			return form->fields[i].value;
	return NULL;
}
