/* form-check.c - checks across a loaded form's questions: one id namespace for questions and
 * indices, show_if targets, slots and the lookup table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form-load.h"

struct id_entry {
	const char *id;
	int kind;       /* 0 question, 1 index: questions come first in a file */
	size_t pos;
};

static int id_entry_cmp(const void *a, const void *b)
{
	const struct id_entry *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void entry_path(struct form_loader *ld, const struct id_entry *e, char *buf, size_t size)
{
	if (e->kind == 0) {
		form_path_question(ld, e->pos, ".id");
		snprintf(buf, size, "%s", ld->path);
	} else
		snprintf(buf, size, "$.indices[%zu].id", e->pos);
}

/* Faults on every id used twice among questions and indices, at the later use. */
static void check_duplicate_ids(struct form_loader *ld)
{
	struct form *f = ld->f;
	struct id_entry *e = calloc(f->nquestions + f->nindices + 1, sizeof *e);
	size_t n = 0, i, first = 0;
	char first_path[160], here[160];

	if (!e) {
		ld->oom = true;
		return;
	}
	for (i = 0; i < f->nquestions; i++)
		if (f->questions[i].id)
			e[n++] = (struct id_entry){ f->questions[i].id, 0, i };
	for (i = 0; f->indices && i < f->nindices; i++)
		if (f->indices[i].id)
			e[n++] = (struct id_entry){ f->indices[i].id, 1, i };
	qsort(e, n, sizeof *e, id_entry_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(e[i].id, e[first].id)) {
			first = i;
			continue;
		}
		entry_path(ld, &e[first], first_path, sizeof first_path);
		entry_path(ld, &e[i], here, sizeof here);
		snprintf(ld->path, sizeof ld->path, "%s", here);
		ld->plen = strlen(ld->path);
		form_fault(ld, "duplicate id \"%s\" (first used at %s)", e[i].id, first_path);
	}
	free(e);
}

static const char *qtype_word(enum form_qtype t)
{
	switch (t) {
	case FORM_Q_SCALE: return "scale";
	case FORM_Q_SINGLE: return "single";
	case FORM_Q_MULTI: return "multi";
	case FORM_Q_TEXT: return "text";
	case FORM_Q_NUMBER: return "number";
	}
	return "?";
}

/* Resolves each show_if: the target must be an earlier single or scale question, and every
 * code of "in" one of its answers. */
static void check_show_if(struct form_loader *ld)
{
	struct form *f = ld->f;
	size_t i, k;

	for (i = 0; i < f->nquestions; i++) {
		struct form_question *q = &f->questions[i];
		const struct form_question *t;
		const char *tid = ld->show_if_ids[i];
		int ti;

		if (!tid)
			continue;
		ti = form_question_index(f, tid);
		form_path_question(ld, i, ".show_if.question");
		if (ti < 0) {
			form_fault(ld, "unknown question \"%s\"", tid);
			continue;
		}
		if ((size_t)ti >= i) {
			form_fault(ld, "\"%s\" is not earlier in the form; show_if must name an earlier question", tid);
			continue;
		}
		t = &f->questions[ti];
		if (ld->qflags[ti] & FORM_QF_TYPE_BAD)
			continue;
		if (t->type != FORM_Q_SINGLE && t->type != FORM_Q_SCALE) {
			form_fault(ld, "\"%s\" is a %s question; show_if needs a single or scale question",
				tid, qtype_word(t->type));
			continue;
		}
		q->show_if = ti;
		if ((ld->qflags[i] & FORM_QF_SHOW_IN_BAD) || (ld->qflags[ti] & FORM_QF_CODES_BAD))
			continue;
		for (k = 0; k < q->nshow_in; k++)
			if (!form_question_accepts(t, q->show_in[k])) {
				char suffix[48];

				snprintf(suffix, sizeof suffix, ".show_if.in[%zu]", k);
				form_path_question(ld, i, suffix);
				form_fault(ld, "%d is not an answer of \"%s\"", q->show_in[k], tid);
			}
	}
}

void form_check_questions(struct form_loader *ld)
{
	struct form *f = ld->f;
	size_t i;
	int slot = 0;

	check_duplicate_ids(ld);
	if (ld->oom)
		return;
	for (i = 0; i < f->nquestions; i++)
		if (!f->questions[i].id)
			break;
	/* with a question lacking its id, lookups fall back to a linear search */
	if (i == f->nquestions && form_build_lookup(f) < 0) {
		ld->oom = true;
		return;
	}
	check_show_if(ld);
	if (!(f->small_codes = calloc(f->nquestions ? f->nquestions : 1, sizeof *f->small_codes))) {
		ld->oom = true;
		return;
	}
	for (i = 0; i < f->nquestions; i++) {
		struct form_question *q = &f->questions[i];
		int c;

		q->slot = (q->type == FORM_Q_SCALE || q->type == FORM_Q_SINGLE) ? slot++ : -1;
		for (c = 0; c < 64 && q->slot >= 0; c++)
			if (form_question_accepts(q, c))
				f->small_codes[i] |= (uint64_t)1 << c;
	}
	f->nslots = (size_t)slot;
	snprintf(ld->path, sizeof ld->path, "$");
	ld->plen = 1;
}
