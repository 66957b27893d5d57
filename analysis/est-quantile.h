/* est-quantile.h - quantiles of the beta and Student t distributions that hold over the whole
 * range of shapes (docs/sipas-method.md §6): a bracketing inverse (Newton on log F against log x,
 * safeguarded by bisection) of the regularised incomplete beta function. GSL's own inverses
 * (gsl_cdf_beta_Pinv, gsl_cdf_tdist_Pinv) give NaN for large shapes, so they are not used.
 * Checked against R's qbeta/qt (tests/golden/quantiles). */
#pragma once

/* The regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1; NAN when undefined. */
double est_beta_cdf(double x, double a, double b);
/* The p-quantile of Beta(a, b) (0 <= p <= 1, a, b > 0 and finite); NAN when undefined. */
double est_beta_quantile(double p, double a, double b);
/* The p-quantile of Student's t on df degrees of freedom (0 < p < 1, df > 0 and finite); NAN
 * when undefined. */
double est_t_quantile(double p, double df);
