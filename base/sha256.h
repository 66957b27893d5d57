/* sha256.h - SHA-256 (FIPS 180-4), streaming; used for token, invite and content hashes. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t block[64];
	size_t used;
};

/* Starts a new digest. */
void sha256_init(struct sha256 *s);
/* Adds n bytes. */
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Writes the 32-byte digest; s must be re-initialised before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* One-shot digest of n bytes. */
void sha256_digest(const void *data, size_t n, uint8_t out[SHA256_LEN]);
/* Writes the digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t digest[SHA256_LEN], char out[2 * SHA256_LEN + 1]);
/* Compares n bytes in time independent of their contents; returns 0 when equal. */
int consttime_memcmp(const void *a, const void *b, size_t n);
