/* form-find.c - lookups in a loaded form: questions by id, indices, scales, codes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "form-load.h"

static const char *const design_columns[FORM_NCOLS] = {
	[FORM_COL_SERIAL] = "serial",
	[FORM_COL_AGENCY] = "agency",
	[FORM_COL_CHANNEL] = "channel",
	[FORM_COL_STRATUM] = "stratum",
	[FORM_COL_PSU] = "psu",
	[FORM_COL_WEIGHT] = "weight",
	[FORM_COL_FPC] = "fpc",
	[FORM_COL_SUBMITTED_AT] = "submitted_at",
};

int form_build_lookup(struct form *f)
{
	size_t i, *ids = malloc((f->nquestions ? f->nquestions : 1) * sizeof *ids);

	if (!ids)
		return -ENOMEM;
	/* a stable insertion sort: forms hold at most FORM_MAX_QUESTIONS questions, loaded once */
	for (i = 0; i < f->nquestions; i++) {
		size_t k = i;

		while (k > 0 && strcmp(f->questions[ids[k - 1]].id, f->questions[i].id) > 0) {
			ids[k] = ids[k - 1];
			k--;
		}
		ids[k] = i;
	}
	free(f->by_id);
	f->by_id = ids;
	return 0;
}

int form_question_index(const struct form *f, const char *id)
{
	size_t lo = 0, hi = f->nquestions, i;

	if (!f->by_id) {
		for (i = 0; i < f->nquestions; i++)
			if (f->questions[i].id && !strcmp(f->questions[i].id, id))
				return (int)i;
		return -1;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(f->questions[f->by_id[mid]].id, id);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->nquestions && !strcmp(f->questions[f->by_id[lo]].id, id))
		return (int)f->by_id[lo];
	return -1;
}

const struct form_question *form_question_find(const struct form *f, const char *id)
{
	int i = form_question_index(f, id);

	return i < 0 ? NULL : &f->questions[i];
}

bool form_question_accepts(const struct form_question *q, int code)
{
	size_t i;

	switch (q->type) {
	case FORM_Q_SCALE:
		if (!q->scale)
			return false;
		for (i = 0; i < q->scale->ncodes; i++)
			if (q->scale->codes[i] == code)
				return true;
		return false;
	case FORM_Q_SINGLE:
	case FORM_Q_MULTI:
		for (i = 0; i < q->noptions; i++)
			if (q->options[i].code == code)
				return true;
		return false;
	default:
		return false;
	}
}

bool form_scale_positive(const struct form_scale *s, int code)
{
	size_t i;

	for (i = 0; i < s->npositive; i++)
		if (s->positive[i] == code)
			return true;
	return false;
}

int form_index_find(const struct form *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->nindices; i++)
		if (f->indices[i].id && !strcmp(f->indices[i].id, id))
			return (int)i;
	return -1;
}

const struct form_scale *form_scale_find(const struct form *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->nscales; i++)
		if (f->scales[i].id && !strcmp(f->scales[i].id, id))
			return &f->scales[i];
	return NULL;
}

int form_design_column(const char *name, size_t n)
{
	int i;

	for (i = 0; i < FORM_NCOLS; i++)
		if (strlen(design_columns[i]) == n && !memcmp(design_columns[i], name, n))
			return i;
	return -1;
}

const char *form_design_column_name(int col)
{
	return col >= 0 && col < FORM_NCOLS ? design_columns[col] : NULL;
}

bool form_id_valid(const char *id, size_t n)
{
	size_t i;

	if (n == 0 || n > FORM_MAX_ID_LEN)
		return false;
	if (!((id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z')))
		return false;
	for (i = 1; i < n; i++) {
		char c = id[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}
