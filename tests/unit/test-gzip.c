/* test-gzip.c - the gzip content coding (http/gzip.c): a stream zlib reads back to the same
 * bytes, and which Accept-Encoding values accept it, hostile ones included. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "gzip.h"
#include "strbuf.h"
#include "test.h"

/* Inflates a gzip stream of at most cap bytes' content; returns its length or -1. */
static long gunzip(const char *in, size_t n, char *out, size_t cap)
{
	z_stream z;
	long len = -1;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (inflate(&z, Z_FINISH) == Z_STREAM_END && z.avail_in == 0)
		len = (long)z.total_out;
	inflateEnd(&z);
	return len;
}

static void round_trip(const char *in, size_t n)
{
	struct strbuf gz;
	char *back = malloc(n + 1);

	CHECK(back != NULL);
	strbuf_init(&gz, 0);
	CHECK_OK(gzip_compress(in, n, &gz));
	CHECK(gz.len >= 18);                                   /* header and trailer */
	CHECK((unsigned char)gz.buf[0] == 0x1f && (unsigned char)gz.buf[1] == 0x8b);
	CHECK_INT(gunzip(gz.buf, gz.len, back, n + 1), (long long)n);
	CHECK(memcmp(back, in, n) == 0);
	strbuf_done(&gz);
	free(back);
}

int main(void)
{
	static const char *yes[] = { "gzip", "GZIP", "gzip, deflate, br", "br;q=1.0, gzip;q=0.5", "*",
				     "x-gzip", "deflate,gzip", " gzip ;q=0.001", "identity, *;q=0.1", "gzip;level=1" };
	static const char *no[] = { "", "identity", "deflate, br", "gzip;q=0", "gzip; q=0.000", "*;q=0",
				    "gzipx", "xgzip", "gz", ",,,,", ";q=1", "gzip;q=", "br, gzip;q=0, *;q=0",
				    "gzip;q=0, *" };
	static char hostile[4096];
	char *big;
	size_t i;

	/* empty, short, and a reply-sized JSON with repeats, as the estimates are */
	round_trip("", 0);
	round_trip("{\"a\":1}", 7);
	big = malloc(1 << 20);
	CHECK(big != NULL);
	for (i = 0; i < (1u << 20); i++)
		big[i] = "{\"estimate\":40.04577823829158,\"se\":0.0916},"[i % 43];
	round_trip(big, 1u << 20);
	for (i = 0; i < (1u << 20); i++)                      /* incompressible bytes grow a little */
		big[i] = (char)(rand() & 0xff);
	round_trip(big, 1u << 20);
	free(big);

	for (i = 0; i < sizeof yes / sizeof *yes; i++)
		CHECK(gzip_accepted(yes[i]));
	for (i = 0; i < sizeof no / sizeof *no; i++)
		CHECK(!gzip_accepted(no[i]));
	CHECK(!gzip_accepted(NULL));
	/* a value past the limit is not read at all, whatever it holds */
	memset(hostile, ',', sizeof hostile - 5);
	snprintf(hostile + sizeof hostile - 5, 5, "gzip");
	CHECK(!gzip_accepted(hostile));
	memset(hostile, ';', 1000);
	snprintf(hostile + 1000, 5, "gzip");
	CHECK(!gzip_accepted(hostile));
	TEST_DONE();
}
