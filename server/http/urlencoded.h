/* urlencoded.h - application/x-www-form-urlencoded bodies (HTML form posts), with limits. */
#pragma once

#include <stddef.h>

#define URLENC_MAX_FIELDS 1000
#define URLENC_MAX_VALUE  8192    /* decoded bytes of one value */
#define URLENC_MAX_NAME   128

struct urlenc_field {
	char *name;     /* decoded, NUL-terminated */
	char *value;    /* decoded, NUL-terminated (may hold no NUL: those are refused) */
	size_t len;     /* bytes of value */
};

struct urlenc_form {
	size_t n;
	struct urlenc_field *fields;   /* in body order; a name may repeat (checkboxes) */
	char *storage;
};

/* Parses body (len bytes) into form (release with urlenc_done). Returns 0, -EBADMSG for a bad
 * %-escape or a NUL byte, -EILSEQ for invalid UTF-8, -E2BIG past a limit, or -ENOMEM. */
int urlenc_parse(const char *body, size_t len, struct urlenc_form *form);
/* Frees what urlenc_parse allocated; form may be NULL or zeroed. */
void urlenc_done(struct urlenc_form *form);
/* Returns the first value of name, or NULL. */
const char *urlenc_get(const struct urlenc_form *form, const char *name);
