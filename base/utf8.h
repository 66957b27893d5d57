/* utf8.h - UTF-8 validation and counting (shared by the CSV reader and answer validation). */
#pragma once

#include <stddef.h>

/* Returns the offset of the first byte that does not start a valid UTF-8 sequence (overlongs,
 * surrogates and code points past U+10FFFF are invalid), or n when all n bytes are valid. */
size_t utf8_valid_prefix(const char *s, size_t n);
/* Returns the number of code points in n bytes of valid UTF-8. */
size_t utf8_count(const char *s, size_t n);
