/* test-progress.c - the fieldwork progress model: rows per (stratum, agency) from the frame's
 * targets and the kept counts, the fold to a row per agency, sums and shares. */
#include <errno.h>

#include "progress.h"
#include "test.h"

static void fill(struct progress *p)
{
	/* two strata of agency A (targets 10 and 0), one of B (no target), one without an agency */
	CHECK_OK(progress_add_target(p, "s2", 10, "A"));
	CHECK_OK(progress_add_target(p, "s1", 0, "A"));
	CHECK_OK(progress_add_target(p, "s3", -1, "B"));
	CHECK_OK(progress_add_target(p, "C", 4, NULL));
	CHECK_OK(progress_add_count(p, "s2", "A", "web", 3));
	CHECK_OK(progress_add_count(p, "s2", "A", "paper", 2));
	CHECK_OK(progress_add_count(p, "s1", "A", "phone", 1));
	CHECK_OK(progress_add_count(p, "s3", "B", "api", 7));
	CHECK_OK(progress_add_count(p, "s3", "D", "web", 1));      /* an agency not in the frame */
	CHECK_OK(progress_add_count(p, "C", "C", "carrier pigeon", 2));   /* counts in the total only */
	progress_sort(p);
}

static void test_rows(void)
{
	struct progress p = { NULL, 0, 0 };

	fill(&p);
	CHECK_INT(p.n, 5);
	CHECK_STR(p.rows[0].stratum, "C");
	CHECK_STR(p.rows[0].agency, "C");
	CHECK_INT(p.rows[0].target, 4);
	CHECK_INT(p.rows[0].total, 2);
	CHECK_INT(p.rows[0].n[FORM_CHANNEL_WEB] + p.rows[0].n[FORM_CHANNEL_PAPER], 0);
	CHECK_STR(p.rows[1].stratum, "s1");
	CHECK_INT(p.rows[1].target, 0);
	CHECK_INT(p.rows[1].n[FORM_CHANNEL_PHONE], 1);
	CHECK_STR(p.rows[2].stratum, "s2");
	CHECK_INT(p.rows[2].target, 10);
	CHECK_INT(p.rows[2].n[FORM_CHANNEL_WEB], 3);
	CHECK_INT(p.rows[2].n[FORM_CHANNEL_PAPER], 2);
	CHECK_INT(p.rows[2].total, 5);
	CHECK_NEAR(progress_share(&p.rows[2]), 0.5, 1e-15);
	CHECK(isnan(progress_share(&p.rows[1])));
	CHECK_STR(p.rows[3].agency, "B");
	CHECK_INT(p.rows[3].target, -1);
	CHECK_STR(p.rows[4].agency, "D");
	CHECK_INT(p.rows[4].target, PROGRESS_NO_TARGET);
	progress_done(&p);
	progress_done(&p);
	progress_done(NULL);
}

static void test_by_agency(void)
{
	struct progress p = { NULL, 0, 0 }, a = { NULL, 0, 0 };
	struct progress_row sum = { .target = 0 };
	size_t i;

	fill(&p);
	CHECK_OK(progress_by_agency(&p, NULL, &a));
	CHECK_INT(a.n, 4);
	CHECK_STR(a.rows[0].agency, "A");
	CHECK_STR(a.rows[0].stratum, "");
	CHECK_INT(a.rows[0].target, 10);
	CHECK_INT(a.rows[0].total, 6);
	CHECK_INT(a.rows[0].n[FORM_CHANNEL_PHONE], 1);
	CHECK_STR(a.rows[1].agency, "B");
	CHECK_INT(a.rows[1].target, 0);      /* no positive target */
	CHECK_INT(a.rows[1].n[FORM_CHANNEL_API], 7);
	CHECK_STR(a.rows[2].agency, "C");
	CHECK_STR(a.rows[3].agency, "D");
	for (i = 0; i < a.n; i++)
		progress_row_add(&sum, &a.rows[i]);
	CHECK_INT(sum.target, 14);
	CHECK_INT(sum.total, 16);
	CHECK_INT(sum.n[FORM_CHANNEL_WEB], 4);
	progress_done(&a);

	CHECK_OK(progress_by_agency(&p, "B", &a));
	CHECK_INT(a.n, 1);
	CHECK_INT(a.rows[0].total, 7);
	progress_done(&a);
	CHECK_OK(progress_by_agency(&p, "nobody", &a));
	CHECK_INT(a.n, 0);
	progress_done(&a);
	progress_done(&p);
}

/* A drawn round: invitations land in the row (stratum = agency, agency) with N_h and n_h. */
static void test_invites(void)
{
	struct progress p = { NULL, 0, 0 }, a = { NULL, 0, 0 };
	struct progress_row sum = { .target = 0 };
	size_t i;

	CHECK_OK(progress_add_target(&p, "SNV", 155, "SNV"));
	CHECK_OK(progress_add_population(&p, "SNV", 257, "SNV"));
	CHECK_OK(progress_add_target(&p, "STC", 40, "STC"));
	CHECK_OK(progress_add_invites(&p, "SNV", 155, 31));
	CHECK_OK(progress_add_invites(&p, "SYT", 12, 0));       /* invitations without a frame row */
	CHECK_OK(progress_add_count(&p, "SNV", "SNV", "web", 31));
	progress_sort(&p);
	CHECK_INT(p.n, 3);
	CHECK_STR(p.rows[0].agency, "SNV");
	CHECK_INT(p.rows[0].population, 257);
	CHECK_INT(p.rows[0].invited, 155);
	CHECK_INT(p.rows[0].used, 31);
	CHECK_NEAR(progress_response_rate(&p.rows[0]), 0.2, 1e-15);
	CHECK(isnan(progress_response_rate(&p.rows[1])));       /* STC: no invitation */
	CHECK_INT(p.rows[2].invited, 12);
	CHECK_INT(p.rows[2].target, PROGRESS_NO_TARGET);
	CHECK_OK(progress_by_agency(&p, NULL, &a));
	for (i = 0; i < a.n; i++)
		progress_row_add(&sum, &a.rows[i]);
	CHECK_INT(sum.invited, 167);
	CHECK_INT(sum.used, 31);
	CHECK_INT(sum.population, 257);
	CHECK_NEAR(progress_response_rate(&sum), 31.0 / 167.0, 1e-15);
	progress_done(&a);
	progress_done(&p);
}

int main(void)
{
	test_rows();
	test_by_agency();
	test_invites();
	TEST_DONE();
}
