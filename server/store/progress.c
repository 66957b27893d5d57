/* progress.c - fieldwork progress (see progress.h). */
#include "progress.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-estimates.h"
#include "db-sample.h"

/* The row of (stratum, agency), added (zero responses, no target) if there is none. */
static struct progress_row *row_get(struct progress *p, const char *stratum, const char *agency)
{
	struct progress_row *row;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->rows[i].stratum, stratum) && !strcmp(p->rows[i].agency, agency))
			return &p->rows[i];
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		struct progress_row *nr = realloc(p->rows, ncap * sizeof *nr);

		if (!nr)
			return NULL;
		p->rows = nr;
		p->cap = ncap;
	}
	row = &p->rows[p->n++];
	memset(row, 0, sizeof *row);
	snprintf(row->stratum, sizeof row->stratum, "%s", stratum);
	snprintf(row->agency, sizeof row->agency, "%s", agency);
	row->target = PROGRESS_NO_TARGET;
	return row;
}

int progress_add_target(struct progress *p, const char *stratum, long long target, const char *agency)
{
	struct progress_row *row = row_get(p, stratum, agency ? agency : stratum);

	if (!row)
		return -ENOMEM;
	row->target = target;
	return 0;
}

int progress_add_population(struct progress *p, const char *stratum, long long population, const char *agency)
{
	struct progress_row *row = row_get(p, stratum, agency ? agency : stratum);

	if (!row)
		return -ENOMEM;
	row->population = population;
	return 0;
}

int progress_add_count(struct progress *p, const char *stratum, const char *agency, const char *channel,
		       long long n)
{
	struct progress_row *row = row_get(p, stratum, agency);
	int k = form_channel_find(channel);

	if (!row)
		return -ENOMEM;
	if (k >= 0)
		row->n[k] += n;
	row->total += n;
	return 0;
}

int progress_add_invites(struct progress *p, const char *agency, long long invited, long long used)
{
	struct progress_row *row = row_get(p, agency, agency);

	if (!row)
		return -ENOMEM;
	row->invited += invited;
	row->used += used;
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct progress_row *x = a, *y = b;
	int c = strcmp(x->stratum, y->stratum);

	return c ? c : strcmp(x->agency, y->agency);
}

void progress_sort(struct progress *p)
{
	if (p->n > 1)
		qsort(p->rows, p->n, sizeof *p->rows, cmp_row);
}

static int on_frame(void *ud, const char *stratum, long long population, long long target, const char *agency)
{
	int r = progress_add_target(ud, stratum, target, agency);

	return r < 0 ? r : progress_add_population(ud, stratum, population, agency);
}

static int on_invites(void *ud, const char *agency, long long invited, long long used)
{
	return progress_add_invites(ud, agency, invited, used);
}

static int on_count(void *ud, const char *stratum, const char *agency, const char *channel, long long n)
{
	return progress_add_count(ud, stratum, agency, channel, n);
}

int progress_load(struct db_conn *c, int survey_id, struct progress *out)
{
	static const struct db_progress_fns fns = { on_frame, on_count, on_invites };
	struct progress p = { NULL, 0, 0 };
	int r;

	if ((r = db_progress_each(c, survey_id, &fns, &p)) < 0) {
		progress_done(&p);
		return r;
	}
	progress_sort(&p);
	*out = p;
	return 0;
}

int progress_by_agency(const struct progress *p, const char *only, struct progress *out)
{
	struct progress a = { NULL, 0, 0 };
	struct progress_row *sum;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (only && strcmp(p->rows[i].agency, only))
			continue;
		if (!(sum = row_get(&a, "", p->rows[i].agency))) {
			progress_done(&a);
			return -ENOMEM;
		}
		if (sum->target == PROGRESS_NO_TARGET)
			sum->target = 0;
		progress_row_add(sum, &p->rows[i]);
	}
	progress_sort(&a);
	*out = a;
	return 0;
}

void progress_row_add(struct progress_row *sum, const struct progress_row *row)
{
	size_t k;

	for (k = 0; k < FORM_NCHANNELS; k++)
		sum->n[k] += row->n[k];
	sum->total += row->total;
	sum->population += row->population;
	sum->invited += row->invited;
	sum->used += row->used;
	if (row->target > 0)
		sum->target += row->target;
}

double progress_share(const struct progress_row *row)
{
	return row->target > 0 ? (double)row->total / (double)row->target : NAN;
}

double progress_response_rate(const struct progress_row *row)
{
	return row->invited > 0 ? (double)row->used / (double)row->invited : NAN;
}

void progress_done(struct progress *p)
{
	if (!p)
		return;
	free(p->rows);
	p->rows = NULL;
	p->n = p->cap = 0;
}
