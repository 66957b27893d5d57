/* est-interval.h - t quantiles, p-values and confidence intervals for a proportion
 * (docs/sipas-method.md §6-7).
 * Everything here is on the proportion scale (0..1). GSL's error handler is switched off on
 * first use; every GSL result is checked. */
#pragma once

#include "est-quantile.h"   /* est_t_quantile, est_beta_quantile */

/* Switches GSL's abort-on-error handler off (idempotent). */
void est_gsl_init(void);
/* The two-sided p-value of t on df degrees of freedom; NAN when undefined. */
double est_t_pvalue(double t, double df);
/* p ± t_{df} · se. Returns 0, or -EDOM (nothing written) when undefined. */
int est_ci_wald(double p, double se, double df, double conf, double *lo, double *hi);
/* expit(logit(p) ± t_{df} · se / (p(1 − p))), for 0 < p < 1. Returns 0 or -EDOM. */
int est_ci_logit(double p, double se, double df, double conf, double *lo, double *hi);
/* Korn–Graubard: n* = p(1 − p)/se² · (t_{n−1}/t_{df})², lower = Beta⁻¹(α/2; n*p, n*(1 − p) + 1),
 * upper = Beta⁻¹(1 − α/2; n*p + 1, n*(1 − p)), n the valid answers. Returns 0 or -EDOM. */
int est_ci_beta(double p, double se, double n, double df, double conf, double *lo, double *hi);
