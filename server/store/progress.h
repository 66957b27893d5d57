/* progress.h - fieldwork progress: the round's responses by channel against the sample
 * frame's targets. The one model behind GET /api/v1/surveys/{survey}/progress (a row per
 * stratum and agency) and the dashboard's table (a row per agency). */
#pragma once

#include <stddef.h>

#include "channel.h"
#include "est-design.h"

struct db_conn;

#define PROGRESS_NO_TARGET (-1)

struct progress_row {
	char stratum[EST_MAX_KEY_LEN + 1];  /* "" in a row per agency */
	char agency[33];                    /* the agency's code (the stratum's code when the frame gives none) */
	long long target;                   /* PROGRESS_NO_TARGET when the frame gives none */
	long long n[FORM_NCHANNELS];        /* responses by channel */
	long long total;                    /* responses in all */
	long long population;               /* N_h of the frame (0 when none) */
	long long invited;                  /* invitations of the agency (in the row stratum = agency) */
	long long used;                     /* of which used */
};

struct progress {
	struct progress_row *rows;
	size_t n, cap;
};

/* Reads the round's frame and kept counts into a row per (stratum, agency), sorted by stratum
 * then agency. Returns 0 and fills *out (free with progress_done), or a negative errno (db.h)
 * with *out untouched. */
int progress_load(struct db_conn *c, int survey_id, struct progress *out);

/* What progress_load does with one frame stratum: its row (stratum, agency or else stratum)
 * takes the target. Returns 0 or -ENOMEM. */
int progress_add_target(struct progress *p, const char *stratum, long long target, const char *agency);
/* What progress_load does with a frame stratum's population N_h. Returns 0 or -ENOMEM. */
int progress_add_population(struct progress *p, const char *stratum, long long population, const char *agency);
/* What progress_load does with one kept count: n responses of channel (an unknown channel
 * counts only in the total). Returns 0 or -ENOMEM. */
int progress_add_count(struct progress *p, const char *stratum, const char *agency, const char *channel,
		       long long n);
/* What progress_load does with an agency's invitations: they go to the row (stratum =
 * agency, agency), the stratum a draw makes (added when missing). Returns 0 or -ENOMEM. */
int progress_add_invites(struct progress *p, const char *agency, long long invited, long long used);
/* Sorts the rows by stratum, then agency. */
void progress_sort(struct progress *p);

/* Folds the rows of p into a row per agency in code order (stratum ""; target: the sum of
 * its strata's positive targets, 0 when none), keeping only agency only unless only is NULL. Returns 0 and fills *out (free with progress_done), or -ENOMEM with *out untouched. */
int progress_by_agency(const struct progress *p, const char *only, struct progress *out);

/* Adds row's responses and its positive target to sum (a zeroed row to start). */
void progress_row_add(struct progress_row *sum, const struct progress_row *row);
/* The row's responses as a share of its target, or NAN when it has no positive target. */
double progress_share(const struct progress_row *row);
/* The row's used invitations as a share of its invitations, or NAN when it has none. */
double progress_response_rate(const struct progress_row *row);

/* Frees the rows; p may be NULL. */
void progress_done(struct progress *p);
