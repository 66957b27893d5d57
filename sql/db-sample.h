/* db-sample.h - a round's drawn sample: its frame, its invitations and the contacts of the
 * drawn people (schema `contacts`, admins only; docs/sipas-method.md "Privacy"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_sample_stratum {
	const char *agency;             /* stratum = agency code */
	long long population;           /* N_h > 0 */
	long long target;               /* n_h */
	long long invitations;          /* m_h */
};

struct db_sample_invite {
	const char *agency;
	const char *code;               /* as printed: XXXX-XXXX-XXXX-XXXX */
	uint8_t hash[32];
	const char *dossier, *name, *phone, *email, *address;   /* NULL or "" = none */
};

struct db_sample {
	int survey_id;
	uint8_t registry_sha256[32];
	long long registry_rows;
	const char *from, *to;          /* ISO dates, or NULL */
	double margin, confidence, p, deff, response_rate;
	long long min;
	unsigned long long seed;
	const struct db_sample_stratum *strata;
	size_t nstrata;
	const struct db_sample_invite *invites;
	size_t ninvites;
	const char *actor;              /* for the audit log */
};

/* The id of round code: > 0, -ENOENT, or a negative errno. */
int db_sample_survey_id(struct db_conn *c, const char *code);

/* What the letters need of a round. */
struct db_survey_brief {
	int id;
	char code[65];
	char title[1024];
};
/* Reads round code into *out; returns 0, -ENOENT or a negative errno. */
int db_survey_brief(struct db_conn *c, const char *code, struct db_survey_brief *out);
/* Replaces the round's frame and its drawn invitations (with their contacts) by s, records
 * the draw and audits, in one transaction. Returns 0; -EPERM when the round is not
 * invite-only, -EBUSY when it has responses or a used invitation (nothing changed; the
 * reason in db_conn_error); or a negative errno. */
int db_sample_store(struct db_conn *c, const struct db_sample *s);

/* One drawn invitation with its contacts (strings valid during the call; "" when none). */
struct db_invite_row {
	const char *code, *agency, *agency_name, *dossier, *name, *phone, *email, *address;
	bool used;
};
typedef int (*db_invite_row_fn)(void *ud, const struct db_invite_row *row);
/* Audits the read (actor, token_id 0 = none, format) and calls fn for each drawn invitation of
 * round survey_id (only agency's when not NULL; only unused ones with unused_only), in agency
 * then code order. Returns the count, or fn's or the database's negative errno. */
int db_invites_export(struct db_conn *c, int survey_id, const char *agency, bool unused_only, int token_id,
		      const char *actor, const char *format, db_invite_row_fn fn, void *ud);
/* Erases name, phone, email, address and dossier of the round's invitations (codes and their
 * use stay), audited. Returns the number of invitations purged, or a negative errno. */
int db_invites_purge(struct db_conn *c, int survey_id, const char *actor);

