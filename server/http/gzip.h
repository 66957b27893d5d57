/* gzip.h - the gzip content coding (RFC 9110 §8.4.1.3) of replies; zlib lives only in gzip.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* Appends the gzip stream of in[0..n) to out. Returns 0, -ENOMEM, or -EIO. */
int gzip_compress(const char *in, size_t n, struct strbuf *out);
/* True when an Accept-Encoding field value (at most 1,024 bytes read) accepts gzip: listed
 * (as gzip or x-gzip) with a q-value above 0, or not listed and "*" is, with a q-value above
 * 0. value may be NULL (no field: only the identity coding). */
bool gzip_accepted(const char *value);
