/* est-fold.h - the fold's steps, shared by est-store.c (folds of queued responses and
 * rebuilds) and the uploads that fold their own rows (est_fold_in). Inside server/store only. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>

#include "db-estimates.h"
#include "est-cell.h"
#include "est-design.h"
#include "est-error.h"
#include "est-map.h"
#include "est-store.h"
#include "form-cache.h"
#include "strbuf.h"

/* A fold under way: the responses added so far (d), keyed by the stored cell they go to. */
struct fold {
	const atomic_bool *stopping;   /* the process is stopping: give up */
	const struct form *f;
	struct db_conn *c;
	int survey_id;
	struct est_design *d;
	size_t nq;
	int qslot[EST_STORE_MAX_QUESTIONS];
	const char *qid[EST_STORE_MAX_QUESTIONS];
	size_t qlen[EST_STORE_MAX_QUESTIONS];
	struct est_map counts;
	long long *cnt;
	size_t cntcap;
	long long nrows, max_id;
	struct est_error *err;
	/* writing back */
	struct strbuf sb;
	struct est_cell_decoder dec;
};

/* Adds a stored cell (or PSU) under group key to d. Returns 0, -EIO for a cell of another
 * layout (the form changed: a rebuild is needed), or the design's error. */
int est_fold_cell_add(struct est_design *d, struct est_cell_decoder *s, const char *key,
		      const struct db_est_cell *c, struct est_error *err);
/* Starts a fold of the responses of round survey_id (form f) on connection c (NULL for
 * est_fold_in). Returns 0 or a negative errno; est_fold_done frees it either way. */
int est_fold_init(struct fold *fo, struct db_conn *c, const struct form *f, int survey_id, struct est_error *err);
void est_fold_done(struct fold *fo);
/* Adds one response (a db_est_row_fn: ud is the fold). Returns 0, -ECANCELED when the process
 * is stopping, or the design's error (err filled). */
int est_fold_row(void *ud, const struct db_est_row *row);
/* Writes the fold on fo->c in its open transaction: its cells merged with the stored ones
 * (or, rebuilding, in place of them), the counts and the state. Returns 0 or a negative errno. */
int est_fold_write(struct fold *fo, bool rebuild);
/* Folds fo's responses, which the caller's open transaction on c stores under upload upload_id
 * without queueing them (sipas.folded), into the stored cells: takes the round's fold lock to
 * the end of the transaction, then merges unless the cells are to be rebuilt anyway (the
 * rebuild reads these responses once they commit). When another fold keeps the lock longer
 * than EST_FOLD_IN_WAIT_MS, queues them for the next fold instead. Returns 0 or a negative errno. */
#define EST_FOLD_IN_WAIT_MS 2000
int est_fold_in(struct fold *fo, struct db_conn *c, long long upload_id);
