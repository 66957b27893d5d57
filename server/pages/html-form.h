/* html-form.h - the citizens' web form, rendered from a form definition (server side,
 * Vietnamese, semantic HTML, works without JavaScript; /static/form.js enhances it).
 *
 * Field names: a question's answers go in a field named after its id (checkboxes repeat
 * it); the page's own fields start with '_' (question ids cannot): HTML_FIELD_*. */
#pragma once

#include <stddef.h>

#include "form.h"
#include "strbuf.h"
#include "urlencoded.h"

#define HTML_FIELD_CSRF   "_csrf"
#define HTML_FIELD_ID     "_id"       /* the response's UUID, made when the form is shown */
#define HTML_FIELD_AGENCY "_agency"
#define HTML_FIELD_INVITE "_invite"
#define HTML_FIELD_CHANNEL "_channel"  /* the interviewers' mode: interview or phone */

struct html_agency {
	const char *code;
	const char *name;
};

/* An error shown beside its field: a question id, HTML_FIELD_AGENCY or HTML_FIELD_INVITE,
 * or NULL for the whole form. */
struct html_form_error {
	const char *field;
	const char *message;     /* Vietnamese */
};

struct html_form_view {
	const char *survey_code;
	const char *survey_title;
	const struct form *form;
	const char *csrf;                      /* the double-submit token */
	const char *client_id;                 /* UUID of this response */
	const char *invite;                    /* the invitation code (invite-only rounds), or NULL */
	const char *invite_agency;             /* the name of the invitation's agency */
	const struct html_agency *agencies;    /* the choice of agency (no invitation) */
	size_t nagencies;
	const struct urlenc_form *posted;      /* answers to show again, or NULL for a fresh form */
	const struct html_form_error *errors;
	size_t nerrors;
	int collect;                           /* the interviewers' mode: channel, no post, no draft */
	size_t *marks;                         /* not NULL: gets where the csrf ([0]) and the client
						* id ([1]) values begin in the page */
};

/* Appends the whole page; returns 0 or a negative errno. */
int html_form_render(struct strbuf *sb, const struct html_form_view *v);
/* Appends the page asking for an invitation code for round code; message may be NULL. */
int html_form_invite_page(struct strbuf *sb, const char *code, const char *title, const char *message);
