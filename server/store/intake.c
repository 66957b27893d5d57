/* intake.c - response ids and content hashes for the intake routes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "random.h"
#include "intake.h"
#include "sha256.h"

int intake_uuid(char out[DB_UUID_LEN])
{
	uint8_t b[16];
	int r = random_bytes(b, sizeof b);

	if (r < 0)
		return r;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);   /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
	snprintf(out, DB_UUID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
	return 0;
}

int intake_uuid_valid(const char *s)
{
	size_t i;

	if (!s || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

void intake_uuid_lower(const char *s, char out[DB_UUID_LEN])
{
	size_t i;

	for (i = 0; i < 36; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[36] = '\0';
}

void intake_content_hash(const char *answers, size_t len, const char *agency, uint8_t out[32])
{
	struct sha256 h;

	sha256_init(&h);
	sha256_update(&h, answers, len);
	sha256_update(&h, "\n", 1);
	if (agency)
		sha256_update(&h, agency, strlen(agency));
	sha256_final(&h, out);
}
