/* test-sha256.c - SHA-256 against FIPS 180-4 test vectors, streaming in odd pieces. */
#include "sha256.h"
#include "test.h"

static void check(const char *msg, size_t n, const char *want)
{
	uint8_t d[SHA256_LEN];
	char hex[65];
	struct sha256 s;
	size_t i;

	sha256_digest(msg, n, d);
	sha256_hex(d, hex);
	CHECK_STR(hex, want);
	/* the same bytes fed one at a time */
	sha256_init(&s);
	for (i = 0; i < n; i++)
		sha256_update(&s, msg + i, 1);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	CHECK_STR(hex, want);
}

int main(void)
{
	static char million[1000000];

	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof million);
	check(million, sizeof million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	CHECK(consttime_memcmp("abc", "abc", 3) == 0);
	CHECK(consttime_memcmp("abc", "abd", 3) != 0);
	TEST_DONE();
}
