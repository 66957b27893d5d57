/* webform.h - checking a web form post against its form (through survey-forms/answers.h):
 * the coded vector, the normalised answers and every error, in Vietnamese, by page field. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "answers.h"
#include "form.h"
#include "html-form.h"
#include "strbuf.h"
#include "urlencoded.h"

#define WEBFORM_MAX_ERRORS 200

struct webform_result {
	struct answers *a;                 /* codes, json (normalised answers) once checked */
	size_t nerrors;
	struct html_form_error errors[WEBFORM_MAX_ERRORS];
	struct strbuf arena;               /* the errors' strings */
	size_t offs[WEBFORM_MAX_ERRORS][2];
};

/* Checks posted (fields named after question ids; the page's own fields start with '_') with
 * the agency code the respondent chose or the invitation decided. Returns 0 with out filled
 * (nerrors = 0 when valid), or a negative errno. Free out with webform_result_done, also on
 * failure. */
int webform_validate(const struct form *f, const struct urlenc_form *posted, const char *agency,
		     struct webform_result *out);
/* Adds an error for field (copied; NULL for the whole form); returns 0 or a negative errno. */
int webform_error(struct webform_result *r, const char *field, const char *message);
/* Frees what a result holds; r may be NULL or zeroed. */
void webform_result_done(struct webform_result *r);
