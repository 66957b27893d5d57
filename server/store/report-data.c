/* report-data.c - gathering the report's input (see report-data.h). */
#include "report-data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-estimates.h"
#include "db-report.h"
#include "db.h"
#include "est-store.h"
#include "progress.h"

struct round {
	const struct form_entry *fe;
	struct est_frame *frame;
	struct est_design *d;
	struct est_results *res;
};

struct report_data {
	struct est_agencies ag;
	struct round r[2];
	struct est_options opt;
	char baseline_label[256];
	char first[DB_REPORT_DATE_LEN], last[DB_REPORT_DATE_LEN], created[DB_REPORT_DATE_LEN];
	struct report_agency *agencies;
	struct progress targets;
	struct report_input in;
};

static void not_found(struct est_error *err, const char *what, const char *code)
{
	est_error_set(err, -ENOENT, what, "not_found", "no such %s '%s'", strcmp(what, "agency") ? "survey round" : "agency",
		      code);
}

/* Loads, folds and estimates one round by agency. */
static int round_load(struct report_data *d, struct db_conn *c, struct form_cache *forms, struct est_folds *folds,
		      const char *code, const char *what, struct round *rd, struct est_options *o, struct est_error *err)
{
	struct est_by by = { 1, { EST_BY_AGENCY }, { "agency" }, -1 };
	int r;

	r = form_cache_get(forms, c, code, &rd->fe);
	if (r == -ENOENT)
		not_found(err, what, code);
	if (r < 0)
		return r;
	if (folds && (r = est_store_fold(folds, c, rd->fe, EST_STORE_WAIT_MS, 0, NULL, err)) < 0)
		return r;
	if ((r = est_store_frame(c, rd->fe->survey.id, &rd->frame)) < 0)
		return r;
	if ((r = est_store_design(c, rd->fe, &by, &d->ag, &rd->d, err)) < 0)
		return r;
	return est_compute(rd->d, rd->frame, o, &rd->res, err);
}

/* The group of agency code in round rd, or NULL. */
static const struct est_group *group_of(const struct round *rd, const char *code)
{
	size_t i;

	if (!rd->res)
		return NULL;
	for (i = 1; i < rd->res->ngroups; i++)
		if (!strcmp(est_design_group_key(rd->d, (size_t)rd->res->groups[i].group), code))
			return &rd->res->groups[i];
	return NULL;
}

static int on_invites(void *ud, const char *agency, long long invited, long long used)
{
	struct report_data *d = ud;
	size_t i;

	for (i = 0; i < d->in.nagencies; i++)
		if (!strcmp(d->agencies[i].code, agency)) {
			d->agencies[i].invited = invited;
			d->agencies[i].used = used;
		}
	return 0;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct report_agency *)a)->code, ((const struct report_agency *)b)->code);
}

/* One report_agency per agency with responses in this round, in code order. */
static int agencies_fill(struct report_data *d)
{
	const struct round *rd = &d->r[0];
	size_t i, j, n = 0;

	d->agencies = calloc(rd->res->ngroups, sizeof *d->agencies);
	if (!d->agencies)
		return -ENOMEM;
	for (i = 1; i < rd->res->ngroups; i++) {
		const char *code = est_design_group_key(rd->d, (size_t)rd->res->groups[i].group);
		const struct est_agency *a = est_agencies_by_code(&d->ag, code);
		struct report_agency *ra = &d->agencies[n++];

		ra->code = a ? a->code : code;
		ra->name = a ? a->name : code;
		ra->group = &rd->res->groups[i];
		ra->other = d->in.has_other ? group_of(&d->r[1], code) : NULL;
		ra->target = -1;
		for (j = 0; j < d->targets.n; j++)
			if (!strcmp(d->targets.rows[j].agency, code) && d->targets.rows[j].target > 0)
				ra->target = d->targets.rows[j].target;
	}
	qsort(d->agencies, n, sizeof *d->agencies, cmp_code);
	d->in.agencies = d->agencies;
	d->in.nagencies = n;
	return 0;
}

int report_data_load(struct db_conn *c, struct form_cache *forms, struct est_folds *folds,
		     const struct report_request *rq, struct report_data **out, struct est_error *err)
{
	static const struct est_options def = EST_OPTIONS_DEFAULT;
	struct report_data *d = calloc(1, sizeof *d);
	struct est_options other_opt;
	struct progress rows = { NULL, 0, 0 };
	const struct est_agency *only = NULL;
	bool has_base;
	int r;

	if (!d)
		return -ENOMEM;
	if ((r = est_agencies_load(c, &d->ag)) < 0)
		goto out;
	if (rq->agency && !(only = est_agencies_by_code(&d->ag, rq->agency))) {
		not_found(err, "agency", rq->agency);
		r = -ENOENT;
		goto out;
	}
	d->opt = def;
	d->opt.lonely = EST_LONELY_ADJUST;
	other_opt = d->opt;
	/* the baseline is the round's: read it before estimating, so vs_baseline is filled */
	r = form_cache_get(forms, c, rq->survey, &d->r[0].fe);
	if (r == -ENOENT)
		not_found(err, "survey", rq->survey);
	if (r < 0)
		goto out;
	if ((r = db_est_baseline(c, d->r[0].fe->survey.id, &has_base, &d->opt.baseline, d->baseline_label,
				 sizeof d->baseline_label)) < 0)
		goto out;
	d->opt.has_baseline = has_base;
	form_cache_put(d->r[0].fe);
	d->r[0].fe = NULL;
	if ((r = round_load(d, c, forms, folds, rq->survey, "survey", &d->r[0], &d->opt, err)) < 0)
		goto out;
	if (rq->against) {
		if (!strcmp(rq->against, rq->survey)) {
			r = est_error_set(err, -EINVAL, "against", "bad_request", "against must name another round");
			goto out;
		}
		if ((r = round_load(d, c, forms, folds, rq->against, "against", &d->r[1], &other_opt, err)) < 0)
			goto out;
		d->in.has_other = true;
	}
	if ((r = progress_load(c, d->r[0].fe->survey.id, &rows)) < 0 ||
	    (r = progress_by_agency(&rows, NULL, &d->targets)) < 0)
		goto out;
	if ((r = db_report_dates(c, d->r[0].fe->survey.id, d->first, d->last, d->created)) < 0)
		goto out;
	if ((r = agencies_fill(d)) < 0)
		goto out;
	if ((r = db_report_invites_each(c, d->r[0].fe->survey.id, on_invites, d)) < 0)
		goto out;
	d->in.round = (struct report_round){ d->r[0].fe->survey.code, d->r[0].fe->survey.title, d->r[0].fe->form,
					     &d->r[0].res->groups[0] };
	if (d->in.has_other)
		d->in.other = (struct report_round){ d->r[1].fe->survey.code, d->r[1].fe->survey.title, d->r[1].fe->form,
						     &d->r[1].res->groups[0] };
	d->in.period_from = d->first;
	d->in.period_to = d->last;
	d->in.date = d->last[0] ? d->last : d->created;
	d->in.has_baseline = has_base;
	d->in.baseline = d->opt.baseline;
	d->in.baseline_label = d->baseline_label;
	d->in.confidence = d->opt.confidence;
	d->in.ci_method = "logit";
	d->in.only = only ? only->code : NULL;
	d->in.only_name = only ? only->name : NULL;
	r = 0;
out:
	progress_done(&rows);
	if (r < 0) {
		report_data_free(d);
		return r;
	}
	*out = d;
	return 0;
}

const struct report_input *report_data_input(const struct report_data *d)
{
	return &d->in;
}

void report_data_free(struct report_data *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < 2; i++) {
		est_results_free(d->r[i].res);
		est_design_free(d->r[i].d);
		est_frame_free(d->r[i].frame);
		form_cache_put(d->r[i].fe);
	}
	progress_done(&d->targets);
	free(d->agencies);
	est_agencies_done(&d->ag);
	free(d);
}
