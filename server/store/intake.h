/* intake.h - what the web form and the JSON API share when they store one response:
 * response ids, the content hash, and the mapping of storage outcomes to replies. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "db-responses.h"

/* Writes a random (version 4) UUID, lowercase; returns 0 or a negative errno. */
int intake_uuid(char out[DB_UUID_LEN]);
/* True when s is a UUID in canonical 8-4-4-4-12 hex form (any case). */
int intake_uuid_valid(const char *s);
/* Lowercases a valid UUID into out. */
void intake_uuid_lower(const char *s, char out[DB_UUID_LEN]);
/* The content hash of a response: SHA-256 of the normalised answers JSON, a newline and the
 * agency code (empty when the invitation decides it). */
void intake_content_hash(const char *answers, size_t len, const char *agency, uint8_t out[32]);
