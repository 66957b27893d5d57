/* est-options.c - the estimator's options by name (see est-options.h). */
#include "est-options.h"

#include <errno.h>
#include <string.h>

static const char *const ci_names[] = {
	[EST_CI_LOGIT] = "logit",
	[EST_CI_BETA] = "beta",
	[EST_CI_WALD] = "wald",
};

static const char *const lonely_names[] = {
	[EST_LONELY_FAIL] = "fail",
	[EST_LONELY_ADJUST] = "adjust",
	[EST_LONELY_REMOVE] = "remove",
	[EST_LONELY_CERTAINTY] = "certainty",
};

/* The index of name in names, or -EINVAL. */
static int lookup(const char *name, const char *const *names, size_t n)
{
	size_t i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -EINVAL;
}

int est_ci_parse(const char *name, enum est_ci *out)
{
	int k = lookup(name, ci_names, sizeof ci_names / sizeof ci_names[0]);

	if (k < 0)
		return k;
	*out = (enum est_ci)k;
	return 0;
}

int est_lonely_parse(const char *name, enum est_lonely *out)
{
	int k = lookup(name, lonely_names, sizeof lonely_names / sizeof lonely_names[0]);

	if (k < 0)
		return k;
	*out = (enum est_lonely)k;
	return 0;
}

const char *est_ci_name(enum est_ci ci)
{
	return (unsigned)ci < sizeof ci_names / sizeof ci_names[0] ? ci_names[ci] : "logit";
}
