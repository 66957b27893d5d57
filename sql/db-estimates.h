/* db-estimates.h - the kept aggregates of the estimates API (sql/004_estimates.sql): the queue
 * of responses to fold in, the serialized cells, the per-channel counts, and what the analysts'
 * routes read besides (the frame, agencies with their level, the round's baseline).
 *
 * A fold runs under db_est_trylock (a session advisory lock per round, so one fold at a time):
 * either a rebuild (db_est_rebuild_begin, db_est_scan, writes, db_est_state_set, db_commit) or
 * an increment (db_est_pending_begin, db_est_take_pending, writes, db_est_state_set, db_commit). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define DB_EST_BATCH 20000          /* rows per fetch */

/* One response as the estimator needs it. Pointers are valid during the callback only. */
struct db_est_row {
	long long id;
	int agency_id;
	const char *stratum;
	const char *psu;            /* NULL: its own PSU */
	double weight;              /* NAN: from the frame */
	double fpc;                 /* NAN: from the frame */
	const char *channel;
	const int16_t *codes;       /* ncodes codes (FORM_NO_ANSWER = -1 for none) */
};
typedef int (*db_est_row_fn)(void *ud, const struct db_est_row *r);

/* A stored cell (psu NULL) or clustered PSU's totals (psu set). */
struct db_est_cell {
	const char *grouping;       /* "" = agency grain, else a question id */
	int agency_id;
	int code;                   /* answer code, -1 = none / agency grain */
	const char *stratum;
	const char *psu;
	const void *data;
	size_t len;
};
typedef int (*db_est_cell_fn)(void *ud, const struct db_est_cell *c);

/* Tries to take the round's fold lock: 1 taken, 0 held by another session, or a negative errno. */
int db_est_trylock(struct db_conn *c, int survey_id);
/* Tries to take the round's fold lock until the end of c's open transaction: 1 taken, 0 held
 * by another session, or a negative errno. */
int db_est_xact_trylock(struct db_conn *c, int survey_id);
/* Queues the responses of upload upload_id for the next fold (in c's open transaction);
 * returns 0 or a negative errno. */
int db_est_queue_upload(struct db_conn *c, int survey_id, long long upload_id);
/* Gives the fold lock back; returns 0 or a negative errno. */
int db_est_unlock(struct db_conn *c, int survey_id);
/* Reads whether the round's cells must be rebuilt and whether responses wait to be folded in;
 * returns 0 or a negative errno. */
int db_est_state(struct db_conn *c, int survey_id, bool *stale, bool *pending);
/* Calls fn with the code of each round that has work (stale or pending); returns the count or a
 * negative errno. */
int db_est_due(struct db_conn *c, int (*fn)(void *ud, const char *code), void *ud);
/* BEGIN ISOLATION LEVEL REPEATABLE READ, then empties the round's cells, counts and queue (as
 * this snapshot sees them). Returns 0 or a negative errno (rolled back). */
int db_est_rebuild_begin(struct db_conn *c, int survey_id);
/* In a transaction: calls fn for every response of the round that is not withdrawn, in id order,
 * fetching DB_EST_BATCH at a time. Returns the count, fn's negative return, or a negative errno. */
long long db_est_scan(struct db_conn *c, int survey_id, size_t ncodes, db_est_row_fn fn, void *ud);
/* Starts the transaction of an increment: REPEATABLE READ, so that db_est_take_pending removes
 * from the queue exactly the responses it read. Returns 0 or a negative errno. */
int db_est_pending_begin(struct db_conn *c);
/* In db_est_pending_begin's transaction: calls fn for every queued response of the round that
 * is not withdrawn, as the snapshot sees the queue, then empties the queue of those (responses
 * queued since stay for the next fold). Returns the count, fn's negative return, or a negative errno. */
long long db_est_take_pending(struct db_conn *c, int survey_id, size_t ncodes, db_est_row_fn fn, void *ud);
/* Calls fn for the stored cells (and then, with psus, the PSU totals) of one grouping, or for
 * the cells whose keys are in keys_json ([{"g":..,"a":..,"k":..,"s":..}], when grouping is
 * NULL). Returns the count or a negative errno. */
long long db_est_cells_load(struct db_conn *c, int survey_id, const char *grouping, const char *keys_json,
			    bool psus, db_est_cell_fn fn, void *ud);
/* Stores (replaces) a cell or a PSU's totals; returns 0 or a negative errno. */
int db_est_cell_put(struct db_conn *c, int survey_id, const struct db_est_cell *cell);
/* Adds n responses to the (agency, stratum, channel) count; returns 0 or a negative errno. */
int db_est_count_add(struct db_conn *c, int survey_id, int agency_id, const char *stratum,
		     const char *channel, long long n);
/* Records a finished fold: not stale, folded += nrows, watermark raised to max_id. */
int db_est_state_set(struct db_conn *c, int survey_id, long long nrows, long long max_id);

/* The round's frame: fn per stratum (target -1 when not given; agency code or NULL). */
int db_est_frame_each(struct db_conn *c, int survey_id,
	int (*fn)(void *ud, const char *stratum, long long population, long long target, const char *agency),
	void *ud);
/* Every agency: id, code, name, level. Returns the count or a negative errno. */
int db_est_agencies_each(struct db_conn *c,
	int (*fn)(void *ud, int id, const char *code, const char *name, const char *level), void *ud);
/* What fieldwork progress reads of a round, in one round trip, as callbacks in this order: its
 * frame (as db_est_frame_each), its kept counts per (stratum, agency code, channel, n > 0), and
 * its invitations per agency code (invited, used). Returns 0 or a negative errno (or a
 * callback's). */
struct db_progress_fns {
	int (*frame)(void *ud, const char *stratum, long long population, long long target, const char *agency);
	int (*count)(void *ud, const char *stratum, const char *agency, const char *channel, long long n);
	int (*invites)(void *ud, const char *agency, long long invited, long long used);
};
int db_progress_each(struct db_conn *c, int survey_id, const struct db_progress_fns *fns, void *ud);
/* Writes a text that changes whenever the round's kept aggregates (or the agencies' levels)
 * change: the version of what an estimate is computed from. Returns 0 or a negative errno. */
int db_est_version(struct db_conn *c, int survey_id, char *buf, size_t len);
/* The round's baseline (has = false when none) and its label (may be "").
 * Returns 0, -ENOENT or a negative errno. */
int db_est_baseline(struct db_conn *c, int survey_id, bool *has, double *value, char *label, size_t len);
