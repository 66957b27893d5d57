/* fuzz-dtoa.c - the shortest round-trip text of a double (base/dtoa.c) against the loop it
 * replaced (tests/unit/dtoa-ref.h), byte for byte: the input's first 8 bytes as a double's bits
 * (little-endian, zero-padded), and the input as text read by strtod, each with both signs. */
#include <string.h>

#include "dtoa-ref.h"
#include "dtoa.h"
#include "fuzz.h"

static void same(double v)
{
	char got[DTOA_BUF], want[32];
	size_t n = dtoa_shortest(got, v);

	FUZZ_ASSERT(n < DTOA_BUF && n == strlen(got));
	FUZZ_ASSERT(n == dtoa_reference(want, v) && !strcmp(got, want));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];
	uint64_t bits = 0;
	double v;
	size_t i;

	for (i = 0; i < size && i < 8; i++)
		bits |= (uint64_t)data[i] << 8 * i;
	memcpy(&v, &bits, sizeof v);
	same(v);
	same(-v);
	if (size > 0 && size < sizeof text) {
		memcpy(text, data, size);
		text[size] = '\0';
		v = strtod(text, NULL);
		same(v);
		same(-v);
	}
	return 0;
}
