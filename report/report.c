/* report.c - the report's order of pages and what its pages share (see report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "est-output.h"
#include "numfmt.h"
#include "report-internal.h"

const struct rd_font rf_title = { 20, true, RD_BLUE, RD_LEFT, false };
const struct rd_font rf_h1 = { 15, true, RD_BLUE, RD_LEFT, false };
const struct rd_font rf_h2 = { 11.5, true, RD_INK, RD_LEFT, false };
const struct rd_font rf_body = { 10, false, RD_INK, RD_LEFT, false };
const struct rd_font rf_bold = { 10, true, RD_INK, RD_LEFT, false };
const struct rd_font rf_small = { 8, false, RD_GREY, RD_LEFT, false };
const struct rd_font rf_cell = { 8, false, RD_INK, RD_LEFT, true };
const struct rd_font rf_cell_bold = { 8, true, RD_INK, RD_LEFT, true };
const struct rd_font rf_cell_right = { 8, false, RD_INK, RD_RIGHT, true };
const struct rd_font rf_head = { 7.5, true, RD_GREY, RD_LEFT, false };

const struct est_estimate *rp_find(const struct form *f, const struct est_group *g, const char *id)
{
	size_t i;

	if (!g || !f)
		return NULL;
	for (i = 0; i < f->nindices + f->nitems; i++)
		if (!strcmp(est_id(f, i), id))
			return &g->est[i];
	return NULL;
}

bool rp_below(const struct report_input *in, const struct est_estimate *e)
{
	return in->has_baseline && est_baseline_significant(e, REPORT_ALPHA) && e->diff < 0;
}

bool rp_vs_other(const struct report_input *in, const struct est_group *other, const char *id,
		 const struct est_estimate *a, struct est_contrast *c)
{
	const struct est_estimate *b;

	if (!in->has_other || !other || !(b = rp_find(in->other.form, other, id)))
		return false;
	est_compare_rounds(a, b, c);
	return true;
}

bool rp_significant(const struct est_contrast *c)
{
	if (isfinite(c->p_value))
		return c->p_value < REPORT_ALPHA;
	return isfinite(c->t) && fabs(c->t) > 8;
}

bool rp_flagged(const struct est_estimate *e)
{
	return e->flags != 0;
}

const char *rp_num(char *buf, size_t len, double v)
{
	return numfmt_dec1(buf, len, v);
}

const char *rp_pct(char *buf, size_t len, double confidence)
{
	double v = 100 * confidence;

	if (fabs(v - round(v)) < 1e-9) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	return numfmt_dec1(buf, len, v);
}

const char *rp_p(char *buf, size_t len, double p)
{
	char t[32];
	const char *s = numfmt_p(t, sizeof t, p);

	snprintf(buf, len, "%s%s", s[0] == '<' ? "" : "= ", s);
	return buf;
}

const char *rp_date(char *buf, size_t len, const char *iso)
{
	if (!iso || strlen(iso) != 10) {
		snprintf(buf, len, "%s", iso ? iso : "");
		return buf;
	}
	snprintf(buf, len, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	return buf;
}

const char *rp_diff(char *buf, size_t len, double diff, bool significant)
{
	char t[32];

	if (!isfinite(diff))
		return "–";
	numfmt_signed1(t, sizeof t, diff);
	snprintf(buf, len, "%s%s", t, !significant ? "" : diff < 0 ? " ▼" : " ▲");
	return buf;
}

double rp_row(struct rp *p, const struct rp_col *cols, size_t ncols, const char *const *cells, const struct rd_font *f,
	      bool shade)
{
	double h = f->size + 5, y = rd_y(p->rd);
	size_t i;

	if (shade)
		rd_rect(p->rd, RD_MARGIN, y - 1, RD_TEXT_W, h, RD_SHADE);
	for (i = 0; i < ncols; i++) {
		struct rd_font cf = *f;
		double th;

		cf.align = i == 0 || cols[i].left ? RD_LEFT : RD_RIGHT;
		th = rd_text(p->rd, cols[i].x, y + 1, cols[i].w - 4, &cf, cells[i] ? cells[i] : "");
		if (th + 4 > h)
			h = th + 4;     /* a font that wraps (the heads) makes the row as tall as its longest cell */
	}
	rd_set_y(p->rd, y + h);
	return h;
}

int report_pdf(struct report_fonts *fonts, const struct report_input *in, struct strbuf *out, char *err,
	       size_t errlen)
{
	struct rp p;
	char title[600];
	size_t i;
	int r;

	if (!in->round.form || !in->round.whole || in->nagencies > REPORT_MAX_AGENCIES ||
	    (in->nagencies && !in->agencies) || (in->has_other && (!in->other.form || !in->other.whole))) {
		snprintf(err, errlen, "report: incomplete input");
		return -EINVAL;
	}
	memset(&p, 0, sizeof p);
	p.in = in;
	snprintf(title, sizeof title, "Báo cáo kết quả khảo sát – %s", in->round.title);
	snprintf(p.footer, sizeof p.footer, "SIPAS Lạng Sơn – %s (%s)", in->round.title, in->round.code);
	if ((r = rd_open(fonts, out, title, in->date, &p.rd, err, errlen)) < 0)
		return r;
	if (in->only) {
		const struct report_agency *a = NULL;
		struct report_agency none;

		for (i = 0; i < in->nagencies; i++)
			if (!strcmp(in->agencies[i].code, in->only))
				a = &in->agencies[i];
		if (!a) {
			memset(&none, 0, sizeof none);
			none.code = in->only;
			none.name = in->only_name ? in->only_name : in->only;
			none.target = -1;
			a = &none;
		}
		rp_agency(&p, a);
	} else {
		rp_cover(&p);
		rp_summary(&p);
		rp_ranking(&p);
		rp_elements(&p);
		for (i = 0; i < in->nagencies; i++)
			rp_agency(&p, &in->agencies[i]);
		rp_annex(&p);
	}
	return rd_close(p.rd, err, errlen);
}
