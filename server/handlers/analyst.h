/* analyst.h - what the analysts' routes share (estimates, comparisons, exports, progress,
 * dashboard): the request's state, opening the round, and computing grouped estimates. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "est-compute.h"
#include "est-output.h"
#include "est-store.h"
#include "http.h"
#include "reply-cache.h"

#define ANALYST_QUERY_MAX 256        /* bytes of one query argument */

/* One computed set of estimates for a round and a grouping. */
struct analyst_est {
	struct est_design *d;
	struct est_results *res;
	struct est_options opt;
	struct est_by by;
	bool numeric[EST_STORE_MAX_BY];
	size_t ngroups;                       /* reported groups, the whole survey first */
	struct est_report_group *groups;
	char **keys;                          /* per reported group: a copy of its key, split in place */
	const char **values;                  /* ngroups × by.n value pointers into keys */
};

/* The per-request state (req->state), freed by the request-completed callback. */
struct analyst_ctx {
	struct db_conn *c;
	const struct form_entry *fe;
	struct est_agencies ag;
	struct est_frame *frame;
	bool has_baseline;
	double baseline;
	char baseline_label[256];
	struct est_error err;
	struct analyst_est est[2];            /* [1]: the other round of a comparison */
	const struct form_entry *other;
	char version[REPLY_CACHE_VERSION_MAX]; /* of the aggregates, for the reply cache ("" = none) */
	bool version_kept;                    /* version is the one this process keeps (no query) */
	bool replica;                         /* c reads the replica: read-only, never folds */
};

/* The fresh_ms of a request's fold (est_store_fold): SIPAS_ANALYST_STALE_MS while other
 * analysts' requests wait or run, or did a moment ago (analyst_queue_busy; under load a
 * round's queued responses are folded at
 * most about that often, so that most requests between two folds are answered from the reply
 * cache), else 0 (a lone request sees every response stored before it asked). */
unsigned analyst_fresh_ms(struct http_req *req);
/* Allocates the request's state, takes a database connection, finds the round (404), starts
 * the background fold and, with fold, brings the round's aggregates up to date (422 with the
 * reason when a stored response is refused). Returns 0 and *out, or a status with the reply
 * set, or a negative errno. */
int analyst_open(struct http_req *req, const char *survey, bool fold, struct analyst_ctx **out);
/* analyst_open for the analysts' read routes (estimates, compare, exports, dashboard, results):
 * reads the replica of SIPAS_READ_DATABASE_URL when it is up, and then never folds (the
 * primary's background fold keeps the replicated aggregates current); else as analyst_open. */
int analyst_open_read(struct http_req *req, const char *survey, bool fold, struct analyst_ctx **out);
/* Loads agencies, frame and baseline of x->fe (idempotent); returns 0 or a negative errno. */
int analyst_load(struct analyst_ctx *x);
/* Parses ci, confidence and lonely_psu into o (defaults otherwise); returns 0 or a 400 reply. */
int analyst_options(struct http_req *req, struct est_options *o);
/* Computes x's round by agency as the dashboard shows it (logit 95% intervals, lonely PSUs
 * `adjust`) into x->est[0]. Returns 0, -EINVAL with x->err filled, or a negative errno. */
int analyst_compute_dashboard(struct analyst_ctx *x);
/* Computes estimates of round fe grouped by e->by into e (groups sorted by value, groups with
 * an empty value left out). Returns 0, -EINVAL with x->err filled, or a negative errno. */
int analyst_compute(struct analyst_ctx *x, const struct form_entry *fe, struct analyst_est *e);
/* Finds round code and brings its aggregates up to date (on the replica: takes them as they
 * are). Returns 0 and *out (form_cache_put it), -ENOENT (no such round), -EBUSY (a fold held
 * the lock too long), -EINVAL with err filled, or a negative errno. */
int analyst_round(struct http_req *req, struct analyst_ctx *x, const char *code, const struct form_entry **out,
		  struct est_error *err);
/* analyst_compute for a round fe other than x->fe, with fe's own frame (and no baseline). */
int analyst_compute_round(struct analyst_ctx *x, const struct form_entry *fe, struct analyst_est *e);
/* Frees what analyst_compute put in e and zeroes it. */
void analyst_est_done(struct analyst_est *e);
/* An agency's group of a by=agency computation, with its agency (NULL when unknown). */
struct analyst_ranked {
	const struct est_report_group *g;
	const struct est_agency *a;
};
/* The agencies' groups of e (by=agency) ranked as the dashboard shows them: the headline index
 * descending, nulls last, then code. Returns a malloc'd array of e->ngroups - 1 entries (the
 * caller frees it), or NULL when out of memory. */
struct analyst_ranked *analyst_rank(const struct analyst_ctx *x, const struct analyst_est *e);
/* Fills an est_report for e; the pointers stay owned by x and e. */
void analyst_report(struct analyst_ctx *x, struct analyst_est *e, struct est_report *r);
/* Replies 422 with the estimator's error; returns the status. */
int analyst_est_error(struct http_req *req, const struct est_error *err);
/* Replies 400 {"error":{"code":"bad_request","message":...}}; returns 400. */
int analyst_bad(struct http_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The reply cache (store/reply-cache.h; off with SIPAS_RESULT_CACHE=0): analyst_cache_get
 * replies from the cache and returns the status on a hit, else 0 (or a negative errno);
 * analyst_cache_reply keeps a copy of a computed reply (sb) and replies 200 with it, gzipped
 * when the request accepts it (Vary: Accept-Encoding); sb is consumed; returns the status or a
 * negative errno. */
int analyst_cache_get(struct analyst_ctx *x, struct http_req *req, const char *key, const char *type);
int analyst_cache_reply(struct analyst_ctx *x, struct http_req *req, const char *key, const char *type,
			struct strbuf *sb);
/* Records an export in the audit log (who, what, when), on the primary when the request reads the
 * replica (c is then not used); returns 0 or a negative errno. */
int analyst_audit(struct db_conn *c, const struct form_entry *fe, struct http_req *req, const char *what,
		  const char *format);
