/* fuzz-accept.c - the Accept-Encoding reader (server/http/gzip.h) on arbitrary bytes: it reads
 * only the NUL-terminated value, answers the same twice, and a value that accepts gzip still
 * does with other codings added after it; and gzip_compress of the bytes inflates back. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "gzip.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 16), *back;
	struct strbuf gz;
	z_stream z;
	bool a;

	if (!v)
		return 0;
	memcpy(v, data, size);
	v[size] = '\0';
	a = gzip_accepted(v);
	FUZZ_ASSERT(a == gzip_accepted(v));
	if (a && strlen(v) < 1000) {
		memcpy(v + strlen(v), ", br", 5);
		FUZZ_ASSERT(gzip_accepted(v));
	}
	free(v);

	strbuf_init(&gz, 0);
	back = malloc(size + 1);
	if (back && gzip_compress((const char *)data, size, &gz) == 0) {
		memset(&z, 0, sizeof z);
		FUZZ_ASSERT(inflateInit2(&z, 15 + 16) == Z_OK);
		z.next_in = (Bytef *)gz.buf;
		z.avail_in = (uInt)gz.len;
		z.next_out = (Bytef *)back;
		z.avail_out = (uInt)size + 1;
		FUZZ_ASSERT(inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == size);
		FUZZ_ASSERT(memcmp(back, data, size) == 0);
		inflateEnd(&z);
	}
	free(back);
	strbuf_done(&gz);
	return 0;
}
