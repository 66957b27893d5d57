/* round-views.h - what is known of each round while the database says nothing changed: what
 * the citizens' form shows (whether it is open, the agencies it offers in the order shown, the
 * rendered page) and the version of its kept aggregates, so that a form page, or an analyst's
 * question answered before, costs no query.
 *
 * A listener connection (LISTEN sipas_rounds, sql/009_rounds_notify.sql) hears every committed
 * change to a round, a round's list of agencies, an agency or a round's aggregates' state, made
 * by any process; each change drops everything kept. A lookup first reads what the listener has received, so it sees a
 * change whose commit the database announced before the lookup. While the listener is not
 * connected (the database unreachable, or not yet migrated), nothing is kept and every lookup
 * misses. Whether a response is accepted is still decided by the insert, never by a view.
 * Thread-safe; at most ROUND_VIEWS_SIZE rounds, each with at most ROUND_VIEW_AGENCIES_MAX
 * agencies. */
#pragma once

#include <stddef.h>

#include "reply-cache.h"

#define ROUND_VIEWS_SIZE 64
#define ROUND_VIEW_AGENCIES_MAX 2000
#define ROUND_VIEWS_CHANNEL "sipas_rounds"
#define ROUND_VIEWS_NOTIFIER "sipas_rounds_changed"

struct db_conn;
struct round_views;
struct strbuf;

/* Called for each agency a round offers, in order; a negative return stops the walk. */
typedef int (*round_agency_fn)(void *ud, const char *code, const char *name);

/* Makes the views of database_url's rounds and starts the listener's thread. Returns 0 and
 * *out (round_views_free) or a negative errno. */
int round_views_new(const char *database_url, struct round_views **out);
/* Stops the listener's thread and frees everything; NULL is fine. */
void round_views_free(struct round_views *rv);
/* Looks survey_id up: on a hit, calls fn (when not NULL) for each agency offered, sets *serial
 * (when not NULL) to the kept view's number (never 0) and returns 1 for an open round, 0 for a
 * closed one. Returns -ENOENT on a miss (then round_views_load), or fn's negative return. */
int round_views_get(struct round_views *rv, int survey_id, round_agency_fn fn, void *ud,
		    unsigned long long *serial);
/* Reads survey_id's view with c, keeps it unless a change was heard meanwhile, and answers as a
 * hit of round_views_get (*serial = 0 when it was not kept). Returns 1 or 0, -ENOENT for no
 * such round, or a negative errno. */
int round_views_load(struct round_views *rv, struct db_conn *c, int survey_id, round_agency_fn fn, void *ud,
		     unsigned long long *serial);

/* What has been heard so far: a number to give round_views_keep_version, taken before reading
 * the version; 0 while the listener is not connected. */
unsigned long long round_views_heard(struct round_views *rv);
/* Keeps version (at most ROUND_VIEW_VERSION_MAX - 1 bytes) as survey_id's aggregates' version
 * unless something was heard since heard (or heard is 0). */
#define ROUND_VIEW_VERSION_MAX REPLY_CACHE_VERSION_MAX   /* a kept version is a reply cache key */
void round_views_keep_version(struct round_views *rv, int survey_id, unsigned long long heard, const char *version);
/* Copies survey_id's kept aggregates' version into buf (len bytes) and returns 0, or returns
 * -ENOENT when none is kept (or something was heard since it was read). */
int round_views_version(struct round_views *rv, int survey_id, char *buf, size_t len);

/* The round's fresh form page, rendered from its view: at most ROUND_VIEW_PAGE_MAX bytes, with
 * ROUND_VIEW_MARKS offsets where each request writes its own values (the page's marks). */
#define ROUND_VIEW_PAGE_MAX (1u << 20)
#define ROUND_VIEW_MARKS 2
/* Appends survey_id's kept page to out and copies its marks (offsets in the page). Returns 0,
 * -ENOENT when no page is kept (or its view was dropped), or -ENOMEM. */
int round_views_page(struct round_views *rv, int survey_id, struct strbuf *out, size_t marks[ROUND_VIEW_MARKS]);
/* Keeps page (len bytes, copied) with its marks beside survey_id's view when that view is
 * still the kept view number serial (else does nothing). */
void round_views_keep_page(struct round_views *rv, int survey_id, unsigned long long serial, const char *page,
			   size_t len, const size_t marks[ROUND_VIEW_MARKS]);
