/* form-index.c - the index tree of a form: resolves "of", rejects unknown ids, non-scale
 * questions and cycles, then derives the items and each index's item coefficients. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form-load.h"

static void set_path(struct form_loader *ld, size_t i, size_t j)
{
	ld->plen = (size_t)snprintf(ld->path, sizeof ld->path, "$.indices[%zu].of[%zu]", i, j);
}

static void resolve_children(struct form_loader *ld, size_t i)
{
	struct form *f = ld->f;
	struct form_index *ix = &f->indices[i];
	size_t j, k;

	ix->child_index = malloc(ix->nchildren * sizeof *ix->child_index);
	ix->child_question = malloc(ix->nchildren * sizeof *ix->child_question);
	if (!ix->child_index || !ix->child_question) {
		ld->oom = true;
		return;
	}
	for (j = 0; j < ix->nchildren; j++) {
		const char *id = ix->child_ids[j];
		int ci = form_index_find(f, id), qi;

		ix->child_index[j] = -1;
		ix->child_question[j] = -1;
		set_path(ld, i, j);
		for (k = 0; k < j; k++)
			if (!strcmp(ix->child_ids[k], id))
				break;
		if (k < j) {
			form_fault(ld, "\"%s\" is listed twice", id);
			continue;
		}
		if (ci >= 0) {
			ix->child_index[j] = ci;
			continue;
		}
		qi = form_question_index(f, id);
		if (qi < 0)
			form_fault(ld, "unknown id \"%s\": neither an index nor a question", id);
		else if (ld->qflags && (ld->qflags[qi] & FORM_QF_TYPE_BAD))
			continue;   /* its type is faulty already */
		else if (f->questions[qi].type != FORM_Q_SCALE)
			form_fault(ld, "\"%s\" is not a scale question; an index may use only scale questions and other indices", id);
		else
			ix->child_question[j] = qi;
	}
}

/* Depth-first search for cycles: color 0 unseen, 1 on the stack, 2 done. */
static void find_cycles(struct form_loader *ld, size_t i, uint8_t *color, size_t *stack, size_t depth)
{
	struct form *f = ld->f;
	struct form_index *ix = &f->indices[i];
	size_t j;

	color[i] = 1;
	stack[depth] = i;
	for (j = 0; ix->child_index && j < ix->nchildren; j++) {
		int c = ix->child_index[j];
		char msg[200];
		size_t s, len;

		if (c < 0 || color[c] == 2)
			continue;
		if (color[c] == 0) {
			find_cycles(ld, (size_t)c, color, stack, depth + 1);
			continue;
		}
		for (s = 0; stack[s] != (size_t)c; s++)
			;
		len = 0;
		for (; s <= depth && len < sizeof msg; s++)
			len += (size_t)snprintf(msg + len, sizeof msg - len, "%s -> ", f->indices[stack[s]].id);
		if (len < sizeof msg)
			snprintf(msg + len, sizeof msg - len, "%s", f->indices[c].id);
		set_path(ld, i, j);
		form_fault(ld, "the index tree has a cycle: %s", msg);
	}
	color[i] = 2;
}

static int compute_coef(struct form *f, size_t i, uint8_t *done)
{
	struct form_index *ix = &f->indices[i];
	size_t j, k;

	if (done[i])
		return 0;
	ix->coef = calloc(f->nitems ? f->nitems : 1, sizeof *ix->coef);
	if (!ix->coef)
		return -1;
	for (j = 0; j < ix->nchildren; j++) {
		double w = ix->weights[j];
		int c = ix->child_index[j];

		if (c < 0) {
			ix->coef[f->questions[ix->child_question[j]].item] += w;
			continue;
		}
		if (compute_coef(f, (size_t)c, done) < 0)
			return -1;
		for (k = 0; k < f->nitems; k++)
			ix->coef[k] += w * f->indices[c].coef[k];
	}
	done[i] = 1;
	return 0;
}

/* Items are the scale questions any index uses, in question order. */
static int build_items(struct form *f)
{
	size_t i, j;

	for (i = 0; i < f->nindices; i++)
		for (j = 0; j < f->indices[i].nchildren; j++)
			if (f->indices[i].child_question[j] >= 0)
				f->questions[f->indices[i].child_question[j]].item = 0;
	f->items = malloc((f->nquestions ? f->nquestions : 1) * sizeof *f->items);
	if (!f->items)
		return -1;
	for (i = 0; i < f->nquestions; i++)
		if (f->questions[i].item == 0) {
			f->questions[i].item = (int)f->nitems;
			f->items[f->nitems++] = i;
		}
	return 0;
}

void form_check_indices(struct form_loader *ld)
{
	struct form *f = ld->f;
	uint8_t *color = NULL;
	size_t *stack = NULL, i;

	for (i = 0; i < f->nindices && !ld->oom; i++)
		if (f->indices[i].child_ids)
			resolve_children(ld, i);
	if (ld->oom || !f->nindices)
		goto out;
	color = calloc(f->nindices, sizeof *color);
	stack = calloc(f->nindices, sizeof *stack);
	if (!color || !stack) {
		ld->oom = true;
		goto out;
	}
	for (i = 0; i < f->nindices; i++)
		if (!color[i] && f->indices[i].id)
			find_cycles(ld, i, color, stack, 0);
	/* coefficients only for a form without faults: every child resolved, no cycle */
	if (ld->ff->count)
		goto out;
	memset(color, 0, f->nindices);
	if (build_items(f) < 0) {
		ld->oom = true;
		goto out;
	}
	for (i = 0; i < f->nindices; i++)
		if (compute_coef(f, i, color) < 0) {
			ld->oom = true;
			goto out;
		}
out:
	free(color);
	free(stack);
	snprintf(ld->path, sizeof ld->path, "$");
	ld->plen = 1;
}
