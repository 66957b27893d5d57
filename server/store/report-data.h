/* report-data.h - what the round's report (report/report.h) is drawn from, gathered from the
 * database: the round's estimates by agency (and the other round's), as the dashboard computes
 * them (logit intervals, 95%, lonely PSUs `adjust`), the frame's targets, the invitations, the
 * period and the baseline. Shared by `sipas report` and GET .../report.pdf. */
#pragma once

#include "est-error.h"
#include "form-cache.h"
#include "report.h"

struct db_conn;
struct est_folds;
struct report_data;

struct report_request {
	const char *survey;
	const char *against;      /* another round, or NULL */
	const char *agency;       /* an agency code: its page alone, or NULL */
};

/* Brings the rounds' kept aggregates up to date (waiting up to EST_STORE_WAIT_MS for another
 * fold; folds NULL: reads them as they are, as on a read-only replica) and gathers the
 * report's input. Returns 0 and *out (report_data_free); -ENOENT with
 * err->column "survey", "against" or "agency" naming what does not exist; -EINVAL with err
 * (the estimator refused, or against names the round itself); -EBUSY (a fold holds a round);
 * another negative errno. */
int report_data_load(struct db_conn *c, struct form_cache *forms, struct est_folds *folds,
		     const struct report_request *rq, struct report_data **out, struct est_error *err);
/* The report's input (owned by d). */
const struct report_input *report_data_input(const struct report_data *d);
/* Frees d; NULL is fine. */
void report_data_free(struct report_data *d);
