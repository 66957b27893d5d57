/* answers.h - checks one response (docs/api.md) against a form: the JSON body of the API, or the
 * name/value pairs of a web form post, through the same rules as the responses file.
 *
 * JSON body: {"id"?: uuid, "agency": CODE, "invite"?: CODE, "channel"?: CODE,
 *             "answers": {QID: code | [codes] | text}}.
 * The outcome is the client id, agency, invitation, the coded vector, the normalized answers
 * (the JSON stored and compared on a resend) and every error, in Vietnamese for citizens and in
 * English. A struct answers is reused from one response to the next. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "strbuf.h"

#define ANSWERS_MAX_BODY    (64u << 10)   /* bytes of a JSON body (413 past it) */
#define ANSWERS_MAX_DEPTH   32            /* nesting of a JSON body */
#define ANSWERS_MAX_ERRORS  100           /* errors listed (all are counted) */
#define ANSWERS_MAX_INVITE  64            /* bytes of an invitation code as typed */

struct answers_error {
	char field[72];           /* a question id, "agency", "id", "invite", "channel", "answers", or "" (the body) */
	const char *code;         /* "required", "not_asked", "out_of_range", "invalid_code", ... */
	char message[400];        /* Vietnamese, shown to citizens */
	char message_en[300];     /* English */
};

struct answers_impl;

struct answers {
	char id[37];              /* the client's UUID, lower case, or "" */
	char agency[33];          /* the agency code, or "" */
	char invite[ANSWERS_MAX_INVITE + 1];   /* the invitation code as given, or "" */
	int channel;              /* an enum form_channel (channel.h) given in the JSON body, or -1 */
	int16_t *codes;           /* form->nslots coded answers in slot order (FORM_NO_ANSWER = none) */
	const char *json;         /* the normalized answers object, NUL-terminated */
	size_t json_len;
	const char *stored;       /* the answers codes does not hold, as a JSON object; NULL if none */
	size_t nerrors;           /* errors in the list */
	size_t errors_total;      /* errors found, listed or not */
	struct answers_error *errors;
	struct answers_impl *impl;
};

/* A posted field: name and value (value_len bytes, not necessarily NUL-terminated). */
struct answers_pair {
	const char *name;
	const char *value;
	size_t value_len;
};

/* Returns a checker for form f (which must outlive it), or NULL when out of memory. */
struct answers *answers_new(const struct form *f);
/* Frees a checker; a may be NULL. */
void answers_free(struct answers *a);

/* Checks a JSON body. Returns 0 when it is valid; -EINVAL with a->errors filled when it is not
 * (bad JSON, nesting past ANSWERS_MAX_DEPTH, invalid UTF-8, duplicate keys, unknown fields or
 * questions, bad codes, show_if, required ...); -E2BIG past ANSWERS_MAX_BODY; -ENOMEM.
 * A missing agency is an error only when no invitation is given (the invitation then decides). */
int answers_from_json(struct answers *a, const char *body, size_t len);
/* Checks posted pairs: names are question ids (a multi question may come several times, or with
 * codes joined by ';'), "agency", "invite" and "id"; names starting with '_' are the page's own
 * and skipped. Returns as answers_from_json. */
int answers_from_pairs(struct answers *a, const struct answers_pair *pairs, size_t n);

/* Returns the first error of a field (a question id, "agency" ...), or NULL. */
const struct answers_error *answers_error_for(const struct answers *a, const char *field);
/* Appends {"errors": [{"field", "code", "message"}...]} (docs/api.md; Vietnamese messages);
 * returns 0 or a negative errno. */
int answers_write_errors(const struct answers *a, struct strbuf *sb);
/* True when s (n bytes) is an agency code: 1 to 32 letters, digits, '_', '.', '-', the first a
 * letter or digit. */
bool answers_agency_valid(const char *s, size_t n);
