/* form-load.h - internal to the form loader: the loading context, JSON paths and faults. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "form.h"

struct form_loader {
	struct form *f;
	struct form_faults *ff;
	char path[160];         /* JSON path of the value being read */
	size_t plen;
	bool oom;
	char **show_if_ids;     /* per question: the show_if target as written, or NULL */
	unsigned char *qflags;  /* per question: FORM_QF_* (faults already reported: check no further) */
	bool *scale_bad;        /* per scale: its codes had a fault */
};

#define FORM_QF_TYPE_BAD     1u   /* type missing or unknown */
#define FORM_QF_CODES_BAD    2u   /* its answer codes are not all known (options or scale faulty) */
#define FORM_QF_SHOW_IN_BAD  4u   /* show_if.in had a fault */

/* Appends .key (or ["key"]) to the path; returns the length to pass to form_path_pop. */
size_t form_path_key(struct form_loader *ld, const char *key);
/* Appends [i] to the path; returns the length to pass to form_path_pop. */
size_t form_path_index(struct form_loader *ld, size_t i);
/* Restores the path to an earlier length. */
void form_path_pop(struct form_loader *ld, size_t len);
/* Sets the path to the question's ($.sections[s].questions[k]) plus an optional suffix such as ".id". */
void form_path_question(struct form_loader *ld, size_t q, const char *suffix);
/* Records a fault at the current path. */
void form_fault(struct form_loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checks ids across questions and indices, resolves show_if, assigns slots and builds the
 * lookup table (form-check.c). */
void form_check_questions(struct form_loader *ld);
/* Resolves the index tree, rejects unknown ids, cycles and bad weights, then fills items,
 * item and coef (form-index.c). */
void form_check_indices(struct form_loader *ld);
/* Sorts the question positions by id into f->by_id; returns 0 or -ENOMEM (form-find.c). */
int form_build_lookup(struct form *f);
