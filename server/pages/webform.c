/* webform.c - a form post through answers_from_pairs: the page's fields (_agency, _id) become
 * the checker's "agency" and "id"; its errors come back keyed by the page's field names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* The page's name for a checker field. */
static const char *page_field(const char *field)
{
	if (!strcmp(field, "agency"))
		return HTML_FIELD_AGENCY;
	if (!strcmp(field, "invite"))
		return HTML_FIELD_INVITE;
	if (!field[0] || !strcmp(field, "id"))
		return NULL;
	return field;
}

int webform_validate(const struct form *f, const struct urlenc_form *posted, const char *agency,
		     struct webform_result *out)
{
	struct answers_pair *pairs = NULL;
	size_t i, n = 0;
	int r;

	memset(out, 0, sizeof *out);
	strbuf_init(&out->arena, 1u << 20);
	out->a = answers_new(f);
	pairs = calloc(posted->n + 1, sizeof *pairs);
	if (!out->a || !pairs) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < posted->n; i++) {
		const struct urlenc_field *fld = &posted->fields[i];

		if (!strcmp(fld->name, HTML_FIELD_ID))
			pairs[n].name = "id";
		else if (fld->name[0] == '_' || !strcmp(fld->name, "id") || !strcmp(fld->name, "agency") ||
			 !strcmp(fld->name, "invite"))
			continue;       /* the page's own, or names only the page may set */
		else
			pairs[n].name = fld->name;
		pairs[n].value = fld->value;
		pairs[n].value_len = fld->len;
		n++;
	}
	if (agency && *agency) {
		pairs[n].name = "agency";
		pairs[n].value = agency;
		pairs[n].value_len = strlen(agency);
		n++;
	}
	r = answers_from_pairs(out->a, pairs, n);
	if (r == -EINVAL) {
		for (i = 0; i < out->a->nerrors; i++) {
			const struct answers_error *e = &out->a->errors[i];

			if (!strcmp(e->field, "agency") && !strcmp(e->code, "missing_agency"))
				r = webform_error(out, HTML_FIELD_AGENCY,
						  "Vui lòng chọn cơ quan, đơn vị Ông/Bà đã đến giải quyết thủ tục.");
			else
				r = webform_error(out, page_field(e->field), e->message);
			if (r < 0)
				goto out;
		}
		r = 0;
	}
out:
	free(pairs);
	return r;
}

void webform_result_done(struct webform_result *r)
{
	if (!r)
		return;
	answers_free(r->a);
	r->a = NULL;
	strbuf_done(&r->arena);
	r->nerrors = 0;
}
