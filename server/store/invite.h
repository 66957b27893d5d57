/* invite.h - one-time invitation codes: random, easy to type, stored only as SHA-256.
 *
 * A code is 16 characters of Crockford's base32 alphabet (no I, L, O, U: 80 random bits)
 * printed in four groups of four: "K7QM-3XPA-9RTD-HW2C". Reading is forgiving: case, dashes
 * and spaces do not matter, and O, I, L read as 0, 1, 1. */
#pragma once

#include <stdint.h>

#define INVITE_CHARS 16
#define INVITE_PRINTED_LEN 20    /* 16 characters, 3 dashes, NUL */

/* Makes a new code into out and its hash. Returns 0 or a negative errno (no randomness). */
int invite_generate(char out[INVITE_PRINTED_LEN], uint8_t hash[32]);
/* Hashes a code as typed (normalised first). Returns 0, or -EINVAL when it is not a code. */
int invite_hash(const char *typed, uint8_t hash[32]);
