/* invite.c - invitation codes: generation and the forgiving reading of typed codes. */
#include <errno.h>
#include <string.h>

#include "random.h"
#include "invite.h"
#include "sha256.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";   /* Crockford base32 */

int invite_generate(char out[INVITE_PRINTED_LEN], uint8_t hash[32])
{
	uint8_t raw[10];            /* 80 bits = 16 characters of 5 bits */
	char plain[INVITE_CHARS];
	size_t i, o = 0;
	int r;

	if ((r = random_bytes(raw, sizeof raw)) < 0)
		return r;
	for (i = 0; i < INVITE_CHARS; i++) {
		size_t bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)raw[byte] << 8 | (byte + 1 < sizeof raw ? raw[byte + 1] : 0);

		plain[i] = alphabet[(v >> (11 - shift)) & 31];
	}
	for (i = 0; i < INVITE_CHARS; i++) {
		if (i && i % 4 == 0)
			out[o++] = '-';
		out[o++] = plain[i];
	}
	out[o] = '\0';
	sha256_digest(plain, INVITE_CHARS, hash);
	return 0;
}

/* Maps a typed character to the alphabet, or 0 for separators, -1 for anything else. */
static int canon(char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch = (char)(ch - 'a' + 'A');
	if (ch == '-' || ch == ' ')
		return 0;
	if (ch == 'O')
		return '0';
	if (ch == 'I' || ch == 'L')
		return '1';
	if (ch && strchr(alphabet, ch))
		return ch;
	return -1;
}

int invite_hash(const char *typed, uint8_t hash[32])
{
	char plain[INVITE_CHARS];
	size_t n = 0, i;

	for (i = 0; typed[i]; i++) {
		int c = canon(typed[i]);

		if (i > 64 || c < 0)
			return -EINVAL;
		if (c == 0)
			continue;
		if (n == INVITE_CHARS)
			return -EINVAL;
		plain[n++] = (char)c;
	}
	if (n != INVITE_CHARS)
		return -EINVAL;
	sha256_digest(plain, INVITE_CHARS, hash);
	return 0;
}
