/* form.h - a survey form definition (docs/formats.md): the model every area reads.
 *
 * A form is loaded once, validated completely, and then read-only: it is safe to
 * share between threads. Strings are UTF-8 and owned by the form. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hard limits on definitions (every user-controlled size is limited). */
#define FORM_MAX_FILE_BYTES   (1u << 20)  /* 1 MiB of JSON */
#define FORM_MAX_QUESTIONS    1000
#define FORM_MAX_OPTIONS      200         /* per question or scale */
#define FORM_MAX_INDICES      500
#define FORM_MAX_ID_LEN       64
#define FORM_MAX_SCALES       100
#define FORM_MAX_SECTIONS     100
#define FORM_MAX_ANSWER_CHARS 2000        /* characters of a text answer (max_length may lower it) */
#define FORM_MAX_TEXT_LEN     4000        /* bytes of a question text or label */
#define FORM_CODE_MIN         0           /* answer codes are integers in [0, 9999] */
#define FORM_CODE_MAX         9999
#define FORM_NO_ANSWER        ((int16_t)-1)

enum form_qtype {
	FORM_Q_SCALE,   /* codes of a named scale */
	FORM_Q_SINGLE,  /* one option code */
	FORM_Q_MULTI,   /* several option codes */
	FORM_Q_TEXT,    /* free text */
	FORM_Q_NUMBER,  /* a number */
};

struct form_scale {
	char *id;
	size_t ncodes;
	int *codes;          /* in display order */
	char **labels;       /* ncodes labels */
	size_t npositive;
	int *positive;       /* codes counted as satisfied */
};

struct form_option {
	int code;
	char *label;
};

struct form_question {
	char *id;
	enum form_qtype type;
	char *text;
	bool required;
	size_t section;                  /* index into form->sections */
	const struct form_scale *scale;  /* FORM_Q_SCALE only */
	size_t noptions;                 /* FORM_Q_SINGLE, FORM_Q_MULTI */
	struct form_option *options;
	int show_if;                     /* index of the controlling question, or -1 */
	size_t nshow_in;
	int *show_in;                    /* the controlling answer codes that ask this question */
	int slot;                        /* position in the coded-answer vector (scale and single), or -1 */
	int item;                        /* position in form->items when the index tree uses it, or -1 */
	double min, max;                 /* FORM_Q_NUMBER bounds; -HUGE_VAL and HUGE_VAL when not given */
	size_t max_length;               /* FORM_Q_TEXT: characters allowed (FORM_MAX_ANSWER_CHARS by default) */
};

struct form_section {
	char *id;
	char *title;
	size_t first;   /* first question (index into form->questions) */
	size_t count;
	char *description;   /* optional text shown under the title, or NULL */
};

struct form_index {
	char *id;
	char *label;
	size_t nchildren;
	char **child_ids;   /* as written in "of" */
	double *weights;    /* nchildren weights, summing to 1 (equal when not given) */
	double *coef;       /* form->nitems coefficients: the product of weights down the tree (0 = unused) */
	int *child_index;   /* per child: its position in form->indices, or -1 when it is a question */
	int *child_question;/* per child: its position in form->questions, or -1 when it is an index */
};

struct form {
	char *id;
	int version;
	char *title;
	char *respondent;          /* "individual", "organization", "household" ... */
	char *description;         /* optional introduction shown to respondents, or NULL */

	size_t nscales;
	struct form_scale *scales;
	size_t nsections;
	struct form_section *sections;
	size_t nquestions;
	struct form_question *questions;   /* in form order, across sections */
	size_t nindices;
	struct form_index *indices;        /* in form order; indices[0] is the headline */

	size_t nslots;                     /* length of the coded-answer vector */
	uint64_t *small_codes;             /* per question: bit c set when code c < 64 is accepted
	                                    * (scale and single; 0 for the others) */
	size_t nitems;                     /* scale questions used by the index tree, in question order */
	size_t *items;                     /* nitems question indices */

	char *source;                      /* the definition exactly as loaded (NUL-terminated) */
	size_t source_len;
	size_t *by_id;                     /* nquestions question positions sorted by id (lookups), or NULL */
};

/* The design columns of a responses file (docs/formats.md); no question may take these ids. */
enum form_design_column {
	FORM_COL_SERIAL,
	FORM_COL_AGENCY,
	FORM_COL_CHANNEL,
	FORM_COL_STRATUM,
	FORM_COL_PSU,
	FORM_COL_WEIGHT,
	FORM_COL_FPC,
	FORM_COL_SUBMITTED_AT,
	FORM_NCOLS,
};

/* One fault found while loading; path is a JSON path such as $.sections[1].questions[3].scale. */
struct form_fault {
	char path[160];
	char message[200];
};

struct form_faults {
	size_t count;                      /* every fault found (may exceed FORM_MAX_FAULTS) */
	struct form_fault list[32];        /* the first 32 */
};
#define FORM_MAX_FAULTS 32

/* Parses and validates a definition held in memory. Returns 0 and *out (free with form_free),
 * or -EINVAL with every fault in faults (may be NULL), -E2BIG past FORM_MAX_FILE_BYTES, -ENOMEM. */
int form_parse(const char *json, size_t len, struct form **out, struct form_faults *faults);
/* As form_parse on a file's contents; -errno when the file cannot be read (fault names the file). */
int form_load_file(const char *path, struct form **out, struct form_faults *faults);
/* Frees a form; f may be NULL. */
void form_free(struct form *f);

/* Returns the question with this id, or NULL. */
const struct form_question *form_question_find(const struct form *f, const char *id);
/* Returns the index of the question with this id in f->questions, or -1. */
int form_question_index(const struct form *f, const char *id);
/* True when code is one of the scale's or the question's valid codes. */
bool form_question_accepts(const struct form_question *q, int code);
/* True when code is in the scale's positive set. */
bool form_scale_positive(const struct form_scale *s, int code);
/* Returns the position of the index with this id in f->indices, or -1. */
int form_index_find(const struct form *f, const char *id);
/* Returns the scale with this id, or NULL. */
const struct form_scale *form_scale_find(const struct form *f, const char *id);
/* Returns the enum form_design_column named name (n bytes), or -1 when it is not a design column. */
int form_design_column(const char *name, size_t n);
/* Returns the name of a design column ("serial", ...), or NULL when col is out of range. */
const char *form_design_column_name(int col);
/* True when id (n bytes) matches [A-Za-z][A-Za-z0-9_.]* and is at most FORM_MAX_ID_LEN bytes. */
bool form_id_valid(const char *id, size_t n);
