/* numfmt.c - numbers with a decimal comma (see numfmt.h). */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *numfmt_dec1(char *buf, size_t len, double v)
{
	char *p;

	if (!isfinite(v) || !buf || !len)
		return "–";
	snprintf(buf, len, "%.1f", v);
	if (!strcmp(buf, "-0.0"))
		snprintf(buf, len, "0.0");
	if ((p = strchr(buf, '.')))
		*p = ',';
	return buf;
}

const char *numfmt_signed1(char *buf, size_t len, double v)
{
	char tmp[32];

	if (!isfinite(v) || !buf || !len)
		return "–";
	numfmt_dec1(tmp, sizeof tmp, v);
	snprintf(buf, len, "%s%s", v > 0 && strcmp(tmp, "0,0") ? "+" : "", tmp);
	return buf;
}

const char *numfmt_p(char *buf, size_t len, double p)
{
	char *d;

	if (!isfinite(p) || !buf || !len)
		return "–";
	if (p < 0.001)
		return "< 0,001";
	snprintf(buf, len, "%.3f", p);
	if ((d = strchr(buf, '.')))
		*d = ',';
	return buf;
}
