/* db-uploads.h - paper-result files: rows streamed in with COPY inside one transaction,
 * checked against what is stored, then kept or rolled back as a whole; the upload history;
 * withdrawing an upload.
 *
 * An upload's life: db_upload_begin (BEGIN; uploads to the round serialised; COPY FROM STDIN
 * straight into responses when the round has no stored serial, else into a temporary table),
 * any number of db_upload_put (rows buffered and sent with PQputCopyData), then
 * db_upload_finish (COPY ended and drained; the same-file and serial checks; with store, the
 * staged rows moved into responses, the upload recorded, the caller's before_commit (the fold),
 * the audit, COMMIT) or db_upload_free alone (ROLLBACK). Nothing is visible before the COMMIT,
 * and nothing stays unless db_upload_finish returns 0. The rows are not queued for the fold
 * (sipas.folded is set for the transaction): the caller folds them in before_commit. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define DB_UPLOAD_NAME_MAX 256     /* bytes of a file name kept */

struct db_upload;

/* One validated row of a responses file. */
struct db_upload_row {
	long row;                     /* 1 = the first data row */
	const char *serial;           /* required */
	int agency_id;                /* the id of an agency the caller checked */
	const char *channel;          /* web, paper, phone, api */
	const char *stratum;          /* the stratum (the agency code when the file gave none) */
	const char *psu;              /* NULL or "" = none */
	double weight;                /* > 0, or 0 = none */
	double fpc;                   /* > 0, or 0 = none */
	const char *submitted_at;     /* ISO-8601 text, or NULL = now */
	const int16_t *codes;         /* coded answers in slot order; negative = no answer */
	size_t ncodes;
	const char *answers;          /* the answers codes does not hold, as a JSON object, or NULL */
	size_t answers_len;
};

/* What is recorded with an upload. */
struct db_upload_meta {
	int survey_id;
	int token_id;                 /* 0 = none (the CLI) */
	const char *actor;            /* token or user name, for the history and the audit log */
	const char *file_name;        /* or NULL */
	uint8_t sha256[32];           /* of the whole file */
	long rows;
};

/* Called by db_upload_finish for each row whose serial is already stored in the round
 * (earlier_upload 0 = a response that came by another way); a negative return stops. */
typedef int (*db_upload_conflict_fn)(void *ud, long row, const char *serial, long long earlier_upload);

/* Starts an upload of m's round (m->sha256 and m->rows are not read yet) on c (held until
 * db_upload_free): BEGIN, COPY. A dry run takes no lock and, when no stored serial needs
 * checking, sends nothing. Returns 0 and *out, or a negative errno (c's error says why). */
int db_upload_begin(struct db_conn *c, const struct db_upload_meta *m, bool dry_run, struct db_upload **out);
/* Adds a row; sends the buffered rows to the server every few hundred kilobytes. Returns 0
 * or a negative errno (-ECONNREFUSED: the database went away). */
int db_upload_put(struct db_upload *u, const struct db_upload_row *row);
/* Ends the COPY and checks, with concurrent uploads to the same round serialised: the same
 * file stored before -> -EEXIST with *earlier set; serials already stored -> fn per row (in
 * row order, at most max_conflicts calls), then -EINVAL with *nconflicts set. When store is
 * false (a dry run) stops there and returns 0. Otherwise keeps the rows, records the upload,
 * calls before_commit(bud, c, upload id) (may be NULL) in the transaction, audits it and commits: 0 with
 * *upload_id. Every failure rolls back. */
int db_upload_finish(struct db_upload *u, const struct db_upload_meta *m, bool store,
		     db_upload_conflict_fn fn, void *ud, size_t max_conflicts,
		     int (*before_commit)(void *bud, struct db_conn *c, long long upload_id), void *bud,
		     long long *earlier, size_t *nconflicts, long long *upload_id);
/* Rolls back what is not committed and frees u; u may be NULL. The connection stays the caller's. */
void db_upload_free(struct db_upload *u);

/* Calls fn for every agency (id and code) an upload to survey_id may name: the round's
 * agencies, or every agency when the round lists none. Returns the count or a negative errno. */
int db_upload_agencies(struct db_conn *c, int survey_id, int (*fn)(void *ud, int id, const char *code), void *ud);

/* One upload in the history. */
struct db_upload_info {
	long long id;
	const char *who;              /* the token's name, or the recorded actor */
	const char *created_at;       /* ISO-8601 with offset */
	const char *file_name;        /* or NULL */
	long rows;
	const char *status;           /* stored, withdrawn */
	const char *sha256;           /* 64 hex digits */
	const char *withdrawn_at;     /* or NULL */
};

/* Calls fn for each upload of survey_id, newest first (strings valid during the call).
 * Returns the count or a negative errno (or fn's). */
int db_uploads_each(struct db_conn *c, int survey_id, int (*fn)(void *ud, const struct db_upload_info *u), void *ud);
/* Withdraws upload id: its responses get withdrawn = true and the upload the status
 * withdrawn, audited, in one transaction. Returns the number of responses withdrawn,
 * -ENOENT (no such upload), -EALREADY (withdrawn before), or a negative errno. */
int db_upload_withdraw(struct db_conn *c, long long id, int token_id, const char *actor);
