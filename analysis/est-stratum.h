/* est-stratum.h - a stratum's weight scale and finite-population factor
 * (docs/sipas-method.md §4-5). */
#pragma once

#include <stdint.h>

#include "est-design.h"
#include "est-error.h"
#include "frame.h"

/* For stratum name with rows responses in psus PSUs: *scale = N_h / n_h when its rows take
 * their weights from the frame (else 1), *fpcfac = 1 - psus / N_h when N_h is known (the fpc
 * given with the rows, else the frame's population; else 1; 0 for a self-representing
 * stratum, as R). Returns 0, or -EINVAL with err filled (not in the frame, a population
 * smaller than the responses or PSUs). */
int est_stratum_factors(const char *name, uint64_t rows, uint64_t psus, enum est_weighting weighting,
			double fpc, const struct est_frame *frame, double *scale, double *fpcfac,
			struct est_error *err);
