/* est-interval.c - intervals and tests with GSL (GSL lives only in analysis/); the quantiles
 * are est-quantile.c's. */
#include "est-interval.h"
#include "est-quantile.h"

#include <errno.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

void est_gsl_init(void)
{
	gsl_set_error_handler_off();
}

double est_t_pvalue(double t, double df)
{
	gsl_sf_result r;
	int status;

	est_gsl_init();
	if (!(df > 0) || isnan(t) || !isfinite(df))
		return NAN;
	if (isinf(t))
		return 0;
	/* P(|T| > |t|) = I_x(df/2, 1/2), x = df/(df + t²): accurate far into the tails, where
	 * gsl_cdf_tdist_Q's Cornish-Fisher branch loses digits */
	status = gsl_sf_beta_inc_e(df / 2, 0.5, df / (df + t * t), &r);
	if (status == GSL_EUNDRFLW)
		return 0;            /* below the smallest double: R prints it as 0 too */
	if (status != GSL_SUCCESS || !(r.val >= 0 && r.val <= 1))
		return NAN;
	return r.val;
}

static int conf_ok(double conf)
{
	return conf > 0 && conf < 1;
}

int est_ci_wald(double p, double se, double df, double conf, double *lo, double *hi)
{
	double t;

	if (!conf_ok(conf) || !(se >= 0) || !isfinite(p))
		return -EDOM;
	t = est_t_quantile(1 - (1 - conf) / 2, df);
	if (isnan(t))
		return -EDOM;
	*lo = p - t * se;
	*hi = p + t * se;
	return 0;
}

int est_ci_logit(double p, double se, double df, double conf, double *lo, double *hi)
{
	double t, l, h;

	if (!conf_ok(conf) || !(se >= 0) || !(p > 0 && p < 1))
		return -EDOM;
	t = est_t_quantile(1 - (1 - conf) / 2, df);
	if (isnan(t))
		return -EDOM;
	l = log(p / (1 - p)) - t * se / (p * (1 - p));
	h = log(p / (1 - p)) + t * se / (p * (1 - p));
	*lo = 1 / (1 + exp(-l));
	*hi = 1 / (1 + exp(-h));
	return 0;
}

int est_ci_beta(double p, double se, double n, double df, double conf, double *lo, double *hi)
{
	double alpha = 1 - conf, tn, tdf, nstar, l, h;

	if (!conf_ok(conf) || !(se > 0) || !(p > 0 && p < 1) || !(n > 1))
		return -EDOM;
	tn = est_t_quantile(alpha / 2, n - 1);
	tdf = est_t_quantile(alpha / 2, df);
	if (isnan(tn) || isnan(tdf) || tdf == 0)
		return -EDOM;
	nstar = p * (1 - p) / (se * se) * (tn / tdf) * (tn / tdf);
	l = est_beta_quantile(alpha / 2, nstar * p, nstar * (1 - p) + 1);
	h = est_beta_quantile(1 - alpha / 2, nstar * p + 1, nstar * (1 - p));
	if (!isfinite(l) || !isfinite(h) || l < 0 || h > 1)
		return -EDOM;
	*lo = l;
	*hi = h;
	return 0;
}
