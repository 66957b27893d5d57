/* jsonw.h - append JSON values to a strbuf (the JSON writer every area shares). */
#pragma once

#include <stdbool.h>
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

/* Object members. Each appends "key": and a value, after a comma unless the buffer is empty
 * or ends in '{' (so an object's first member needs no flag: no JSON value ends in '{').
 * Each returns 0 or a negative errno. */

/* Appends the comma (as above) and "key":, for a value the caller writes. */
int jsonw_member(struct strbuf *sb, const char *key);
/* "key":"s" escaped, or "key":null when s is NULL. */
int jsonw_member_str(struct strbuf *sb, const char *key, const char *s);
/* "key":v in decimal. */
int jsonw_member_int(struct strbuf *sb, const char *key, long long v);
/* "key":v as jsonw_double writes it (null when not finite). */
int jsonw_member_num(struct strbuf *sb, const char *key, double v);
/* "key":true or "key":false. */
int jsonw_member_bool(struct strbuf *sb, const char *key, bool v);
