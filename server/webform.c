/* webform.c - a form post through the shared answer rules (survey-forms/answer-check.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answer-check.h"
#include "webform.h"

static void fix_pointers(struct webform_result *r)
{
	size_t i;

	for (i = 0; i < r->nerrors; i++) {
		r->errors[i].field = r->offs[i][0] == (size_t)-1 ? NULL : r->arena.buf + r->offs[i][0];
		r->errors[i].message = r->arena.buf + r->offs[i][1];
	}
}

int webform_error(struct webform_result *r, const char *field, const char *message)
{
	size_t n = r->nerrors;
	int ret;

	if (n == WEBFORM_MAX_ERRORS)
		return 0;
	if (r->arena.limit == 0)
		strbuf_init(&r->arena, 1u << 20);
	r->offs[n][0] = (size_t)-1;
	if (field) {
		r->offs[n][0] = r->arena.len;
		if ((ret = strbuf_append(&r->arena, field, strlen(field) + 1)) < 0)
			return ret;
	}
	r->offs[n][1] = r->arena.len;
	if ((ret = strbuf_append(&r->arena, message, strlen(message) + 1)) < 0)
		return ret;
	r->nerrors++;
	fix_pointers(r);
	return 0;
}

int webform_validate(const struct form *f, const struct urlenc_form *posted, const char *agency,
		     struct webform_result *out)
{
	struct answer_set s;
	char msg[400];
	size_t i;
	int r, q;

	memset(out, 0, sizeof *out);
	strbuf_init(&out->answers, 1u << 20);
	strbuf_init(&out->arena, 1u << 20);
	out->codes = calloc(f->nslots ? f->nslots : 1, sizeof *out->codes);
	if (!out->codes)
		return -ENOMEM;
	if ((r = answer_set_init(&s, f, WEBFORM_MAX_ERRORS)) < 0)
		return r;
	if (!agency || !*agency)
		webform_error(out, HTML_FIELD_AGENCY, "Vui lòng chọn cơ quan, đơn vị Ông/Bà đã đến giải quyết thủ tục.");
	for (i = 0; i < posted->n; i++) {
		const struct urlenc_field *fld = &posted->fields[i];

		if (fld->name[0] == '_')
			continue;
		q = form_question_index(f, fld->name);
		if (q < 0) {
			answer_error_add(&s, ANS_UNKNOWN_QUESTION, -1, fld->name, strlen(fld->name));
			continue;
		}
		answer_from_string(&s, (size_t)q, fld->value, fld->len);
	}
	answer_check_rules(&s);
	for (i = 0; i < s.nerrors; i++) {
		const struct answer_error *e = &s.errors[i];

		answer_error_message(f, e, true, msg, sizeof msg);
		if ((r = webform_error(out, e->question >= 0 ? f->questions[e->question].id : NULL, msg)) < 0)
			goto out;
	}
	answer_fill_codes(&s, out->codes);
	r = answer_write_json(&s, &out->answers);
out:
	answer_set_done(&s);
	return r;
}

void webform_result_done(struct webform_result *r)
{
	if (!r)
		return;
	free(r->codes);
	r->codes = NULL;
	strbuf_done(&r->answers);
	strbuf_done(&r->arena);
	r->nerrors = 0;
}
