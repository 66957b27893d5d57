/* test-invite.c - invitation codes: format, randomness, forgiving reading, hashes. */
#include <errno.h>
#include <string.h>

#include "invite.h"
#include "sha256.h"
#include "test.h"

static int in_alphabet(char c)
{
	return c && strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", c) != NULL;
}

int main(void)
{
	static char codes[1000][INVITE_PRINTED_LEN];
	uint8_t h[32], h2[32];
	char typed[64];
	int i, j, k, ones = 0, bits = 0;

	for (i = 0; i < 1000; i++) {
		CHECK_INT(invite_generate(codes[i], h), 0);
		CHECK_INT(strlen(codes[i]), 19);
		for (j = 0; j < 19; j++) {
			if (j == 4 || j == 9 || j == 14)
				CHECK(codes[i][j] == '-');
			else
				CHECK(in_alphabet(codes[i][j]));
		}
		/* the stored hash is that of the 16 characters without dashes */
		for (j = 0, k = 0; codes[i][j]; j++)
			if (codes[i][j] != '-')
				typed[k++] = codes[i][j];
		sha256_digest(typed, 16, h2);
		CHECK(memcmp(h, h2, 32) == 0);
		CHECK_INT(invite_hash(codes[i], h2), 0);
		CHECK(memcmp(h, h2, 32) == 0);
		/* lower case, no dashes, spaces: the same code */
		for (j = 0, k = 0; codes[i][j]; j++) {
			char c = codes[i][j];

			if (c == '-') {
				typed[k++] = ' ';
				continue;
			}
			typed[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		typed[k] = '\0';
		CHECK_INT(invite_hash(typed, h2), 0);
		CHECK(memcmp(h, h2, 32) == 0);
		for (j = 0; j < 19; j++) {
			const char *p = strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", codes[i][j]);

			if (codes[i][j] == '-')
				continue;
			ones += __builtin_popcount((unsigned)(p - "0123456789ABCDEFGHJKMNPQRSTVWXYZ"));
			bits += 5;
		}
	}
	for (i = 0; i < 1000; i++)
		for (j = 0; j < i; j++)
			CHECK(strcmp(codes[i], codes[j]) != 0);
	/* about half the bits are set: the characters carry random bits, not a skewed few */
	CHECK(ones > bits * 45 / 100 && ones < bits * 55 / 100);

	/* O, I and L read as 0, 1 and 1 */
	CHECK_INT(invite_hash("0000-1111-0000-1111", h), 0);
	CHECK_INT(invite_hash("oooo-iiii-OOOO-LLLL", h2), 0);
	CHECK(memcmp(h, h2, 32) == 0);
	/* not codes */
	CHECK_INT(invite_hash("", h), -EINVAL);
	CHECK_INT(invite_hash("0000-1111-0000-111", h), -EINVAL);          /* 15 characters */
	CHECK_INT(invite_hash("0000-1111-0000-11111", h), -EINVAL);        /* 17 */
	CHECK_INT(invite_hash("0000-1111-0000-111U", h), -EINVAL);         /* U is not in the alphabet */
	CHECK_INT(invite_hash("0000_1111_0000_1111", h), -EINVAL);
	CHECK_INT(invite_hash("0000-1111-0000-11é1", h), -EINVAL);
	memset(typed, '-', sizeof typed - 1);
	typed[sizeof typed - 1] = '\0';
	CHECK_INT(invite_hash(typed, h), -EINVAL);                        /* separators only, long */
	TEST_DONE();
}
