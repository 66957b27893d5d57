/* est-stratum.c - a stratum's weight scale and finite-population factor. */
#include <errno.h>
#include <math.h>

#include "est-stratum.h"

int est_stratum_factors(const char *name, uint64_t rows, uint64_t psus, enum est_weighting weighting,
			double fpc, const struct est_frame *frame, double *scale, double *fpcfac,
			struct est_error *err)
{
	double N = fpc, pop = frame ? est_frame_population(frame, name) : NAN;

	*scale = 1;
	*fpcfac = 1;
	if (weighting == EST_W_FRAME && frame) {
		if (isnan(pop))
			return est_error_set(err, -EINVAL, "stratum", "not_in_frame",
				"stratum '%s' is not in the frame", name);
		if (pop < (double)rows)
			return est_error_set(err, -EINVAL, "population", "population_too_small",
				"stratum '%s': population %.17g is smaller than its %llu responses",
				name, pop, (unsigned long long)rows);
		*scale = pop / (double)rows;
	}
	if (isnan(N))
		N = pop;
	if (!isnan(N)) {
		if (N < (double)psus)
			return est_error_set(err, -EINVAL, "fpc", "fpc_too_small",
				"stratum '%s': population %.17g is smaller than its %llu PSUs",
				name, N, (unsigned long long)psus);
		*fpcfac = 1 - (double)psus / N;
		if (*fpcfac < 1e-7)    /* a self-representing stratum, as R */
			*fpcfac = 0;
	}
	return 0;
}
