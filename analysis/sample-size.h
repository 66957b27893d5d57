/* sample-size.h - sample sizes per stratum from a target margin of error (contract §6,
 * docs/sipas-method.md "Sample sizes"):
 *   n0  = z² · p(1 − p) · deff / (margin/100)²,  z = Φ⁻¹(1 − (1 − confidence)/2)
 *   n_h = ceil(n0 / (1 + (n0 − 1)/N_h)), raised to min(min, N_h), at most N_h
 *   m_h = min(N_h, ceil(n_h / response_rate))                      (invitations) */
#pragma once

#include <stddef.h>

struct sample_size_params {
	double margin;          /* percentage points, 0 < margin < 100 (default 5) */
	double confidence;      /* 0 < confidence < 1 (default 0.95) */
	double p;               /* expected proportion, 0 < p < 1 (default 0.5) */
	double deff;            /* design effect, >= 1 ... 100 (default 1) */
	long long min;          /* the least sample per stratum, >= 0 (default 30) */
	double response_rate;   /* expected share who answer, 0 < rate <= 1 (default 1) */
};

/* Fills p with the defaults of contract §6. */
void sample_size_defaults(struct sample_size_params *p);
/* Checks p; returns 0, or -EINVAL with the option at fault ("margin", ...) in *what. */
int sample_size_check(const struct sample_size_params *p, const char **what);
/* n0 of valid params p (its z from GSL's gsl_cdf_ugaussian_Pinv). Returns n0 > 0, or NAN. */
double sample_size_n0(const struct sample_size_params *p);
/* The target n_h for a stratum of N units (N >= 0) given n0 and min. */
long long sample_size_target(double n0, long long N, long long min);
/* The invitations m_h for target n of a stratum of N units at the response rate. */
long long sample_size_invitations(long long n, long long N, double response_rate);
