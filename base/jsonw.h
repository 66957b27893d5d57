/* jsonw.h - append JSON values to a strbuf (the JSON writer every area shares). */
#pragma once

#include <stddef.h>

#include "strbuf.h"

/* Appends s (n bytes) as a quoted JSON string, escaping as RFC 8259 requires; returns 0 or a negative errno. */
int jsonw_stringn(struct strbuf *sb, const char *s, size_t n);
/* Appends a NUL-terminated string as a quoted JSON string, or null when s is NULL; returns 0 or a negative errno. */
int jsonw_string(struct strbuf *sb, const char *s);
/* Appends a number with enough digits to round-trip (%.17g shortened), or null when not finite; returns 0 or a negative errno. */
int jsonw_double(struct strbuf *sb, double v);
/* Appends "key": (with a leading comma unless first is nonzero); returns 0 or a negative errno. */
int jsonw_key(struct strbuf *sb, int first, const char *key);
