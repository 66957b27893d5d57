/* fuzz-urlenc.c - the url-encoded form parser (server/http/urlencoded.h) on arbitrary bytes: only
 * its documented results, fields within the limits and NUL-terminated at their stated length,
 * and a parse that succeeds survives a round trip: the fields encoded again parse the same. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "urlencoded.h"

static size_t encode(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
			out[o++] = (char)c;
		} else if (c == ' ') {
			out[o++] = '+';
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct urlenc_form f, g;
	size_t i, cap, o = 0;
	char *again;
	int r;

	r = urlenc_parse((const char *)data, size, &f);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -EILSEQ || r == -E2BIG || r == -ENOMEM);
	if (r < 0) {
		FUZZ_ASSERT(f.n == 0 && !f.fields && !f.storage);
		urlenc_done(&f);
		return 0;
	}
	FUZZ_ASSERT(f.n <= URLENC_MAX_FIELDS);
	cap = 1;
	for (i = 0; i < f.n; i++) {
		size_t nl = strlen(f.fields[i].name);

		FUZZ_ASSERT(nl <= URLENC_MAX_NAME);
		FUZZ_ASSERT(f.fields[i].len <= URLENC_MAX_VALUE && strlen(f.fields[i].value) == f.fields[i].len);
		FUZZ_ASSERT(urlenc_get(&f, f.fields[i].name) != NULL);
		cap += 3 * (nl + f.fields[i].len) + 2;
	}
	again = malloc(cap);
	if (!again) {
		urlenc_done(&f);
		return 0;
	}
	for (i = 0; i < f.n; i++) {
		if (i)
			again[o++] = '&';
		o += encode(again + o, f.fields[i].name, strlen(f.fields[i].name));
		again[o++] = '=';
		o += encode(again + o, f.fields[i].value, f.fields[i].len);
	}
	r = urlenc_parse(again, o, &g);
	/* encoded names stay within 3 x URLENC_MAX_NAME, decoded values within URLENC_MAX_VALUE */
	FUZZ_ASSERT(r == 0 || r == -ENOMEM);
	if (r == 0) {
		FUZZ_ASSERT(g.n == f.n);
		for (i = 0; i < f.n; i++) {
			FUZZ_ASSERT(strcmp(g.fields[i].name, f.fields[i].name) == 0);
			FUZZ_ASSERT(g.fields[i].len == f.fields[i].len &&
				    memcmp(g.fields[i].value, f.fields[i].value, f.fields[i].len) == 0);
		}
	}
	urlenc_done(&g);
	urlenc_done(&f);
	free(again);
	return 0;
}
