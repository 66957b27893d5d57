/* test-report.c - the PDF report from a fixed input (report/): a PDF with the pages the input
 * asks for, the same bytes twice (fixed metadata: the input's date, never the clock), the
 * date in the document's info, one page with `only`, and the input's limits refused. */
#include <errno.h>
#include <math.h>

#include "fixture-est.h"
#include "report.h"
#include "test.h"

#define NAG 3
#define NEST 7      /* 3 indices + 4 items */

static struct est_estimate est[NAG + 1][NEST];
static struct est_group groups[NAG + 1];

/* Estimates of group g around centre, with intervals ±5, n responses, against 79.3. */
static void fill(size_t g, double centre, uint64_t n)
{
	size_t k;

	for (k = 0; k < NEST; k++) {
		struct est_estimate *e = &est[g][k];

		e->what = k;
		e->estimate = centre + (double)k;
		e->se = 2.5;
		e->ci_low = e->estimate - 5;
		e->ci_high = e->estimate + 5;
		e->df = (long)n - 1;
		e->n = n;
		e->deff = e->n_eff = NAN;
		e->flags = n < 30 ? 1u : 0u;
		e->diff = e->estimate - 79.3;
		e->t = e->diff / e->se;
		e->p_value = 0.01;
	}
	groups[g] = (struct est_group){ (long)g - 1, n, (long)n - 1, est[g] };
}

static size_t count(const struct strbuf *sb, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	const char *p = sb->buf, *end = sb->buf + sb->len;

	while (p + len <= end && (p = memmem(p, (size_t)(end - p), needle, len))) {
		n++;
		p += len;
	}
	return n;
}

int main(void)
{
	struct form *f = fixture_form(fixture_est_form_json);
	struct report_agency ag[NAG] = {
		{ "A1", "Sở Nội vụ", &groups[1], NULL, 100, 0, 0 },
		{ "A2", "Ủy ban nhân dân xã Đồng Đăng", &groups[2], NULL, 40, 50, 31 },
		{ "A3", "Sở Y tế", &groups[3], NULL, -1, 0, 0 },
	};
	struct report_input in = {
		.round = { "r1", "Đợt 6 tháng", f, &groups[0] },
		.period_from = "2026-03-01", .period_to = "2026-03-28", .date = "2026-03-28",
		.has_baseline = true, .baseline = 79.3, .baseline_label = "SIPAS 2023",
		.confidence = 0.95, .ci_method = "logit", .nagencies = NAG, .agencies = ag,
	};
	struct report_fonts *fonts;
	struct strbuf a, b;
	char err[256];

	fill(0, 80, 160);
	fill(1, 70, 90);
	fill(2, 85, 50);
	fill(3, 60, 20);
	CHECK_OK(report_fonts_new(&fonts));
	strbuf_init(&a, 0);
	strbuf_init(&b, 0);
	CHECK_OK(report_pdf(fonts, &in, &a, err, sizeof err));
	CHECK_OK(report_pdf(fonts, &in, &b, err, sizeof err));
	CHECK(a.len > 1000 && !memcmp(a.buf, "%PDF-", 5));
	CHECK(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
	/* cover, summary, ranking, elements, one page per agency, annex */
	CHECK_INT(count(&a, "/Type /Page\n") + count(&a, "/Type /Page "), 4 + NAG + 1);
	/* cairo 1.16 writes the dates without the "D:" prefix; pdfinfo reads them either way */
	CHECK_INT(count(&a, "/CreationDate (20260328000000Z)") + count(&a, "/CreationDate (D:20260328000000Z)"), 1);
	CHECK_INT(count(&a, "/ModDate (20260328000000Z)") + count(&a, "/ModDate (D:20260328000000Z)"), 1);
	CHECK(count(&a, "DejaVuSans") > 0);

	/* one agency's page alone; an agency without responses gets its page too */
	strbuf_reset(&b);
	in.only = "A2";
	CHECK_OK(report_pdf(fonts, &in, &b, err, sizeof err));
	CHECK_INT(count(&b, "/Type /Page\n") + count(&b, "/Type /Page "), 1);
	strbuf_reset(&b);
	in.only = "ZZ";
	in.only_name = "Sở Công Thương";
	CHECK_OK(report_pdf(fonts, &in, &b, err, sizeof err));
	CHECK_INT(count(&b, "/Type /Page\n") + count(&b, "/Type /Page "), 1);

	/* the input's limits */
	in.only = NULL;
	in.nagencies = REPORT_MAX_AGENCIES + 1;
	CHECK_INT(report_pdf(fonts, &in, &b, err, sizeof err), -EINVAL);
	in.nagencies = NAG;
	in.round.whole = NULL;
	CHECK_INT(report_pdf(fonts, &in, &b, err, sizeof err), -EINVAL);

	strbuf_done(&a);
	strbuf_done(&b);
	report_fonts_free(fonts);
	form_free(f);
	TEST_DONE();
}
