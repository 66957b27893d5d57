/* dashboard-rounds.c - the dashboard's sections on other rounds of the same form: per agency,
 * this round against another (the difference and whether it is significant, the
 * independent-samples test of est_compare_rounds), and an agency's trend over every round
 * (a table and an inline SVG chart whose marks carry the table's strings in data-*). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "db-surveys.h"
#include "est-rounds.h"
#include "form-cache.h"
#include "page.h"

#define SIG_LEVEL 0.05

struct round_ref {
	char code[DB_SURVEY_CODE_MAX];
	char title[DB_SURVEY_TITLE_MAX];
};

struct rounds {
	struct round_ref r[DB_SURVEY_ROUNDS_MAX];
	size_t n;
};

static int add_round(void *ud, const char *code, const char *title)
{
	struct rounds *rs = ud;

	if (rs->n == DB_SURVEY_ROUNDS_MAX)
		return 0;
	snprintf(rs->r[rs->n].code, sizeof rs->r[rs->n].code, "%s", code);
	snprintf(rs->r[rs->n].title, sizeof rs->r[rs->n].title, "%s", title);
	rs->n++;
	return 0;
}

/* The rounds of x's form, oldest first, and the position of x's own (-1 if missing). */
static int load_rounds(struct analyst_ctx *x, struct rounds *rs, long *me)
{
	size_t i;
	int r;

	rs->n = 0;
	if ((r = db_survey_rounds_each(x->c, x->fe->survey.id, add_round, rs)) < 0)
		return r;
	*me = -1;
	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].code, x->fe->survey.code))
			*me = (long)i;
	return 0;
}

/* The agency's group in e, or NULL. */
static const struct est_report_group *group_of(const struct analyst_est *e, const char *agency)
{
	size_t i;

	for (i = 1; i < e->ngroups; i++)
		if (!strcmp(e->groups[i].by_values[0], agency))
			return &e->groups[i];
	return NULL;
}

/* Computes round fe by agency into e with x->est[0]'s options; on failure writes a notice
 * (the page still shows) and returns 1; 0 on success; a negative errno. */
static int other_by_agency(struct strbuf *sb, struct http_req *req, struct analyst_ctx *x, const char *code,
			   const struct form_entry **fe, struct analyst_est *e)
{
	struct est_error err = { "", "", "" };
	int r;

	e->opt = x->est[0].opt;
	e->by = x->est[0].by;
	r = analyst_round(req, x, code, fe, &err);
	if (r >= 0)
		r = analyst_compute_round(x, *fe, e);
	if (r == -EBUSY || r == -ENOENT || r == -EINVAL) {
		strbuf_puts(sb, "<p class=\"notice\">Chưa tính được số liệu của đợt ");
		html_escape(sb, code);
		strbuf_puts(sb, r == -EBUSY ? ": số liệu đang được cập nhật, xin thử lại sau.</p>" : ".</p>");
		return 1;
	}
	return r < 0 ? r : 0;
}

static void compare_row(struct strbuf *sb, const char *key, const char *label_html, const struct est_estimate *a,
			const struct est_estimate *b)
{
	struct est_contrast c;
	char b1[32], b2[32], b3[32], b4[32];
	bool sig;

	est_compare_rounds(a, b, &c);
	sig = isfinite(c.p_value) && c.p_value < SIG_LEVEL;
	strbuf_puts(sb, "<tr data-agency=\"");
	html_escape(sb, key);
	strbuf_printf(sb, "\" data-significant=\"%d\"%s><td>%s</td>", sig,
		      sig ? (c.diff > 0 ? " class=\"up\"" : " class=\"below\"") : "", label_html);
	strbuf_printf(sb, "<td class=\"num\" data-col=\"estimate\">%s</td><td class=\"num\" data-col=\"against\">%s</td>"
		      "<td class=\"num\" data-col=\"diff\">%s</td><td class=\"num\" data-col=\"p\">%s</td><td>%s</td></tr>",
		      dash_fmt1(b1, sizeof b1, c.est_a), dash_fmt1(b2, sizeof b2, c.est_b),
		      dash_fmt_signed(b3, sizeof b3, c.diff), dash_fmt_p(b4, sizeof b4, c.p_value),
		      !isfinite(c.diff) ? "Chưa đủ số liệu" : !sig ? "Chưa khác biệt có ý nghĩa thống kê"
		      : c.diff > 0 ? "Tăng có ý nghĩa thống kê" : "Giảm có ý nghĩa thống kê");
}

int dash_rounds_section(struct strbuf *sb, struct http_req *req, struct analyst_ctx *x)
{
	const char *want = http_query(req, "against");
	struct analyst_est *e0 = &x->est[0], *e1 = &x->est[1];
	struct rounds *rs = calloc(1, sizeof *rs);
	long me, other = -1;
	size_t i;
	int r;

	if (!rs)
		return -ENOMEM;
	if ((r = load_rounds(x, rs, &me)) < 0)
		goto out;
	if (want) {
		for (i = 0; i < rs->n; i++)
			if ((long)i != me && !strcmp(rs->r[i].code, want))
				other = (long)i;
		if (other < 0) {
			r = http_reply_error(req, 404, "not_found", "Không có đợt khảo sát cùng phiếu này để so sánh.");
			goto out;
		}
	} else if (me > 0) {
		other = me - 1;
	}
	strbuf_puts(sb, "<h2 id=\"so-dot\">So với đợt khảo sát khác</h2>");
	if (rs->n > 1) {
		strbuf_puts(sb, "<form method=\"get\" class=\"against\" action=\"#so-dot\"><label>So với đợt <select name=\"against\">");
		for (i = 0; i < rs->n; i++) {
			if ((long)i == me)
				continue;
			strbuf_puts(sb, "<option value=\"");
			html_escape(sb, rs->r[i].code);
			strbuf_puts(sb, (long)i == other ? "\" selected>" : "\">");
			html_escape(sb, rs->r[i].title);
			strbuf_puts(sb, " (");
			html_escape(sb, rs->r[i].code);
			strbuf_puts(sb, ")</option>");
		}
		strbuf_puts(sb, "</select></label> <button type=\"submit\">Xem</button></form>");
	}
	if (other < 0) {
		strbuf_puts(sb, "<p class=\"notice\" id=\"no-other-round\">Chưa có đợt trước của cùng phiếu khảo sát để so sánh.</p>");
		r = 0;
		goto out;
	}
	if ((r = other_by_agency(sb, req, x, rs->r[other].code, &x->other, e1)) != 0) {
		r = r > 0 ? 0 : r;
		goto out;
	}
	strbuf_puts(sb, "<p>");
	html_escape(sb, x->fe->form->indices[0].label);
	strbuf_puts(sb, " của đợt này so với đợt <strong id=\"against-round\" data-code=\"");
	html_escape(sb, rs->r[other].code);
	strbuf_puts(sb, "\">");
	html_escape(sb, rs->r[other].title);
	strbuf_puts(sb, "</strong>; kiểm định hai mẫu độc lập, mức ý nghĩa 0,05. Chỉ các cơ quan có phiếu ở cả hai đợt.</p>"
		    "<div class=\"scroll\"><table id=\"rounds-table\"><thead><tr><th scope=\"col\">Cơ quan</th>"
		    "<th scope=\"col\">Đợt này (%)</th><th scope=\"col\">Đợt so sánh (%)</th><th scope=\"col\">Chênh lệch (điểm)</th>"
		    "<th scope=\"col\">p</th><th scope=\"col\">Kết luận</th></tr></thead><tbody>");
	compare_row(sb, "", "<strong>Toàn đợt</strong>", &e0->groups[0].group->est[0], &e1->groups[0].group->est[0]);
	for (i = 1; i < e0->ngroups; i++) {
		const char *code = e0->groups[i].by_values[0];
		const struct est_report_group *gb = group_of(e1, code);
		const struct est_agency *ag = est_agencies_by_code(&x->ag, code);
		struct strbuf lab;

		if (!gb)
			continue;
		strbuf_init(&lab, 0);
		html_escape(&lab, ag ? ag->name : code);
		compare_row(sb, code, strbuf_str(&lab), &e0->groups[i].group->est[0], &gb->group->est[0]);
		strbuf_done(&lab);
	}
	strbuf_puts(sb, "</tbody></table></div>");
	r = 0;
out:
	free(rs);
	return r;
}

/* ---- an agency's trend ---- */

struct point {
	const struct round_ref *round;
	bool has, current;
	struct est_estimate e;
};

static void trend_chart(struct strbuf *sb, const struct point *pt, size_t n, const char *name)
{
	const double W = 640, H = 260, left = 40, right = 20, top = 20, bottom = 40;
	double lo[DB_SURVEY_ROUNDS_MAX], hi[DB_SURVEY_ROUNDS_MAX], amin, amax, t, step;
	char b1[32], b2[32], b3[32];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		lo[k] = pt[i].has ? (isfinite(pt[i].e.ci_low) ? pt[i].e.ci_low : pt[i].e.estimate) : NAN;
		hi[k++] = pt[i].has ? (isfinite(pt[i].e.ci_high) ? pt[i].e.ci_high : pt[i].e.estimate) : NAN;
	}
	dash_axis_range(lo, hi, n, NAN, &amin, &amax);
	step = n > 1 ? (W - left - right) / (double)(n - 1) : 0;
#define X(i) (n > 1 ? left + step * (double)(i) : (W + left - right) / 2)
#define Y(v) (top + (amax - (v)) / (amax - amin) * (H - top - bottom))
	strbuf_printf(sb, "<svg class=\"chart trend\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", W, H);
	html_escape(sb, name);
	strbuf_puts(sb, ": chỉ số hài lòng qua các đợt, với khoảng tin cậy 95%\" xmlns=\"http://www.w3.org/2000/svg\""
		    " font-size=\"12\" font-family=\"system-ui,sans-serif\">");
	for (t = amin; t <= amax + 1e-9; t += 10)
		strbuf_printf(sb, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e6ea\"/>"
			      "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%.0f</text>",
			      left - 10, W - right + 10, Y(t), Y(t), left - 14, Y(t) + 4, t);
	strbuf_puts(sb, "<polyline fill=\"none\" stroke=\"#1f4e79\" stroke-width=\"1.5\" points=\"");
	for (i = 0; i < n; i++)
		if (pt[i].has && isfinite(pt[i].e.estimate))
			strbuf_printf(sb, "%.1f,%.1f ", X(i), Y(pt[i].e.estimate));
	strbuf_puts(sb, "\"/>");
	for (i = 0; i < n; i++) {
		const struct est_estimate *e = &pt[i].e;
		bool flagged = pt[i].has && e->flags != 0;
		const char *v, *l, *u;

		strbuf_puts(sb, "<g class=\"mark\" data-key=\"");
		html_escape(sb, pt[i].round->code);
		v = dash_fmt1(b1, sizeof b1, pt[i].has ? e->estimate : NAN);
		l = dash_fmt1(b2, sizeof b2, pt[i].has ? e->ci_low : NAN);
		u = dash_fmt1(b3, sizeof b3, pt[i].has ? e->ci_high : NAN);

		strbuf_printf(sb, "\" data-estimate=\"%s\" data-low=\"%s\" data-high=\"%s\" data-flag=\"%d\"><title>",
			      v, l, u, flagged);
		html_escape(sb, pt[i].round->title);
		strbuf_printf(sb, ": %s%% (%s – %s)</title><text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"%s\">",
			      v, l, u, X(i), H - bottom + 18, pt[i].current ? "#1b1b1b" : "#555");
		html_escape(sb, pt[i].round->code);
		strbuf_puts(sb, "</text>");
		if (pt[i].has && isfinite(e->ci_low) && isfinite(e->ci_high))
			strbuf_printf(sb, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#1f4e79\" stroke-width=\"2\"/>",
				      X(i), X(i), Y(e->ci_low), Y(e->ci_high));
		if (pt[i].has && isfinite(e->estimate))
			strbuf_printf(sb, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\" stroke=\"#1f4e79\" stroke-width=\"2\"/>",
				      X(i), Y(e->estimate), pt[i].current ? 6 : 5, flagged ? "#fff" : "#1f4e79");
		strbuf_puts(sb, "</g>");
	}
#undef X
#undef Y
	strbuf_puts(sb, "</svg>");
}

int dash_trend_section(struct strbuf *sb, struct http_req *req, struct analyst_ctx *x, const char *agency)
{
	const struct est_agency *ag = est_agencies_by_code(&x->ag, agency);
	struct rounds *rs = calloc(1, sizeof *rs);
	struct point *pt = calloc(DB_SURVEY_ROUNDS_MAX, sizeof *pt);
	char b1[32], b2[32], b3[32];
	size_t i;
	long me;
	int r;

	if (!rs || !pt) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = load_rounds(x, rs, &me)) < 0)
		goto out;
	strbuf_puts(sb, "<h2 id=\"dien-bien\">Diễn biến qua các đợt</h2>");
	for (i = 0; i < rs->n; i++) {
		const struct est_report_group *found;
		struct analyst_est e;
		const struct form_entry *fe = NULL;

		pt[i].round = &rs->r[i];
		pt[i].current = (long)i == me;
		if (pt[i].current) {
			found = group_of(&x->est[0], agency);
			if ((pt[i].has = found != NULL))
				pt[i].e = found->group->est[0];
			continue;
		}
		memset(&e, 0, sizeof e);
		r = other_by_agency(sb, req, x, rs->r[i].code, &fe, &e);
		if (r == 0 && (found = group_of(&e, agency))) {
			pt[i].has = true;
			pt[i].e = found->group->est[0];
		}
		analyst_est_done(&e);
		form_cache_put(fe);
		if (r < 0)
			goto out;
	}
	trend_chart(sb, pt, rs->n, ag ? ag->name : agency);
	strbuf_puts(sb, "<div class=\"scroll\"><table id=\"trend-table\"><thead><tr><th scope=\"col\">Đợt</th>"
		    "<th scope=\"col\">Tỷ lệ hài lòng (%)</th><th scope=\"col\">Cận dưới</th><th scope=\"col\">Cận trên</th>"
		    "<th scope=\"col\">Số phiếu</th></tr></thead><tbody>");
	for (i = 0; i < rs->n; i++) {
		const struct est_estimate *e = &pt[i].e;

		strbuf_puts(sb, "<tr data-key=\"");
		html_escape(sb, rs->r[i].code);
		strbuf_puts(sb, pt[i].current ? "\" class=\"current\"><td>" : "\"><td>");
		html_escape(sb, rs->r[i].title);
		strbuf_puts(sb, " (");
		html_escape(sb, rs->r[i].code);
		if (!pt[i].has) {
			strbuf_puts(sb, ")</td><td colspan=\"4\">Không có phiếu của cơ quan trong đợt này</td></tr>");
			continue;
		}
		strbuf_printf(sb, ")</td><td class=\"num\" data-col=\"estimate\">%s</td><td class=\"num\" data-col=\"low\">%s</td>"
			      "<td class=\"num\" data-col=\"high\">%s</td><td class=\"num\">%llu</td></tr>",
			      dash_fmt1(b1, sizeof b1, e->estimate), dash_fmt1(b2, sizeof b2, e->ci_low),
			      dash_fmt1(b3, sizeof b3, e->ci_high), (unsigned long long)e->n);
	}
	strbuf_puts(sb, "</tbody></table></div>");
	r = 0;
out:
	free(rs);
	free(pt);
	return r;
}
