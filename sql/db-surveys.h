/* db-surveys.h - survey rounds (đợt khảo sát): creating, opening and closing, reading. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

#define DB_SURVEY_CODE_MAX 65
#define DB_SURVEY_TITLE_MAX 1024

/* A stratum of the round's sampling frame. */
struct db_stratum {
	const char *stratum;
	long long population;       /* N_h > 0 */
	long long target;           /* n_h, or -1 when not given */
};

/* What `sipas survey create` asks for. */
struct db_survey_spec {
	const char *code;
	int form_id;                /* from db_form_find */
	const char *title;
	bool has_baseline;
	double baseline;
	const char *baseline_label; /* or NULL */
	const char *access;         /* "open" or "invite" */
	const char *const *agencies;/* codes the round covers (none = every agency) */
	size_t nagencies;
	const struct db_stratum *strata;
	size_t nstrata;
};

/* A round as the server needs it. */
struct db_survey {
	int id;
	int form_id;
	char code[DB_SURVEY_CODE_MAX];
	char title[DB_SURVEY_TITLE_MAX];
	bool invite_only;
	bool open;
};

/* Creates a round with its frame and agencies in one transaction (audited). Returns the new
 * id (> 0); -EEXIST when the code is taken; -ENOENT when an agency is unknown (its code in
 * db_conn_error); -EINVAL for a value the database refuses; or another negative errno. */
int db_survey_create(struct db_conn *c, const struct db_survey_spec *s);
/* Opens (open = true) or closes a round; returns 0, -ENOENT, or a negative errno. Audited. */
int db_survey_set_open(struct db_conn *c, const char *code, bool open);
/* Publishes (published = true) or unpublishes a round's results; returns 0, -ENOENT, or a
 * negative errno. Audited. */
int db_survey_set_published(struct db_conn *c, const char *code, bool published);
/* Reads whether round id's results are published; returns 1, 0, -ENOENT or a negative errno. */
int db_survey_is_published(struct db_conn *c, int survey_id);
/* Reads round code and the definition of its form (malloc'd, NUL-terminated; the caller
 * frees it) into *out and *definition. Returns 0, -ENOENT, or a negative errno. */
int db_survey_get(struct db_conn *c, const char *code, struct db_survey *out, char **definition, size_t *deflen);
/* Reads whether round id is open; returns 1 open, 0 closed, -ENOENT or a negative errno. */
int db_survey_is_open(struct db_conn *c, int survey_id);
/* Calls fn for each agency the round covers (survey_agencies, or every agency when it lists
 * none), in name order. Returns the count or a negative errno (or fn's negative return). */
int db_survey_agencies_each(struct db_conn *c, int survey_id,
			    int (*fn)(void *ud, const char *code, const char *name), void *ud);
/* Calls fn for each round whose form has the same form id (any version) as round survey_id's,
 * itself included, oldest first (created_at, then id); at most the latest DB_SURVEY_ROUNDS_MAX.
 * Returns the count or a negative errno (or fn's negative return). */
#define DB_SURVEY_ROUNDS_MAX 24
int db_survey_rounds_each(struct db_conn *c, int survey_id,
			  int (*fn)(void *ud, const char *code, const char *title), void *ud);
