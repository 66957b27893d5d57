/* est-quantile.c - beta and t quantiles by a safeguarded inverse of I_x(a, b) (see
 * est-quantile.h).
 *
 * I_x(a, b) is GSL's gsl_sf_beta_inc; where its continued fraction stops at its 512-term cap
 * (large shapes with x near the mean: about sqrt(min(a, b)) terms are needed) the same
 * continued fraction (modified Lentz) is summed here without that cap.
 *
 * The inverse works on the side of the distribution where the quantile lies: when
 * p <= I_{1/2}(a, b) it solves I_x(a, b) = p for x in (0, 1/2], else I_y(b, a) = 1 − p for
 * y = 1 − x in (0, 1/2), so the small one of x and 1 − x is always found to full relative
 * precision (the t quantile needs both). Each step is Newton's on log I against log x (nearly
 * linear in both tails), kept inside a bracket that every evaluation narrows; a step that leaves
 * the bracket or does not halve it is replaced by bisection (geometric while the bracket spans
 * more than a factor of 2). */
#include "est-quantile.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "est-interval.h"

#define CF_MAX_TERMS 10000000L   /* ~ sqrt(shape) terms are needed: enough for shapes to 1e12 */
#define SOLVE_MAX_STEPS 2000     /* bisection alone needs < 1100 for any double in (0, 1/2] */

/* The continued fraction of I_x(a, b) (x < (a + 1)/(a + b + 2)), modified Lentz. */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	long m;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (m = 1; m < CF_MAX_TERMS; m++) {
		double m2 = 2.0 * (double)m, aa, del;
		int k;

		for (k = 0; k < 2; k++) {
			aa = k == 0 ? (double)m * (b - (double)m) * x / ((a + m2 - 1) * (a + m2))
				    : -(a + (double)m) * (a + b + (double)m) * x / ((a + m2) * (a + m2 + 1));
			d = 1 + aa * d;
			d = 1 / (fabs(d) < tiny ? tiny : d);
			c = 1 + aa / c;
			if (fabs(c) < tiny)
				c = tiny;
			del = c * d;
			h *= del;
		}
		if (fabs(del - 1) < DBL_EPSILON)
			return h;
	}
	return NAN;
}

/* I_x(a, b) without GSL's term cap. */
static double beta_inc_long(double a, double b, double x)
{
	double pre;

	if (x < (a + 1) / (a + b + 2)) {
		pre = exp(a * log(x) + b * log1p(-x) - gsl_sf_lnbeta(a, b));
		return pre * beta_cf(a, b, x) / a;
	}
	pre = exp(b * log1p(-x) + a * log(x) - gsl_sf_lnbeta(a, b));
	return 1 - pre * beta_cf(b, a, 1 - x) / b;
}

double est_beta_cdf(double x, double a, double b)
{
	gsl_sf_result r;
	int status;
	double v;

	est_gsl_init();
	if (!(a > 0 && b > 0 && x >= 0 && x <= 1) || !isfinite(a) || !isfinite(b))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	status = gsl_sf_beta_inc_e(a, b, x, &r);
	if (status == GSL_EUNDRFLW)
		return 0;
	v = status == GSL_SUCCESS ? r.val : beta_inc_long(a, b, x);
	if (!(v >= 0))
		return NAN;
	return v > 1 ? 1 : v;
}

/* A start for I_x(a, b) = p on (0, 1/2]: the normal approximation for shapes >= 1, else the
 * lower tail I_x ≈ x^a / (a B(a, b)). */
static double start(double p, double a, double b)
{
	double x;

	if (a >= 1 && b >= 1) {
		double s = a + b;

		x = a / s + gsl_cdf_ugaussian_Pinv(p) * sqrt(a * b / (s * s * (s + 1)));
	} else {
		x = exp((log(p) + log(a) + gsl_sf_lnbeta(a, b)) / a);
	}
	return isfinite(x) && x > 0 && x < 0.5 ? x : 0.25;
}

/* Solves I_x(a, b) = p for x in (0, 1/2] with p <= I_{1/2}(a, b), from x0 when it is in
 * (0, 1/2) (else from start()); returns x. */
static double solve_low(double p, double a, double b, double x0)
{
	double lo = 0, hi = 0.5, x = x0 > 0 && x0 < 0.5 ? x0 : start(p, a, b), lnp = log(p), lnb = gsl_sf_lnbeta(a, b);
	double step = 1, before = 1;
	int i;

	for (i = 0; i < SOLVE_MAX_STEPS; i++) {
		double F = est_beta_cdf(x, a, b), next = NAN;

		if (isnan(F))
			return NAN;
		if (F == p)
			return x;
		if (F < p)
			lo = x;
		else
			hi = x;
		if (F > 0) {
			/* d log F / d log x = x f(x) / F, f the density */
			double lnxf = a * log(x) + (b - 1) * log1p(-x) - lnb;
			double slope = exp(lnxf - log(F));

			if (slope > 0 && isfinite(slope))
				next = x * exp(-(log(F) - lnp) / slope);
		}
		/* bisect when Newton leaves the bracket or its steps stop halving */
		if (!(next > lo && next < hi) || fabs(next - x) > 0.5 * before) {
			if (lo == 0)
				next = hi / 1024;
			else if (hi > 2 * lo)
				next = sqrt(lo) * sqrt(hi);
			else
				next = lo + (hi - lo) / 2;
		}
		before = step;
		step = fabs(next - x);
		if (next <= lo || next >= hi || fabs(next - x) <= 1e-14 * x)
			return next > lo && next < hi ? next : x;
		x = next;
	}
	return x;
}

/* The p-quantile x of Beta(a, b) with its complement *comp = 1 − x, each to full relative
 * precision, from a guess x0 with complement c0 (0: none); NAN when undefined. */
static double beta_inv(double p, double a, double b, double x0, double c0, double *comp)
{
	double m, x;

	*comp = NAN;
	if (!(p >= 0 && p <= 1) || !(a > 0 && b > 0) || !isfinite(a) || !isfinite(b))
		return NAN;
	if (p == 0 || p == 1) {
		*comp = 1 - p;
		return p;
	}
	m = est_beta_cdf(0.5, a, b);
	if (isnan(m))
		return NAN;
	if (p == m) {
		*comp = 0.5;
		return 0.5;
	}
	if (p < m) {
		x = solve_low(p, a, b, x0);
		*comp = 1 - x;
		return x;
	}
	*comp = solve_low(1 - p, b, a, c0);
	return 1 - *comp;
}

double est_beta_quantile(double p, double a, double b)
{
	double comp;

	return beta_inv(p, a, b, 0, 0, &comp);
}

double est_t_quantile(double p, double df)
{
	/* est_compute asks for the same quantile for every estimate of a group: keep the last */
	static _Thread_local double last_p = NAN, last_df = NAN, last_q = NAN;
	double q, x, z, t, z0, t0;

	if (!(df > 0) || !(p > 0 && p < 1) || !isfinite(df))
		return NAN;
	if (p == 0.5)
		return 0;
	if (p == last_p && df == last_df)
		return last_q;
	/* P(|T| > |t|) = I_x(df/2, 1/2) with x = df/(df + t²), so t² = df (1 − x)/x; the start is
	 * the Cornish-Fisher expansion of t about the normal quantile (Abramowitz and Stegun 26.7.5) */
	q = p < 0.5 ? 2 * p : 2 * (1 - p);
	z0 = gsl_cdf_ugaussian_Qinv(q / 2);
	t0 = z0 + (z0 * z0 * z0 + z0) / (4 * df) +
	     (5 * pow(z0, 5) + 16 * z0 * z0 * z0 + 3 * z0) / (96 * df * df);
	x = beta_inv(q, df / 2, 0.5, df / (df + t0 * t0), t0 * t0 / (df + t0 * t0), &z);
	if (isnan(x) || !(x > 0))
		return NAN;
	t = sqrt(df * z / x);
	last_p = p;
	last_df = df;
	last_q = p < 0.5 ? -t : t;
	return last_q;
}
