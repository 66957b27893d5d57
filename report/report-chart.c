/* report-chart.c - the ranking chart: every agency's headline index with its interval, as the
 * dashboard draws it (a whisker and a dot, red when significantly below the baseline, hollow
 * when flagged, the baseline dashed), across as many pages as it needs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-internal.h"

#define ROW_H 15.0
#define LABEL_W 205.0
#define VALUE_W 34.0

struct rank {
	const struct report_agency *a;
	const struct est_estimate *e;
};

/* The dashboard's order: estimate descending, nulls last, then code. */
static int cmp_rank(const void *x, const void *y)
{
	const struct rank *a = x, *b = y;
	double u = a->e->estimate, v = b->e->estimate;

	if (isnan(u) != isnan(v))
		return isnan(u) ? 1 : -1;
	if (!isnan(u) && u != v)
		return u < v ? 1 : -1;
	return strcmp(a->a->code, b->a->code);
}

/* The axis: whole tens around every interval and the baseline (as the dashboard's). */
static void axis(const struct rank *r, size_t n, bool has_base, double base, double *amin, double *amax)
{
	double mn = has_base ? base : 100, mx = has_base ? base : 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double lo = isfinite(r[i].e->ci_low) ? r[i].e->ci_low : r[i].e->estimate;
		double hi = isfinite(r[i].e->ci_high) ? r[i].e->ci_high : r[i].e->estimate;

		if (isfinite(lo) && lo < mn)
			mn = lo;
		if (isfinite(hi) && hi > mx)
			mx = hi;
	}
	if (mn > mx) {
		mn = 0;
		mx = 100;
	}
	*amin = fmax(0, floor(mn / 10) * 10);
	*amax = fmin(100, ceil(mx / 10) * 10);
	if (*amax - *amin < 10) {
		*amin = fmax(0, *amin - 10);
		*amax = fmin(100, *amax + 10);
	}
}

struct scale {
	double x0, x1, amin, amax;
};

static double sx(const struct scale *s, double v)
{
	return s->x0 + (v - s->amin) / (s->amax - s->amin) * (s->x1 - s->x0);
}

/* The tick labels above the rows and the legend line. */
static void axis_head(struct rp *p, const struct scale *s)
{
	static const struct rd_font f = { 7, false, RD_GREY, RD_CENTER, true };
	double t, y = rd_y(p->rd);
	char b[16];

	for (t = s->amin; t <= s->amax + 1e-9; t += 10) {
		snprintf(b, sizeof b, "%.0f", t);
		rd_text(p->rd, sx(s, t) - 15, y, 30, &f, b);
	}
	rd_set_y(p->rd, y + 12);
}

static void legend(struct rp *p)
{
	const struct report_input *in = p->in;
	double x = RD_MARGIN, y = rd_y(p->rd) + 5;
	char b[32], text[300];

	rd_dot(p->rd, x + 4, y + 5, 3.5, RD_BLUE, RD_BLUE);
	rd_text(p->rd, x + 12, y, 150, &rf_small, "Ước lượng và khoảng tin cậy");
	x += 140;
	if (in->has_baseline) {
		rd_dot(p->rd, x + 4, y + 5, 3.5, RD_RED, RD_RED);
		rd_text(p->rd, x + 12, y, 150, &rf_small, "Thấp hơn mốc (p < 0,05)");
		x += 125;
		rd_line(p->rd, x + 4, y, x + 4, y + 10, 1.2, RD_BASE, 3);
		snprintf(text, sizeof text, "Mốc %s: %s%%", in->baseline_label, rp_num(b, sizeof b, in->baseline));
		rd_text(p->rd, x + 10, y, 120, &rf_small, text);
		x += 125;
	}
	rd_dot(p->rd, x + 4, y + 5, 3.5, RD_WHITE, RD_BLUE);
	rd_text(p->rd, x + 12, y, RD_PAGE_W - RD_MARGIN - x - 12, &rf_small, "* Chưa tin cậy");
	rd_set_y(p->rd, y + 18);
}

static void start_page(struct rp *p, const struct scale *s, bool first)
{
	rd_page(p->rd, p->footer);
	rd_para(p->rd, &rf_h1, first ? "Xếp hạng các cơ quan" : "Xếp hạng các cơ quan (tiếp)", 2);
	if (first) {
		char b[300];

		snprintf(b, sizeof b, "%s của từng cơ quan với khoảng tin cậy, từ cao xuống thấp.",
			 p->in->round.form->indices[0].label);
		rd_para(p->rd, &rf_small, b, 0);
	}
	legend(p);
	axis_head(p, s);
}

void rp_ranking(struct rp *p)
{
	const struct report_input *in = p->in;
	struct rank *r = calloc(in->nagencies ? in->nagencies : 1, sizeof *r);
	struct scale s;
	size_t i, n = 0;
	double top = 0, t;

	if (!r)
		return;
	for (i = 0; i < in->nagencies; i++)
		if (in->agencies[i].group)
			r[n++] = (struct rank){ &in->agencies[i], &in->agencies[i].group->est[0] };
	qsort(r, n, sizeof *r, cmp_rank);
	s.x0 = RD_MARGIN + LABEL_W;
	s.x1 = RD_PAGE_W - RD_MARGIN - VALUE_W - 6;
	axis(r, n, in->has_baseline, in->baseline, &s.amin, &s.amax);
	for (i = 0; i <= n; i++) {
		const struct est_estimate *e;
		double y;
		bool below, flagged;
		enum rd_colour col;
		char label[600], b[32];
		struct rd_font lf = rf_cell, vf = rf_cell_right;

		if (i == 0 || rd_y(p->rd) + ROW_H > RD_BOTTOM || i == n) {
			if (i > 0) {
				/* close the page's grid: the ticks and the baseline over its rows */
				double bottom = rd_y(p->rd);

				for (t = s.amin; t <= s.amax + 1e-9; t += 10)
					rd_line(p->rd, sx(&s, t), top, sx(&s, t), bottom, 0.5, RD_RULE, 0);
				if (in->has_baseline && in->baseline >= s.amin && in->baseline <= s.amax)
					rd_line(p->rd, sx(&s, in->baseline), top - 2, sx(&s, in->baseline), bottom, 1.1, RD_BASE, 3.5);
				if (i == n)
					break;
			}
			start_page(p, &s, i == 0);
			top = rd_y(p->rd);
			if (n == 0)
				break;
		}
		e = r[i].e;
		y = rd_y(p->rd) + ROW_H / 2;
		below = rp_below(in, e);
		flagged = rp_flagged(e);
		col = below ? RD_RED : RD_BLUE;
		snprintf(label, sizeof label, "%zu. %s%s", i + 1, r[i].a->name, flagged ? " *" : "");
		lf.colour = below ? RD_RED : RD_INK;
		rd_text(p->rd, RD_MARGIN, y - 5, LABEL_W - 8, &lf, label);
		if (isfinite(e->ci_low) && isfinite(e->ci_high)) {
			rd_line(p->rd, sx(&s, e->ci_low), y, sx(&s, e->ci_high), y, 1.4, col, 0);
			rd_line(p->rd, sx(&s, e->ci_low), y - 3.5, sx(&s, e->ci_low), y + 3.5, 1.4, col, 0);
			rd_line(p->rd, sx(&s, e->ci_high), y - 3.5, sx(&s, e->ci_high), y + 3.5, 1.4, col, 0);
		}
		if (isfinite(e->estimate))
			rd_dot(p->rd, sx(&s, e->estimate), y, 3.5, flagged ? RD_WHITE : col, col);
		vf.colour = lf.colour;
		rd_text(p->rd, RD_PAGE_W - RD_MARGIN - VALUE_W, y - 5, VALUE_W, &vf, rp_num(b, sizeof b, e->estimate));
		rd_set_y(p->rd, rd_y(p->rd) + ROW_H);
	}
	free(r);
}
