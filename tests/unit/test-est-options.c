/* test-est-options.c - the names of the interval methods and lonely-PSU rules: every valid
 * name, names in another case or with spaces, other words and NULL (refused, output unchanged),
 * and the method names back. */
#include <errno.h>

#include "est-options.h"
#include "test.h"

static void test_ci(void)
{
	static const struct { const char *name; enum est_ci ci; } ok[] = {
		{ "logit", EST_CI_LOGIT }, { "beta", EST_CI_BETA }, { "wald", EST_CI_WALD },
	};
	static const char *const bad[] = { "", "LOGIT", "Logit", "Wald", "BETA", " logit", "logit ",
		"logit\n", "logi", "logits", "korn-graubard", "fail", "wilson", "0" };
	enum est_ci ci;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ci = (enum est_ci)99;
		CHECK_INT(est_ci_parse(ok[i].name, &ci), 0);
		CHECK_INT(ci, ok[i].ci);
		CHECK_STR(est_ci_name(ci), ok[i].name);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ci = EST_CI_WALD;
		CHECK_INT(est_ci_parse(bad[i], &ci), -EINVAL);
		CHECK_INT(ci, EST_CI_WALD);
	}
	CHECK_INT(est_ci_parse(NULL, &ci), -EINVAL);
	CHECK_STR(est_ci_name((enum est_ci)7), "logit");
}

static void test_lonely(void)
{
	static const struct { const char *name; enum est_lonely rule; } ok[] = {
		{ "fail", EST_LONELY_FAIL }, { "adjust", EST_LONELY_ADJUST },
		{ "remove", EST_LONELY_REMOVE }, { "certainty", EST_LONELY_CERTAINTY },
	};
	static const char *const bad[] = { "", "FAIL", "Adjust", "REMOVE", "Certainty", " adjust",
		"adjust ", "adj", "average", "logit", "1" };
	enum est_lonely rule;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		rule = (enum est_lonely)99;
		CHECK_INT(est_lonely_parse(ok[i].name, &rule), 0);
		CHECK_INT(rule, ok[i].rule);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rule = EST_LONELY_REMOVE;
		CHECK_INT(est_lonely_parse(bad[i], &rule), -EINVAL);
		CHECK_INT(rule, EST_LONELY_REMOVE);
	}
	CHECK_INT(est_lonely_parse(NULL, &rule), -EINVAL);
}

int main(void)
{
	test_ci();
	test_lonely();
	TEST_DONE();
}
