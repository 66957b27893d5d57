/* test-est-options.c - the names of the interval methods and lonely-PSU rules: every valid
 * name, names in another case or with spaces, other words and NULL (refused, the output left as
 * it was), and the method names back. */
#include <errno.h>

#include "est-options.h"
#include "test.h"

#define UNCHANGED 99        /* what the output holds before a parse */

/* The two parsers behind one signature: returns the parser's result, *out the value it left. */
static int parse_ci(const char *name, int *out)
{
	enum est_ci v = (enum est_ci)UNCHANGED;
	int r = est_ci_parse(name, &v);

	*out = (int)v;
	return r;
}

static int parse_lonely(const char *name, int *out)
{
	enum est_lonely v = (enum est_lonely)UNCHANGED;
	int r = est_lonely_parse(name, &v);

	*out = (int)v;
	return r;
}

static const struct {
	int (*parse)(const char *name, int *out);
	const char *name;
	int want;               /* the value, or -1: refused */
} cases[] = {
	{ parse_ci, "logit", EST_CI_LOGIT }, { parse_ci, "beta", EST_CI_BETA }, { parse_ci, "wald", EST_CI_WALD },
	{ parse_ci, "", -1 }, { parse_ci, "LOGIT", -1 }, { parse_ci, "Logit", -1 }, { parse_ci, "Wald", -1 },
	{ parse_ci, "BETA", -1 }, { parse_ci, " logit", -1 }, { parse_ci, "logit ", -1 }, { parse_ci, "logit\n", -1 },
	{ parse_ci, "logi", -1 }, { parse_ci, "logits", -1 }, { parse_ci, "korn-graubard", -1 },
	{ parse_ci, "fail", -1 }, { parse_ci, "0", -1 }, { parse_ci, NULL, -1 },
	{ parse_lonely, "fail", EST_LONELY_FAIL }, { parse_lonely, "adjust", EST_LONELY_ADJUST },
	{ parse_lonely, "remove", EST_LONELY_REMOVE }, { parse_lonely, "certainty", EST_LONELY_CERTAINTY },
	{ parse_lonely, "", -1 }, { parse_lonely, "FAIL", -1 }, { parse_lonely, "Adjust", -1 },
	{ parse_lonely, "REMOVE", -1 }, { parse_lonely, "Certainty", -1 }, { parse_lonely, " adjust", -1 },
	{ parse_lonely, "adjust ", -1 }, { parse_lonely, "adj", -1 }, { parse_lonely, "average", -1 },
	{ parse_lonely, "logit", -1 }, { parse_lonely, "1", -1 }, { parse_lonely, NULL, -1 },
};

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got, r = cases[i].parse(cases[i].name, &got);

		if (cases[i].want < 0) {
			CHECK_INT(r, -EINVAL);
			CHECK_INT(got, UNCHANGED);
		} else {
			CHECK_INT(r, 0);
			CHECK_INT(got, cases[i].want);
		}
	}
	CHECK_STR(est_ci_name(EST_CI_LOGIT), "logit");
	CHECK_STR(est_ci_name(EST_CI_BETA), "beta");
	CHECK_STR(est_ci_name(EST_CI_WALD), "wald");
	CHECK_STR(est_ci_name((enum est_ci)7), "logit");
	TEST_DONE();
}
