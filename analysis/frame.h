/* frame.h - the sampling frame: stratum,population[,target] (docs/formats.md, frame CSV). */
#pragma once

#include <stddef.h>

#include "est-error.h"

#define EST_FRAME_MAX_BYTES   (64u << 20)   /* a frame file */
#define EST_FRAME_MAX_STRATA  100000

struct est_frame;

/* One fault of a frame file: row 1 is the first data row (0: the file or its header). */
struct est_frame_fault {
	size_t row;
	struct est_error e;
};

/* Creates an empty frame; returns 0 and *out (free with est_frame_free) or -ENOMEM. */
int est_frame_new(struct est_frame **out);
/* Frees a frame; f may be NULL. */
void est_frame_free(struct est_frame *f);
/* Adds a stratum: population >= 1, target NAN or >= 0. Returns 0, -EEXIST (already there),
 * -EINVAL (bad numbers or name), -E2BIG (past EST_FRAME_MAX_STRATA) or -ENOMEM. */
int est_frame_set(struct est_frame *f, const char *stratum, double population, double target);
/* N_h of a stratum, or NAN when the frame does not list it. */
double est_frame_population(const struct est_frame *f, const char *stratum);
/* The planned sample size of a stratum, or NAN when not given or not listed. */
double est_frame_target(const struct est_frame *f, const char *stratum);
/* Number of strata, and the i-th in file order. */
size_t est_frame_count(const struct est_frame *f);
const char *est_frame_stratum(const struct est_frame *f, size_t i);

/* Parses a frame held in memory (UTF-8, optional BOM, RFC 4180, header row with `stratum`,
 * `population` and optionally `target`, in any order). Returns 0 and *out; -EINVAL with fault
 * filled (unknown or missing column, bad number, duplicate stratum, bad CSV); -E2BIG; -ENOMEM. */
int est_frame_parse(const char *data, size_t len, struct est_frame **out, struct est_frame_fault *fault);
/* As est_frame_parse on a file; -errno when it cannot be read (fault->e.message says why). */
int est_frame_load_file(const char *path, struct est_frame **out, struct est_frame_fault *fault);
