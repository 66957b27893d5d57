/* answers.c - checks one response, from a JSON body (jansson) or from posted pairs. */
#include "answers.h"
#include "channel.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer-check.h"
#include "jsonw.h"
#include "utf8.h"

struct answers_impl {
	const struct form *f;
	struct answer_set set;
	struct strbuf json;
	struct strbuf stored;
};

struct answers *answers_new(const struct form *f)
{
	struct answers *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->impl = calloc(1, sizeof *a->impl);
	a->codes = calloc(f->nslots ? f->nslots : 1, sizeof *a->codes);
	/* filled as listed (78 kB: not zeroed for every post) */
	a->errors = malloc(ANSWERS_MAX_ERRORS * sizeof *a->errors);
	if (!a->impl || !a->codes || !a->errors)
		goto fail;
	a->impl->f = f;
	strbuf_init(&a->impl->json, 0);
	strbuf_init(&a->impl->stored, 0);
	if (answer_set_init(&a->impl->set, f, ANSWERS_MAX_ERRORS) < 0)
		goto fail;
	a->json = "{}";
	a->json_len = 2;
	return a;
fail:
	answers_free(a);
	return NULL;
}

void answers_free(struct answers *a)
{
	if (!a)
		return;
	if (a->impl) {
		answer_set_done(&a->impl->set);
		strbuf_done(&a->impl->json);
		strbuf_done(&a->impl->stored);
		free(a->impl);
	}
	free(a->codes);
	free(a->errors);
	free(a);
}

bool answers_agency_valid(const char *s, size_t n)
{
	return answer_agency_valid(s, n);
}

static void reset(struct answers *a)
{
	size_t i;

	a->id[0] = a->agency[0] = a->invite[0] = '\0';
	a->channel = -1;
	for (i = 0; i < a->impl->f->nslots; i++)
		a->codes[i] = FORM_NO_ANSWER;
	a->json = "{}";
	a->json_len = 2;
	a->stored = NULL;
	a->nerrors = a->errors_total = 0;
	answer_set_reset(&a->impl->set);
	strbuf_reset(&a->impl->json);
	strbuf_reset(&a->impl->stored);
}

static struct answer_error *body_error(struct answers *a, enum answer_code code, const char *field)
{
	return answer_error_add(&a->impl->set, code, -1, field, strlen(field));
}

static bool hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 8-4-4-4-12 hex digits */
static bool uuid_valid(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return false;
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' : !hex(s[i]))
			return false;
	return true;
}

/* As typed by a citizen: letters, digits, dashes and spaces. */
static bool invite_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > ANSWERS_MAX_INVITE)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == ' '))
			return false;
	}
	return true;
}

/* Sets the envelope field name ("id", "agency", "invite", "channel") from a string value. */
static void set_envelope(struct answers *a, const char *name, const char *s, size_t n)
{
	struct answer_error *e;
	size_t i;

	if (!strcmp(name, "id")) {
		if (!uuid_valid(s, n)) {
			if ((e = body_error(a, ANS_INVALID_ID, "id")))
				answer_error_text(e, s, n);
			return;
		}
		for (i = 0; i < 36; i++)
			a->id[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
		a->id[36] = '\0';
	} else if (!strcmp(name, "agency")) {
		if (!answer_agency_valid(s, n)) {
			if ((e = body_error(a, ANS_INVALID_AGENCY, "agency")))
				answer_error_text(e, s, n);
			return;
		}
		memcpy(a->agency, s, n);
		a->agency[n] = '\0';
	} else if (!strcmp(name, "channel")) {
		char code[16];
		int ch = -ENOENT;

		if (n < sizeof code) {
			memcpy(code, s, n);
			code[n] = '\0';
			ch = form_channel_find(code);
		}
		if (ch < 0) {
			if ((e = body_error(a, ANS_INVALID_CHANNEL, "channel")))
				answer_error_text(e, s, n);
			return;
		}
		a->channel = ch;
	} else {
		if (!invite_valid(s, n)) {
			if ((e = body_error(a, ANS_INVALID_INVITE, "invite")))
				answer_error_text(e, s, n);
			return;
		}
		memcpy(a->invite, s, n);
		a->invite[n] = '\0';
	}
}

/* The rules across questions (when the body could be read), then the outcome: errors, or the
 * codes and normalized answers. */
static int finish(struct answers *a, bool body_read, bool agency_seen_bad)
{
	struct answer_set *s = &a->impl->set;
	const struct form *f = a->impl->f;
	size_t i;
	int r;

	if (body_read) {
		if (!a->agency[0] && !a->invite[0] && !agency_seen_bad)
			body_error(a, ANS_MISSING_AGENCY, "agency");
		answer_check_rules(s);
	}
	a->errors_total = s->errors_total;
	a->nerrors = s->nerrors;
	for (i = 0; i < s->nerrors; i++) {
		struct answers_error *out = &a->errors[i];
		const struct answer_error *e = &s->errors[i];

		snprintf(out->field, sizeof out->field, "%s", e->field);
		out->code = answer_code_name(e->code);
		answer_error_message(f, e, true, out->message, sizeof out->message);
		answer_error_message(f, e, false, out->message_en, sizeof out->message_en);
	}
	if (s->errors_total)
		return -EINVAL;
	answer_fill_codes(s, a->codes);
	if ((r = answer_write_json(s, false, &a->impl->json)) < 0 ||
	    (r = answer_write_json(s, true, &a->impl->stored)) < 0)
		return r;
	a->json = strbuf_str(&a->impl->json);
	a->json_len = a->impl->json.len;
	a->stored = a->impl->stored.len > 2 ? strbuf_str(&a->impl->stored) : NULL;
	return 0;
}

/* The deepest nesting of arrays and objects in a JSON text (strings skipped), stopping past max. */
static int json_depth(const char *s, size_t n, int max)
{
	int depth = 0, deepest = 0;
	bool in_string = false;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"')
			in_string = true;
		else if (c == '[' || c == '{') {
			if (++depth > deepest && (deepest = depth) > max)
				break;
		} else if (c == ']' || c == '}')
			depth--;
	}
	return deepest;
}

/* A short JSON rendering of a value for a message. */
static void value_text(struct answer_error *e, json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (s) {
		answer_error_text(e, s, strlen(s));
		free(s);
	}
}

static void json_answer(struct answers *a, size_t q, json_t *v)
{
	struct answer_set *s = &a->impl->set;
	const struct form_question *fq = &a->impl->f->questions[q];
	struct answer_error *e;
	json_t *item;
	size_t i;

	if (json_is_null(v))
		return;
	switch (fq->type) {
	case FORM_Q_SCALE:
	case FORM_Q_SINGLE:
		if (json_is_integer(v))
			answer_add_code(s, q, json_integer_value(v));
		else if (json_is_real(v)) {
			if ((e = answer_bad(s, q, ANS_INVALID_CODE)))
				value_text(e, v);
		} else
			answer_bad(s, q, ANS_INVALID_TYPE);
		return;
	case FORM_Q_MULTI:
		if (!json_is_array(v)) {
			answer_bad(s, q, ANS_INVALID_TYPE);
			return;
		}
		json_array_foreach(v, i, item) {
			if (!json_is_integer(item)) {
				if ((e = answer_bad(s, q, ANS_INVALID_CODE)))
					value_text(e, item);
				return;
			}
			answer_add_code(s, q, json_integer_value(item));
			if (s->v[q].state == ANSV_BAD)
				return;
		}
		return;
	case FORM_Q_TEXT:
		if (!json_is_string(v))
			answer_bad(s, q, ANS_INVALID_TYPE);
		else
			answer_set_text(s, q, json_string_value(v), json_string_length(v));
		return;
	case FORM_Q_NUMBER:
		if (!json_is_number(v))
			answer_bad(s, q, ANS_INVALID_TYPE);
		else
			answer_set_number(s, q, json_number_value(v));
		return;
	}
}

int answers_from_json(struct answers *a, const char *body, size_t len)
{
	static const char *const envelope[] = { "id", "agency", "invite", "channel" };
	struct answer_error *e;
	json_error_t jerr;
	json_t *root = NULL, *answers, *v;
	const char *key;
	bool agency_bad = false;
	size_t i;
	int r;

	reset(a);
	if (len > ANSWERS_MAX_BODY)
		return -E2BIG;
	if (utf8_valid_prefix(body, len) != len) {
		body_error(a, ANS_ENCODING, "");
		r = finish(a, false, true);
		goto out;
	}
	if (json_depth(body, len, ANSWERS_MAX_DEPTH) > ANSWERS_MAX_DEPTH) {
		if ((e = body_error(a, ANS_TOO_DEEP, "")))
			e->value = ANSWERS_MAX_DEPTH;
		r = finish(a, false, true);
		goto out;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || !json_is_object(root)) {
		if (!root && json_error_code(&jerr) == json_error_out_of_memory) {
			r = -ENOMEM;
			goto out;
		}
		if ((e = body_error(a, ANS_INVALID_JSON, "")))
			answer_error_text(e, root ? "the body must be a JSON object" : jerr.text,
				strlen(root ? "the body must be a JSON object" : jerr.text));
		r = finish(a, false, true);
		goto out;
	}
	json_object_foreach(root, key, v) {
		for (i = 0; i < 4 && strcmp(key, envelope[i]); i++)
			;
		if (i == 4) {
			if (strcmp(key, "answers"))
				body_error(a, ANS_UNKNOWN_FIELD, key);
			continue;
		}
		if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
			continue;
		if (!json_is_string(v)) {
			body_error(a, ANS_INVALID_TYPE, key);
			agency_bad |= i == 1;
			continue;
		}
		set_envelope(a, key, json_string_value(v), json_string_length(v));
		agency_bad |= i == 1 && !a->agency[0];
	}
	answers = json_object_get(root, "answers");
	if (answers && !json_is_object(answers) && !json_is_null(answers)) {
		if ((e = body_error(a, ANS_INVALID_TYPE, "answers")))
			e->value = 1;
	} else if (answers) {
		json_object_foreach(answers, key, v) {
			int q = form_question_index(a->impl->f, key);

			if (q < 0)
				body_error(a, ANS_UNKNOWN_QUESTION, key);
			else
				json_answer(a, (size_t)q, v);
		}
	}
	r = finish(a, true, agency_bad);
out:
	json_decref(root);
	return r;
}

int answers_from_pairs(struct answers *a, const struct answers_pair *pairs, size_t n)
{
	struct answer_set *s = &a->impl->set;
	bool agency_bad = false, seen[3] = { false };
	size_t i;

	reset(a);
	for (i = 0; i < n; i++) {
		const struct answers_pair *p = &pairs[i];
		int q, k = !strcmp(p->name, "id") ? 0 : !strcmp(p->name, "agency") ? 1 :
			!strcmp(p->name, "invite") ? 2 : -1;

		if (p->name[0] == '_')
			continue;
		if (utf8_valid_prefix(p->value, p->value_len) != p->value_len ||
		    memchr(p->value, '\0', p->value_len)) {
			q = form_question_index(a->impl->f, p->name);
			if (q >= 0)
				answer_bad(s, (size_t)q, ANS_ENCODING);
			else
				body_error(a, ANS_ENCODING, p->name);
			agency_bad |= k == 1;
			continue;
		}
		if (k >= 0) {
			if (p->value_len == 0)
				continue;
			if (seen[k]) {
				struct answer_error *e = body_error(a, ANS_DUPLICATE, p->name);

				if (e)
					e->value = -1;
				agency_bad |= k == 1;
				continue;
			}
			seen[k] = true;
			set_envelope(a, p->name, p->value, p->value_len);
			agency_bad |= k == 1 && !a->agency[0];
			continue;
		}
		q = form_question_index(a->impl->f, p->name);
		if (q < 0)
			body_error(a, ANS_UNKNOWN_QUESTION, p->name);
		else
			answer_from_string(s, (size_t)q, p->value, p->value_len);
	}
	return finish(a, true, agency_bad);
}

const struct answers_error *answers_error_for(const struct answers *a, const char *field)
{
	size_t i;

	for (i = 0; i < a->nerrors; i++)
		if (!strcmp(a->errors[i].field, field))
			return &a->errors[i];
	return NULL;
}

int answers_write_errors(const struct answers *a, struct strbuf *sb)
{
	size_t i;
	int r;

	if ((r = strbuf_puts(sb, "{\"errors\":[")) < 0)
		return r;
	for (i = 0; i < a->nerrors; i++) {
		const struct answers_error *e = &a->errors[i];

		if ((i && (r = strbuf_putc(sb, ',')) < 0) ||
		    (r = strbuf_putc(sb, '{')) < 0 ||
		    (r = jsonw_member_str(sb, "field", e->field)) < 0 || (r = jsonw_member_str(sb, "code", e->code)) < 0 ||
		    (r = jsonw_member_str(sb, "message", e->message)) < 0 ||
		    (r = strbuf_putc(sb, '}')) < 0)
			return r;
	}
	return strbuf_puts(sb, "]}");
}
