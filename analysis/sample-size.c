/* sample-size.c - sample sizes from a target margin of error (see sample-size.h). */
#include "sample-size.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>

/* ceil of a ratio computed in floating point: a value within 1e-9 (relative) above a whole
 * number is taken as that number, so that an exact n (say 30) is not rounded up to 31 by the
 * last bit of the division. */
static double ceil_ratio(double x)
{
	double f = floor(x);

	return x - f <= 1e-9 * (f > 1 ? f : 1) ? f : f + 1;
}

void sample_size_defaults(struct sample_size_params *p)
{
	p->margin = 5;
	p->confidence = 0.95;
	p->p = 0.5;
	p->deff = 1;
	p->min = 30;
	p->response_rate = 1;
}

int sample_size_check(const struct sample_size_params *p, const char **what)
{
	*what = !(p->margin > 0 && p->margin < 100) ? "margin" :
		!(p->confidence >= 0.5 && p->confidence < 1) ? "confidence" :
		!(p->p > 0 && p->p < 1) ? "p" :
		!(p->deff >= 1 && p->deff <= 100) ? "deff" :
		!(p->min >= 0 && p->min <= 1000000) ? "min" :
		!(p->response_rate > 0 && p->response_rate <= 1) ? "response-rate" : NULL;
	return *what ? -EINVAL : 0;
}

double sample_size_n0(const struct sample_size_params *p)
{
	double z = gsl_cdf_ugaussian_Pinv(1 - (1 - p->confidence) / 2), e = p->margin / 100;

	if (!isfinite(z) || z <= 0)
		return NAN;
	return z * z * p->p * (1 - p->p) * p->deff / (e * e);
}

long long sample_size_target(double n0, long long N, long long min)
{
	double n;
	long long t, floor_n;

	if (N <= 0)
		return 0;
	n = ceil_ratio(n0 / (1 + (n0 - 1) / (double)N));
	t = n > (double)N ? N : (long long)n;
	floor_n = min < N ? min : N;
	if (t < floor_n)
		t = floor_n;
	return t > N ? N : t;
}

long long sample_size_invitations(long long n, long long N, double response_rate)
{
	double m = ceil_ratio((double)n / response_rate);

	return m >= (double)N ? N : (long long)m;
}
