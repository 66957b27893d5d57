/* gzip.c - the gzip content coding with zlib (see gzip.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "gzip.h"
#include "strbuf.h"

#define GZIP_WINDOW (15 + 16)     /* zlib: a 32 KB window, gzip header and trailer */
#define ACCEPT_MAX 1024           /* longer Accept-Encoding values are not read */

int gzip_compress(const char *in, size_t n, struct strbuf *out)
{
	unsigned char *buf = NULL;
	uLong bound;
	z_stream z;
	int r;

	memset(&z, 0, sizeof z);
	if (n > UINT32_MAX)           /* avail_in is a uInt */
		return -EINVAL;
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	bound = deflateBound(&z, (uLong)n);
	if (bound > UINT32_MAX || !(buf = malloc(bound))) {
		r = -ENOMEM;
		goto out;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = buf;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {   /* the bound holds it all in one call */
		r = -EIO;
		goto out;
	}
	r = strbuf_append(out, buf, z.total_out);
out:
	deflateEnd(&z);
	free(buf);
	return r;
}

/* The q-value of one element's parameters ("; q=0.5"): 1 when none, 0 for q=0 (and 0.0...). */
static double qvalue(const char *p, size_t n)
{
	const char *q = p;

	while (q < p + n && (q = memchr(q, ';', (size_t)(p + n - q)))) {
		q++;
		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (q + 2 <= p + n && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
			return strtod(q + 2, NULL);
	}
	return 1;
}

bool gzip_accepted(const char *value)
{
	const char *p = value;
	int named = -1, star = -1;   /* gzip's own q > 0, and "*"'s; -1: not listed */

	if (!value || strlen(value) > ACCEPT_MAX)
		return false;
	while (*p) {
		size_t n = strcspn(p, ","), t;

		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		t = strcspn(p, " \t;,");
		if (t > n)
			t = n;
		if ((t == 4 && !strncasecmp(p, "gzip", 4)) || (t == 6 && !strncasecmp(p, "x-gzip", 6)))
			named = named == 1 || qvalue(p, n) > 0;
		else if (t == 1 && *p == '*')
			star = star == 1 || qvalue(p, n) > 0;
		p += n + (p[n] == ',');
	}
	/* a coding listed by name takes its own q-value; "*" speaks for those not listed */
	return named >= 0 ? named == 1 : star == 1;
}
