/* strbuf.h - growable byte buffer with a hard size limit. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;      /* always NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
	size_t limit;   /* appends past this many bytes fail with -E2BIG; 0 = 1 GiB */
};

#define STRBUF_INIT { NULL, 0, 0, 0 }

/* Initialises an empty buffer that refuses to grow past limit bytes (0 = 1 GiB). */
void strbuf_init(struct strbuf *sb, size_t limit);
/* Frees the buffer's memory; sb may be NULL. The struct can be reused after strbuf_init. */
void strbuf_done(struct strbuf *sb);
/* Empties the buffer, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
/* Appends n bytes; returns 0, -ENOMEM or -E2BIG (buffer unchanged on failure). */
int strbuf_append(struct strbuf *sb, const void *data, size_t n);
/* Appends a NUL-terminated string; returns 0 or a negative errno. */
int strbuf_puts(struct strbuf *sb, const char *s);
/* Appends one byte; returns 0 or a negative errno. */
int strbuf_putc(struct strbuf *sb, char c);
/* Appends printf-formatted text; returns 0 or a negative errno. */
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As strbuf_printf with a va_list. */
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Returns the contents (never NULL; "" when empty). Owned by sb. */
const char *strbuf_str(const struct strbuf *sb);
/* Hands the buffer to the caller (free() it) and leaves sb empty; NULL when out of memory. */
char *strbuf_steal(struct strbuf *sb);
