/* est-store.h - the estimates' kept aggregates: folding responses into stored cells of the
 * design accumulator, and building the design a request needs from those cells.
 *
 * Cells are kept at the agency grain (grouping "") and, for each single-choice question (at
 * most EST_STORE_MAX_QUESTIONS, with at most EST_STORE_MAX_OPTIONS options), at the
 * (agency, answer code) grain, so every supported grouping is a merge of stored cells: the
 * time of a request depends on the number of cells, never on the number of responses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "est-compute.h"
#include "est-design.h"
#include "est-error.h"
#include "form-cache.h"
#include "frame.h"

#define EST_STORE_MAX_QUESTIONS 40
#define EST_STORE_MAX_OPTIONS 100
#define EST_STORE_MAX_BY 2

struct est_folds;
struct db_conn;

/* An agency as the analysts' routes need it. */
struct est_agency {
	int id;
	char code[33];
	char *name;
	char level[16];
};

struct est_agencies {
	size_t n;
	struct est_agency *list;     /* in code order */
};

/* Reads every agency; returns 0 or a negative errno. Free with est_agencies_done. */
int est_agencies_load(struct db_conn *c, struct est_agencies *out);
void est_agencies_done(struct est_agencies *a);
/* The agency with this id or code, or NULL. */
const struct est_agency *est_agencies_by_id(const struct est_agencies *a, int id);
const struct est_agency *est_agencies_by_code(const struct est_agencies *a, const char *code);

/* What a request groups by. */
enum est_by_kind { EST_BY_AGENCY, EST_BY_LEVEL, EST_BY_QUESTION };

struct est_by {
	size_t n;
	enum est_by_kind kind[EST_STORE_MAX_BY];
	const char *name[EST_STORE_MAX_BY];    /* "agency", "level" or the question id */
	int question;                          /* index in form->questions of the question, or -1 */
};

/* Parses the by= values (at most EST_STORE_MAX_BY; agency or level, and at most one kept
 * single-choice question). Returns 0, or -EINVAL with err naming the problem. */
int est_by_parse(const struct form *f, const char *const *vals, size_t n, struct est_by *out,
		 struct est_error *err);
/* True when the question's answers are kept as cells. */
bool est_store_keeps(const struct form *f, size_t question);

/* Brings round fe's cells up to date under the round's fold lock: rebuilds them when stale,
 * else folds in the queued responses. Queued responses only: under load (fresh_ms > 0), when
 * another fold (of this process or another) is running or this process's last fold of the
 * round began less than fresh_ms ago, and with wait_ms 0 when another fold is running, returns
 * 0 at once and the cells answer as they are (the last consistent aggregates); else waits for
 * a running fold up to the lesser of wait_ms and EST_STORE_PENDING_WAIT_MS, then folds what
 * is left (past that bound, returns 0 and the cells answer as they are). Stale cells: waits for
 * another fold holding the lock up to wait_ms (a long fold after a bulk load must not pin the
 * pool's connections), then rebuilds.
 * *nrows (may be NULL) gets the responses folded in. Returns 0; -EBUSY when the lock stayed
 * busy; -EINVAL with err filled when a stored response is refused by the estimator; another
 * negative errno. */
#define EST_STORE_WAIT_MS 10000
#define EST_STORE_PENDING_WAIT_MS 2000
int est_store_fold(struct est_folds *fs, struct db_conn *c, const struct form_entry *fe, unsigned wait_ms,
		   unsigned fresh_ms, long long *nrows, struct est_error *err);

/* Builds the design for by from the stored cells (group keys: the by values joined by
 * EST_KEY_SEP; a response without an answer to the by question has an empty value).
 * Returns 0 and *out (est_design_free), -EINVAL with err, or a negative errno. */
#define EST_KEY_SEP '\x1f'
int est_store_design(struct db_conn *c, const struct form_entry *fe, const struct est_by *by,
		     const struct est_agencies *ag, struct est_design **out, struct est_error *err);
/* Loads the round's frame (NULL in *out when the round has none). Returns 0 or a negative errno. */
int est_store_frame(struct db_conn *c, int survey_id, struct est_frame **out);

/* True when this process is folding round survey_id now, or began its last fold of it, which
 * succeeded, less than ms ago. */
bool est_folds_recent(struct est_folds *fs, int survey_id, unsigned ms);
/* Makes the process's folds (one fold at a time per round) and what the background fold needs:
 * database_url for its own connection, forms to load rounds. Returns 0 and *out
 * (est_folds_free) or a negative errno. */
int est_folds_new(const char *database_url, struct form_cache *forms, struct est_folds **out);
/* Starts the background fold once (later calls do nothing): a thread that folds every round
 * with queued responses every few seconds. The server starts it on the first analysts'
 * request, so a server that only collects spends nothing on it. Returns 0 or a negative errno. */
int est_folds_start(struct est_folds *fs);
/* Asks every fold to give up soon (-ECANCELED or -EBUSY) and the background fold to end. */
void est_folds_stop(struct est_folds *fs);
/* Stops, joins the background fold and frees fs (no fold may be running); NULL is fine. */
void est_folds_free(struct est_folds *fs);
