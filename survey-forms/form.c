/* form.c - loads a form definition (docs/formats.md): reads the JSON into struct form, reporting
 * every structural fault with its JSON path; form-check.c and form-index.c do the rest. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "form-load.h"

#define FORM_MAX_CHILDREN (FORM_MAX_QUESTIONS + FORM_MAX_INDICES)

static const char *const form_keys[] = { "id", "version", "title", "respondent", "description",
	"scales", "sections", "indices", NULL };
static const char *const scale_keys[] = { "codes", "labels", "positive", NULL };
static const char *const section_keys[] = { "id", "title", "description", "questions", NULL };
static const char *const question_keys[] = { "id", "type", "text", "required", "scale", "options",
	"show_if", "min", "max", "max_length", NULL };
static const char *const option_keys[] = { "code", "label", NULL };
static const char *const show_if_keys[] = { "question", "in", NULL };
static const char *const index_keys[] = { "id", "label", "of", "weights", NULL };

static const char *const qtype_names[] = {
	[FORM_Q_SCALE] = "scale",
	[FORM_Q_SINGLE] = "single",
	[FORM_Q_MULTI] = "multi",
	[FORM_Q_TEXT] = "text",
	[FORM_Q_NUMBER] = "number",
};

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

static void *xcalloc(struct form_loader *ld, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		ld->oom = true;
	return p;
}

static char *xstrdup(struct form_loader *ld, const char *s)
{
	char *p = strdup(s);

	if (!p)
		ld->oom = true;
	return p;
}

/* Faults on every key of obj that is not in allowed. */
static void check_keys(struct form_loader *ld, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		size_t i, old;

		for (i = 0; allowed[i] && strcmp(allowed[i], key); i++)
			;
		if (allowed[i])
			continue;
		old = form_path_key(ld, key);
		form_fault(ld, "unknown key");
		form_path_pop(ld, old);
	}
}

/* Returns obj[key] when it has type t; faults (at path.key) when it is missing and required, or of
 * another type. want names the type for the message. */
static json_t *member(struct form_loader *ld, json_t *obj, const char *key, json_type t,
	const char *want, bool required)
{
	json_t *v = json_object_get(obj, key);
	size_t old;

	if (!v) {
		if (required) {
			old = form_path_key(ld, key);
			form_fault(ld, "required key is missing");
			form_path_pop(ld, old);
		}
		return NULL;
	}
	if (json_typeof(v) == t || (t == JSON_REAL && json_is_integer(v)) ||
	    (t == JSON_TRUE && json_is_false(v)))
		return v;
	old = form_path_key(ld, key);
	form_fault(ld, "must be %s, not %s", want, type_name(v));
	form_path_pop(ld, old);
	return NULL;
}

/* Copies the string obj[key] into *dst; faults when it is missing (if required), not a string,
 * empty or longer than max bytes. */
static void get_string(struct form_loader *ld, json_t *obj, const char *key, bool required,
	size_t max, char **dst)
{
	json_t *v = member(ld, obj, key, JSON_STRING, "a string", required);
	size_t old, len;

	if (!v)
		return;
	len = json_string_length(v);
	old = form_path_key(ld, key);
	if (len == 0)
		form_fault(ld, "must not be empty");
	else if (len > max)
		form_fault(ld, "is %zu bytes long; the limit is %zu", len, max);
	else
		*dst = xstrdup(ld, json_string_value(v));
	form_path_pop(ld, old);
}

/* Reads an id at obj[key] into *dst, checking the id syntax. */
static void get_id(struct form_loader *ld, json_t *obj, const char *key, char **dst)
{
	json_t *v = member(ld, obj, key, JSON_STRING, "a string", true);
	size_t old;

	if (!v)
		return;
	old = form_path_key(ld, key);
	if (json_string_length(v) > FORM_MAX_ID_LEN)
		form_fault(ld, "id is %zu bytes long; the limit is %d", json_string_length(v), FORM_MAX_ID_LEN);
	else if (!form_id_valid(json_string_value(v), json_string_length(v)))
		form_fault(ld, "\"%s\" is not a valid id ([A-Za-z][A-Za-z0-9_.]*)", json_string_value(v));
	else
		*dst = xstrdup(ld, json_string_value(v));
	form_path_pop(ld, old);
}

/* A form id may also hold '-' (agency-2024-individual). */
static bool form_id_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > FORM_MAX_ID_LEN)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '_' || c == '.' || c == '-'))))
			return false;
	}
	return true;
}

/* Returns the length of the array obj[key] (or -1 when absent or faulty), faulting when it is
 * missing and required, empty (when nonempty) or longer than max. */
static long get_array(struct form_loader *ld, json_t *obj, const char *key, bool required,
	bool nonempty, size_t max, json_t **arr)
{
	json_t *v = member(ld, obj, key, JSON_ARRAY, "an array", required);
	size_t n, old;

	*arr = v;
	if (!v)
		return -1;
	n = json_array_size(v);
	old = form_path_key(ld, key);
	if (nonempty && n == 0) {
		form_fault(ld, "must not be empty");
		n = (size_t)-1;
	} else if (n > max) {
		form_fault(ld, "has %zu entries; the limit is %zu", n, max);
		n = (size_t)-1;
	}
	form_path_pop(ld, old);
	if (n == (size_t)-1) {
		*arr = NULL;
		return -1;
	}
	return (long)n;
}

/* Reads an answer code at the current path; faults and returns false when it is not an integer
 * in [FORM_CODE_MIN, FORM_CODE_MAX]. */
static bool read_code(struct form_loader *ld, json_t *v, int *code)
{
	json_int_t c;

	if (!json_is_integer(v)) {
		form_fault(ld, "a code must be an integer, not %s", type_name(v));
		return false;
	}
	c = json_integer_value(v);
	if (c < FORM_CODE_MIN || c > FORM_CODE_MAX) {
		form_fault(ld, "code %lld is outside [%d, %d]", (long long)c, FORM_CODE_MIN, FORM_CODE_MAX);
		return false;
	}
	*code = (int)c;
	return true;
}

static bool code_in(const int *codes, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (codes[i] == code)
			return true;
	return false;
}

/* Reads the array obj[key] of unique codes into *codes and *n (valid entries only), each one of
 * within's codes when within is given; returns false when the array or some entry was faulty. */
static bool get_codes(struct form_loader *ld, json_t *obj, const char *key, bool nonempty,
	const struct form_scale *within, int **codes, size_t *n)
{
	json_t *arr, *v;
	long len = get_array(ld, obj, key, true, nonempty, FORM_MAX_OPTIONS, &arr);
	size_t i, old, old2;
	bool ok = true;

	*n = 0;
	if (len < 0)
		return false;
	*codes = xcalloc(ld, (size_t)len, sizeof **codes);
	if (!*codes)
		return false;
	old = form_path_key(ld, key);
	json_array_foreach(arr, i, v) {
		int c;

		old2 = form_path_index(ld, i);
		if (!read_code(ld, v, &c))
			ok = false;
		else if (code_in(*codes, *n, c)) {
			form_fault(ld, "code %d is listed twice", c);
			ok = false;
		} else if (within && !code_in(within->codes, within->ncodes, c)) {
			form_fault(ld, "%d is not one of the scale's codes", c);
			ok = false;
		} else
			(*codes)[(*n)++] = c;
		form_path_pop(ld, old2);
	}
	form_path_pop(ld, old);
	return ok;
}

static void load_scale(struct form_loader *ld, const char *id, json_t *obj, struct form_scale *s)
{
	json_t *arr, *v;
	long nlabels;
	size_t i, old, old2;
	bool codes_ok;

	if (strlen(id) > FORM_MAX_ID_LEN)
		form_fault(ld, "id is %zu bytes long; the limit is %d", strlen(id), FORM_MAX_ID_LEN);
	else if (!form_id_valid(id, strlen(id)))
		form_fault(ld, "\"%s\" is not a valid id ([A-Za-z][A-Za-z0-9_.]*)", id);
	if (!json_is_object(obj)) {
		form_fault(ld, "must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(ld, obj, scale_keys);
	s->id = xstrdup(ld, id);
	codes_ok = get_codes(ld, obj, "codes", true, NULL, &s->codes, &s->ncodes);

	nlabels = get_array(ld, obj, "labels", true, false, FORM_MAX_OPTIONS, &arr);
	if (nlabels >= 0) {
		/* ncodes entries (or more) so that free_scale and readers may index by code position */
		s->labels = xcalloc(ld, (size_t)nlabels > s->ncodes ? (size_t)nlabels : s->ncodes,
			sizeof *s->labels);
		old = form_path_key(ld, "labels");
		if (s->labels && codes_ok && (size_t)nlabels != s->ncodes)
			form_fault(ld, "%ld labels for %zu codes", nlabels, s->ncodes);
		json_array_foreach(arr, i, v) {
			if (!s->labels)
				break;
			old2 = form_path_index(ld, i);
			if (!json_is_string(v))
				form_fault(ld, "must be a string, not %s", type_name(v));
			else if (json_string_length(v) == 0)
				form_fault(ld, "must not be empty");
			else if (json_string_length(v) > FORM_MAX_TEXT_LEN)
				form_fault(ld, "is %zu bytes long; the limit is %d", json_string_length(v), FORM_MAX_TEXT_LEN);
			else if (i < s->ncodes && !s->labels[i])
				s->labels[i] = xstrdup(ld, json_string_value(v));
			form_path_pop(ld, old2);
		}
		form_path_pop(ld, old);
	}

	get_codes(ld, obj, "positive", false, codes_ok ? s : NULL, &s->positive, &s->npositive);
}

static void load_scales(struct form_loader *ld, json_t *root)
{
	json_t *obj = member(ld, root, "scales", JSON_OBJECT, "an object", false), *v;
	const char *key;
	size_t n, old;

	if (!obj)
		return;
	n = json_object_size(obj);
	if (n > FORM_MAX_SCALES) {
		old = form_path_key(ld, "scales");
		form_fault(ld, "has %zu scales; the limit is %d", n, FORM_MAX_SCALES);
		form_path_pop(ld, old);
		return;
	}
	ld->f->scales = xcalloc(ld, n, sizeof *ld->f->scales);
	ld->scale_bad = xcalloc(ld, n, sizeof *ld->scale_bad);
	if (ld->oom)
		return;
	old = form_path_key(ld, "scales");
	json_object_foreach(obj, key, v) {
		size_t old2 = form_path_key(ld, key), before = ld->ff->count;

		load_scale(ld, key, v, &ld->f->scales[ld->f->nscales]);
		ld->scale_bad[ld->f->nscales++] = ld->ff->count != before;
		form_path_pop(ld, old2);
	}
	form_path_pop(ld, old);
}

static void load_options(struct form_loader *ld, json_t *qobj, struct form_question *q)
{
	json_t *arr, *v;
	long n = get_array(ld, qobj, "options", true, true, FORM_MAX_OPTIONS, &arr);
	size_t i, old, old2;

	if (n < 0)
		return;
	q->options = xcalloc(ld, (size_t)n, sizeof *q->options);
	if (!q->options)
		return;
	old = form_path_key(ld, "options");
	json_array_foreach(arr, i, v) {
		struct form_option *o = &q->options[q->noptions];
		json_t *c;
		char *label = NULL;
		int code;
		bool ok = true;

		old2 = form_path_index(ld, i);
		if (!json_is_object(v)) {
			form_fault(ld, "must be an object, not %s", type_name(v));
			form_path_pop(ld, old2);
			continue;
		}
		check_keys(ld, v, option_keys);
		c = member(ld, v, "code", JSON_INTEGER, "an integer", true);
		if (c) {
			size_t old3 = form_path_key(ld, "code");
			size_t k;

			ok = read_code(ld, c, &code);
			for (k = 0; ok && k < q->noptions; k++)
				if (q->options[k].code == code) {
					form_fault(ld, "code %d is listed twice", code);
					ok = false;
				}
			form_path_pop(ld, old3);
		} else
			ok = false;
		get_string(ld, v, "label", true, FORM_MAX_TEXT_LEN, &label);
		if (ok && label) {
			o->code = code;
			o->label = label;
			q->noptions++;
		} else
			free(label);
		form_path_pop(ld, old2);
	}
	form_path_pop(ld, old);
}

static void load_show_if(struct form_loader *ld, json_t *qobj, size_t qi)
{
	struct form_question *q = &ld->f->questions[qi];
	json_t *v = member(ld, qobj, "show_if", JSON_OBJECT, "an object", false);
	size_t old;

	if (!v)
		return;
	old = form_path_key(ld, "show_if");
	check_keys(ld, v, show_if_keys);
	get_id(ld, v, "question", &ld->show_if_ids[qi]);
	if (!get_codes(ld, v, "in", true, NULL, &q->show_in, &q->nshow_in))
		ld->qflags[qi] |= FORM_QF_SHOW_IN_BAD;
	form_path_pop(ld, old);
}

static void load_question(struct form_loader *ld, json_t *obj, size_t qi)
{
	struct form_question *q = &ld->f->questions[qi];
	json_t *v;
	int type = -1;
	size_t i, old;

	q->show_if = -1;
	q->slot = -1;
	q->item = -1;
	q->min = -HUGE_VAL;
	q->max = HUGE_VAL;
	q->max_length = FORM_MAX_ANSWER_CHARS;
	if (!json_is_object(obj)) {
		form_fault(ld, "must be an object, not %s", type_name(obj));
		q->type = FORM_Q_TEXT;
		ld->qflags[qi] |= FORM_QF_TYPE_BAD;
		return;
	}
	check_keys(ld, obj, question_keys);
	get_id(ld, obj, "id", &q->id);
	if (q->id && form_design_column(q->id, strlen(q->id)) >= 0) {
		old = form_path_key(ld, "id");
		form_fault(ld, "\"%s\" is a column of the responses file; choose another id", q->id);
		form_path_pop(ld, old);
	}
	v = member(ld, obj, "type", JSON_STRING, "a string", true);
	if (v) {
		for (i = 0; i < sizeof qtype_names / sizeof qtype_names[0]; i++)
			if (!strcmp(json_string_value(v), qtype_names[i]))
				type = (int)i;
		if (type < 0) {
			old = form_path_key(ld, "type");
			form_fault(ld, "unknown type \"%.40s\" (scale, single, multi, text or number)",
				json_string_value(v));
			form_path_pop(ld, old);
		}
	}
	q->type = type < 0 ? FORM_Q_TEXT : (enum form_qtype)type;
	if (type < 0)
		ld->qflags[qi] |= FORM_QF_TYPE_BAD;
	get_string(ld, obj, "text", true, FORM_MAX_TEXT_LEN, &q->text);
	v = member(ld, obj, "required", JSON_TRUE, "a boolean", false);
	q->required = v && json_is_true(v);

	/* keys that belong to one type only */
	if (type >= 0) {
		static const struct { const char *key; int type; } only[] = {
			{ "scale", FORM_Q_SCALE }, { "min", FORM_Q_NUMBER }, { "max", FORM_Q_NUMBER },
			{ "max_length", FORM_Q_TEXT },
		};
		for (i = 0; i < sizeof only / sizeof only[0]; i++)
			if (json_object_get(obj, only[i].key) && type != only[i].type) {
				old = form_path_key(ld, only[i].key);
				form_fault(ld, "only %s questions take \"%s\"", qtype_names[only[i].type], only[i].key);
				form_path_pop(ld, old);
			}
		if (json_object_get(obj, "options") && type != FORM_Q_SINGLE && type != FORM_Q_MULTI) {
			old = form_path_key(ld, "options");
			form_fault(ld, "only single and multi questions take \"options\"");
			form_path_pop(ld, old);
		}
	}
	if (type == FORM_Q_SCALE && (v = member(ld, obj, "scale", JSON_STRING, "a string", true))) {
		q->scale = form_scale_find(ld->f, json_string_value(v));
		if (q->scale && ld->scale_bad[q->scale - ld->f->scales])
			ld->qflags[qi] |= FORM_QF_CODES_BAD;
		if (!q->scale) {
			old = form_path_key(ld, "scale");
			form_fault(ld, "unknown scale \"%.64s\"", json_string_value(v));
			form_path_pop(ld, old);
		}
	}
	if (type == FORM_Q_SCALE && !q->scale)
		ld->qflags[qi] |= FORM_QF_CODES_BAD;
	if (type == FORM_Q_SINGLE || type == FORM_Q_MULTI) {
		size_t before = ld->ff->count;

		load_options(ld, obj, q);
		if (ld->ff->count != before)
			ld->qflags[qi] |= FORM_QF_CODES_BAD;
	}
	if (type == FORM_Q_NUMBER) {
		if ((v = member(ld, obj, "min", JSON_REAL, "a number", false)))
			q->min = json_number_value(v);
		if ((v = member(ld, obj, "max", JSON_REAL, "a number", false)))
			q->max = json_number_value(v);
		if (q->min > q->max) {
			old = form_path_key(ld, "max");
			form_fault(ld, "max is below min");
			form_path_pop(ld, old);
		}
	}
	if (type == FORM_Q_TEXT && (v = member(ld, obj, "max_length", JSON_INTEGER, "an integer", false))) {
		json_int_t m = json_integer_value(v);

		old = form_path_key(ld, "max_length");
		if (m < 1 || m > FORM_MAX_ANSWER_CHARS)
			form_fault(ld, "must be in [1, %d]", FORM_MAX_ANSWER_CHARS);
		else
			q->max_length = (size_t)m;
		form_path_pop(ld, old);
	}
	load_show_if(ld, obj, qi);
}

static void load_sections(struct form_loader *ld, json_t *root)
{
	struct form *f = ld->f;
	json_t *arr, *sec, *qarr, *qv;
	long n = get_array(ld, root, "sections", true, true, FORM_MAX_SECTIONS, &arr);
	size_t total = 0, i, k, old, old2, old3;

	if (n < 0)
		return;
	json_array_foreach(arr, i, sec)
		if (json_is_array(json_object_get(sec, "questions")))
			total += json_array_size(json_object_get(sec, "questions"));
	old = form_path_key(ld, "sections");
	if (total > FORM_MAX_QUESTIONS) {
		form_fault(ld, "%zu questions; the limit is %d", total, FORM_MAX_QUESTIONS);
		form_path_pop(ld, old);
		return;
	}
	f->sections = xcalloc(ld, (size_t)n, sizeof *f->sections);
	f->questions = xcalloc(ld, total, sizeof *f->questions);
	ld->show_if_ids = xcalloc(ld, total, sizeof *ld->show_if_ids);
	ld->qflags = xcalloc(ld, total, sizeof *ld->qflags);
	if (ld->oom) {
		form_path_pop(ld, old);
		return;
	}
	json_array_foreach(arr, i, sec) {
		struct form_section *s = &f->sections[f->nsections++];

		s->first = f->nquestions;
		old2 = form_path_index(ld, i);
		if (!json_is_object(sec)) {
			form_fault(ld, "must be an object, not %s", type_name(sec));
			form_path_pop(ld, old2);
			continue;
		}
		check_keys(ld, sec, section_keys);
		get_id(ld, sec, "id", &s->id);
		for (k = 0; s->id && k + 1 < f->nsections; k++)
			if (f->sections[k].id && !strcmp(f->sections[k].id, s->id)) {
				size_t old4 = form_path_key(ld, "id");

				form_fault(ld, "duplicate section id \"%s\" (also at $.sections[%zu])", s->id, k);
				form_path_pop(ld, old4);
				break;
			}
		get_string(ld, sec, "title", true, FORM_MAX_TEXT_LEN, &s->title);
		get_string(ld, sec, "description", false, FORM_MAX_TEXT_LEN, &s->description);
		if (get_array(ld, sec, "questions", true, true, FORM_MAX_QUESTIONS, &qarr) >= 0) {
			old3 = form_path_key(ld, "questions");
			json_array_foreach(qarr, k, qv) {
				size_t old4 = form_path_index(ld, k);
				size_t qi = f->nquestions++;

				f->questions[qi].section = i;
				load_question(ld, qv, qi);
				form_path_pop(ld, old4);
			}
			form_path_pop(ld, old3);
		}
		s->count = f->nquestions - s->first;
		form_path_pop(ld, old2);
	}
	form_path_pop(ld, old);
}

static void load_indices(struct form_loader *ld, json_t *root)
{
	struct form *f = ld->f;
	json_t *arr, *obj, *of, *v;
	long n = get_array(ld, root, "indices", true, true, FORM_MAX_INDICES, &arr);
	size_t i, k, old, old2, old3;

	if (n < 0)
		return;
	f->indices = xcalloc(ld, (size_t)n, sizeof *f->indices);
	if (!f->indices)
		return;
	old = form_path_key(ld, "indices");
	json_array_foreach(arr, i, obj) {
		struct form_index *ix = &f->indices[f->nindices++];
		long nof, nw;
		json_t *w;

		old2 = form_path_index(ld, i);
		if (!json_is_object(obj)) {
			form_fault(ld, "must be an object, not %s", type_name(obj));
			form_path_pop(ld, old2);
			continue;
		}
		check_keys(ld, obj, index_keys);
		get_id(ld, obj, "id", &ix->id);
		get_string(ld, obj, "label", true, FORM_MAX_TEXT_LEN, &ix->label);
		nof = get_array(ld, obj, "of", true, true, FORM_MAX_CHILDREN, &of);
		if (nof >= 0) {
			char **ids = xcalloc(ld, (size_t)nof, sizeof *ids);
			bool ok = ids != NULL;

			old3 = form_path_key(ld, "of");
			json_array_foreach(of, k, v) {
				size_t old4 = form_path_index(ld, k);

				if (!ids)
					break;
				if (!json_is_string(v)) {
					form_fault(ld, "must be a string, not %s", type_name(v));
					ok = false;
				} else if (!form_id_valid(json_string_value(v), json_string_length(v))) {
					form_fault(ld, "\"%.64s\" is not a valid id", json_string_value(v));
					ok = false;
				} else if (!(ids[k] = xstrdup(ld, json_string_value(v))))
					ok = false;
				form_path_pop(ld, old4);
			}
			form_path_pop(ld, old3);
			if (ok) {
				ix->child_ids = ids;
				ix->nchildren = (size_t)nof;
			} else {
				for (k = 0; ids && k < (size_t)nof; k++)
					free(ids[k]);
				free(ids);
			}
		}
		nw = get_array(ld, obj, "weights", false, false, FORM_MAX_CHILDREN, &w);
		if (ix->nchildren)
			ix->weights = xcalloc(ld, ix->nchildren, sizeof *ix->weights);
		if (nw >= 0) {
			double sum = 0;
			bool ok = true;

			old3 = form_path_key(ld, "weights");
			if (nof >= 0 && nw != nof) {
				form_fault(ld, "%ld weights for %ld entries of \"of\"", nw, nof);
				ok = false;
			}
			json_array_foreach(w, k, v) {
				size_t old4 = form_path_index(ld, k);
				double x = json_number_value(v);

				if (!json_is_number(v)) {
					form_fault(ld, "must be a number, not %s", type_name(v));
					ok = false;
				} else if (!(x >= 0) || !isfinite(x)) {
					form_fault(ld, "a weight must be 0 or more");
					ok = false;
				} else {
					sum += x;
					if (ix->weights && k < ix->nchildren)
						ix->weights[k] = x;
				}
				form_path_pop(ld, old4);
			}
			if (ok && fabs(sum - 1) > 1e-9)
				form_fault(ld, "weights sum to %.12g, not 1", sum);
			form_path_pop(ld, old3);
		} else if (ix->weights) {
			for (k = 0; k < ix->nchildren; k++)
				ix->weights[k] = 1.0 / (double)ix->nchildren;
		}
		form_path_pop(ld, old2);
	}
	form_path_pop(ld, old);
}

static void load_form(struct form_loader *ld, json_t *root)
{
	struct form *f = ld->f;
	json_t *v;
	size_t old;

	check_keys(ld, root, form_keys);
	v = member(ld, root, "id", JSON_STRING, "a string", true);
	if (v) {
		old = form_path_key(ld, "id");
		if (!form_id_ok(json_string_value(v), json_string_length(v)))
			form_fault(ld, "\"%.64s\" is not a valid form id ([A-Za-z0-9][A-Za-z0-9_.-]*, at most %d bytes)",
				json_string_value(v), FORM_MAX_ID_LEN);
		else
			f->id = xstrdup(ld, json_string_value(v));
		form_path_pop(ld, old);
	}
	v = member(ld, root, "version", JSON_INTEGER, "an integer", true);
	if (v) {
		old = form_path_key(ld, "version");
		if (json_integer_value(v) < 1 || json_integer_value(v) > INT_MAX)
			form_fault(ld, "must be a positive integer");
		else
			f->version = (int)json_integer_value(v);
		form_path_pop(ld, old);
	}
	get_string(ld, root, "title", true, FORM_MAX_TEXT_LEN, &f->title);
	get_string(ld, root, "respondent", true, FORM_MAX_ID_LEN, &f->respondent);
	get_string(ld, root, "description", false, FORM_MAX_TEXT_LEN, &f->description);
	load_scales(ld, root);
	if (ld->oom)
		return;
	load_sections(ld, root);
	if (ld->oom)
		return;
	load_indices(ld, root);
}

int form_parse(const char *json, size_t len, struct form **out, struct form_faults *faults)
{
	struct form_faults local;
	struct form_loader ld = { .path = "$", .plen = 1 };
	json_error_t jerr;
	json_t *root = NULL;
	size_t i;
	int r;

	ld.ff = faults ? faults : &local;
	ld.ff->count = 0;
	if (len > FORM_MAX_FILE_BYTES) {
		form_fault(&ld, "the definition is larger than the limit of %u bytes", FORM_MAX_FILE_BYTES);
		return -E2BIG;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		form_fault(&ld, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		r = json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EINVAL;
		goto out;
	}
	if (!json_is_object(root)) {
		form_fault(&ld, "a form definition must be a JSON object");
		r = -EINVAL;
		goto out;
	}
	ld.f = calloc(1, sizeof *ld.f);
	if (!ld.f) {
		r = -ENOMEM;
		goto out;
	}
	load_form(&ld, root);
	if (!ld.oom && ld.f->questions)
		form_check_questions(&ld);
	if (!ld.oom)
		form_check_indices(&ld);
	if (!ld.oom && !ld.ff->count) {
		ld.f->source = malloc(len + 1);
		if (!ld.f->source)
			ld.oom = true;
		else {
			memcpy(ld.f->source, json, len);
			ld.f->source[len] = '\0';
			ld.f->source_len = len;
		}
	}
	r = ld.oom ? -ENOMEM : ld.ff->count ? -EINVAL : 0;
out:
	json_decref(root);
	if (ld.show_if_ids)
		for (i = 0; ld.f && i < ld.f->nquestions; i++)
			free(ld.show_if_ids[i]);
	free(ld.show_if_ids);
	free(ld.qflags);
	free(ld.scale_bad);
	if (r == 0)
		*out = ld.f;
	else
		form_free(ld.f);
	return r;
}

int form_load_file(const char *path, struct form **out, struct form_faults *faults)
{
	struct form_faults local;
	struct form_faults *ff = faults ? faults : &local;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	bool read_ok = false;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	buf = malloc(FORM_MAX_FILE_BYTES + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (len <= FORM_MAX_FILE_BYTES) {
		n = read(fd, buf + len, FORM_MAX_FILE_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	read_ok = true;
	r = form_parse(buf, len, out, ff);
out:
	if (!read_ok) {
		ff->count = 1;
		snprintf(ff->list[0].path, sizeof ff->list[0].path, "$");
		snprintf(ff->list[0].message, sizeof ff->list[0].message, "cannot read %.120s: %s",
			path, strerror(-r));
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

static void free_scale(struct form_scale *s)
{
	size_t i;

	free(s->id);
	for (i = 0; s->labels && i < s->ncodes; i++)
		free(s->labels[i]);
	free(s->labels);
	free(s->codes);
	free(s->positive);
}

void form_free(struct form *f)
{
	size_t i, k;

	if (!f)
		return;
	for (i = 0; f->scales && i < f->nscales; i++)
		free_scale(&f->scales[i]);
	free(f->scales);
	free(f->small_codes);
	for (i = 0; f->sections && i < f->nsections; i++) {
		free(f->sections[i].id);
		free(f->sections[i].title);
		free(f->sections[i].description);
	}
	free(f->sections);
	for (i = 0; f->questions && i < f->nquestions; i++) {
		struct form_question *q = &f->questions[i];

		free(q->id);
		free(q->text);
		for (k = 0; q->options && k < q->noptions; k++)
			free(q->options[k].label);
		free(q->options);
		free(q->show_in);
	}
	free(f->questions);
	for (i = 0; f->indices && i < f->nindices; i++) {
		struct form_index *ix = &f->indices[i];

		free(ix->id);
		free(ix->label);
		for (k = 0; ix->child_ids && k < ix->nchildren; k++)
			free(ix->child_ids[k]);
		free(ix->child_ids);
		free(ix->weights);
		free(ix->coef);
		free(ix->child_index);
		free(ix->child_question);
	}
	free(f->indices);
	free(f->items);
	free(f->id);
	free(f->title);
	free(f->respondent);
	free(f->description);
	free(f->source);
	free(f->by_id);
	free(f);
}
