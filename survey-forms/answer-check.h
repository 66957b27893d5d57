/* answer-check.h - the answer rules shared by the responses file (respcsv.c) and the intake of
 * one response (answers.c, server/pages/webform.c): what an answer to each question may be, which
 * questions a respondent was asked (show_if), which are required, the coded vector, the
 * normalized JSON, and the error messages in English and Vietnamese. answers.h is the simpler
 * door for one response; this is the layer under it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "strbuf.h"

enum answer_code {
	ANS_REQUIRED,
	ANS_NOT_ASKED,
	ANS_OUT_OF_RANGE,
	ANS_INVALID_CODE,
	ANS_INVALID_NUMBER,
	ANS_INVALID_TYPE,
	ANS_TOO_LONG,
	ANS_DUPLICATE,           /* a code given twice, or two answers to a one-answer question */
	ANS_UNKNOWN_QUESTION,
	ANS_MISSING_AGENCY,
	ANS_INVALID_AGENCY,
	ANS_MISSING_SERIAL,
	ANS_INVALID_SERIAL,
	ANS_DUPLICATE_SERIAL,
	ANS_INVALID_CHANNEL,
	ANS_INVALID_WEIGHT,
	ANS_INVALID_FPC,
	ANS_INVALID_DATE,
	ANS_INVALID_PSU,
	ANS_INVALID_STRATUM,
	ANS_UNKNOWN_COLUMN,
	ANS_DUPLICATE_COLUMN,
	ANS_EXTRA_CELLS,
	ANS_INVALID_ID,
	ANS_INVALID_INVITE,
	ANS_UNKNOWN_FIELD,
	ANS_INVALID_JSON,
	ANS_TOO_DEEP,
	ANS_ENCODING,
	ANS_NCODES,
};

struct answer_error {
	enum answer_code code;
	int question;        /* index in form->questions, or -1 */
	char field[72];      /* the question id, column or body field, truncated */
	long long value;     /* the code at fault, a limit or a row, as the code's message needs */
	char text[80];       /* the input at fault, truncated at a character boundary */
};

enum answer_state { ANSV_BLANK, ANSV_SET, ANSV_BAD };

struct answer_value {
	uint8_t state;        /* enum answer_state */
	int16_t code;         /* scale and single */
	uint16_t nmulti;      /* multi: codes at pool + f's offset of the question */
	const char *text;     /* text: not owned; valid until the set is reset */
	size_t text_len;
	double number;
};

struct answer_set {
	const struct form *f;
	struct answer_value *v;     /* f->nquestions values */
	size_t *multi_off;          /* per question: its place in pool (multi questions) */
	const uint64_t *small;      /* the form's small_codes (form.h) */
	int16_t *pool;              /* multi codes, at most noptions per question */
	uint16_t *rules;            /* the questions with a rule (required or show_if), in order */
	size_t nrules;
	struct answer_error *errors;
	size_t nerrors, max_errors; /* kept errors */
	size_t errors_total;        /* found errors, kept or not */
};

/* Prepares a set for form f keeping up to max_errors errors; returns 0 or -ENOMEM. */
int answer_set_init(struct answer_set *s, const struct form *f, size_t max_errors);
/* Frees a set's memory; s may be NULL. */
void answer_set_done(struct answer_set *s);
/* Forgets every answer and error, keeping the memory. */
void answer_set_reset(struct answer_set *s);
/* Forgets the errors only (the caller resets the answers it will set). */
static inline void answer_set_reset_errors(struct answer_set *s)
{
	s->nerrors = 0;
	s->errors_total = 0;
}

/* Records an error (field: n bytes, or NULL for the question's id); returns the entry to add
 * value and text to, or NULL when the list is full (the error is still counted). */
struct answer_error *answer_error_add(struct answer_set *s, enum answer_code code, int question,
	const char *field, size_t n);
/* Copies n bytes of s into e->text, truncated at a character boundary, controls as '?'. */
void answer_error_text(struct answer_error *e, const char *s, size_t n);
/* Marks question q's answer bad and records the error; returns the entry as answer_error_add. */
struct answer_error *answer_bad(struct answer_set *s, size_t q, enum answer_code code);

/* Tries the hot path of large files: a one-digit code c of a scale or single question not yet
 * answered; true when taken (else call answer_from_string). */
static inline bool answer_fast_digit(struct answer_set *s, size_t q, char c)
{
	struct answer_value *v = &s->v[q];

	if (c < '0' || c > '9' || v->state != ANSV_BLANK || !(s->small[q] >> (c - '0') & 1))
		return false;
	v->state = ANSV_SET;
	v->code = (int16_t)(c - '0');
	return true;
}

/* Sets question q's answer from a string (a responses-file cell or a posted value): blank
 * after trimming spaces is no answer; codes are whole numbers; numbers may use a decimal comma;
 * a multi cell holds codes joined by ';'. A fault marks the answer bad and records one error. */
void answer_from_string(struct answer_set *s, size_t q, const char *str, size_t len);
/* Adds one code to question q (single/scale: a second code is ANS_DUPLICATE; multi: one more code). */
void answer_add_code(struct answer_set *s, size_t q, long long code);
/* Sets a text answer (blank after trimming is no answer); s must outlive the set's use. */
void answer_set_text(struct answer_set *s, size_t q, const char *str, size_t len);
/* Sets a number answer, checking the question's bounds. */
void answer_set_number(struct answer_set *s, size_t q, double x);

/* Applies the rules across questions: an answer to a question not asked (show_if) is
 * ANS_NOT_ASKED, a required question asked and left blank ANS_REQUIRED. Answers already bad
 * are not judged again, nor the questions their show_if depends on. */
void answer_check_rules(struct answer_set *s);
/* Writes the coded vector (f->nslots entries; FORM_NO_ANSWER for blank or bad answers). */
void answer_fill_codes(const struct answer_set *s, int16_t *codes);
/* Appends the answers as a normalized JSON object: question order, blank answers left out,
 * multi codes sorted; with uncoded_only, only the answers the coded vector does not hold
 * (text, several-choice and number questions). Returns 0 or a negative errno. */
int answer_write_json(const struct answer_set *s, bool uncoded_only, struct strbuf *sb);

/* Parses a decimal number: [+-]digits[.digits][e[+-]digits], with '.' or one ',' as the decimal
 * point (a spreadsheet in a Vietnamese locale writes 1,5); true and *out when it is one. */
bool answer_parse_number(const char *p, size_t n, double *out);
/* True when s (n bytes) is an agency code: 1 to 32 letters, digits, '_', '.', '-', the first a
 * letter or digit (as `sipas agencies import` accepts). */
bool answer_agency_valid(const char *s, size_t n);

/* Returns the short code ("out_of_range", ...). */
const char *answer_code_name(enum answer_code c);
/* Formats e's message in Vietnamese (vi) or English into buf; returns buf. */
const char *answer_error_message(const struct form *f, const struct answer_error *e, bool vi,
	char *buf, size_t size);
