/* fuzz-form.c - the form loader on arbitrary bytes: never crashes, leaks or reads out of bounds;
 * a form that loads is consistent (slots, items, coefficients, lookups). */
#include <math.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_faults ff;
	struct form *f = NULL;
	size_t i, k;
	int r;

	r = form_parse((const char *)data, size, &f, &ff);
	if (r < 0) {
		FUZZ_ASSERT(f == NULL);
		FUZZ_ASSERT(ff.count > 0);
		for (i = 0; i < ff.count && i < FORM_MAX_FAULTS; i++)
			FUZZ_ASSERT(ff.list[i].path[0] == '$' && strlen(ff.list[i].message) < sizeof ff.list[i].message);
		return 0;
	}
	FUZZ_ASSERT(ff.count == 0);
	FUZZ_ASSERT(f->source_len == size && memcmp(f->source, data, size) == 0);
	FUZZ_ASSERT(f->nindices > 0 && f->nitems > 0);
	for (i = 0; i < f->nquestions; i++) {
		const struct form_question *q = &f->questions[i];

		FUZZ_ASSERT(form_question_find(f, q->id) != NULL);
		FUZZ_ASSERT(q->show_if < (int)i);
		FUZZ_ASSERT(q->item < 0 || f->items[q->item] == i);
		FUZZ_ASSERT((q->slot >= 0) == (q->type == FORM_Q_SCALE || q->type == FORM_Q_SINGLE));
	}
	for (i = 0; i < f->nindices; i++) {
		double sum = 0;

		FUZZ_ASSERT(form_index_find(f, f->indices[i].id) >= 0);
		for (k = 0; k < f->nitems; k++) {
			FUZZ_ASSERT(f->indices[i].coef[k] >= 0);
			sum += f->indices[i].coef[k];
		}
		/* weights sum to 1 at every level, so the coefficients do too */
		FUZZ_ASSERT(fabs(sum - 1) < 1e-6);
	}
	form_free(f);
	return 0;
}
