/* handlers-dashboard.c - GET /dashboard/{survey} and /dashboard/{survey}/agency/{code}: the
 * analysts' page, server-rendered (Vietnamese, inline SVG, no script, no external resource).
 *
 * Every chart has a table with the same numbers (one decimal, decimal comma); the chart's marks
 * carry the same strings in data-* attributes so that a test can compare the two. The page
 * uses lonely_psu=adjust so that an agency with a single response early in fieldwork does not
 * hide the others (the API's default is R's `fail`). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst.h"
#include "app.h"
#include "dashboard.h"
#include "db-estimates.h"
#include "db.h"
#include "handlers.h"
#include "page.h"
#include "progress.h"

#define SIG_LEVEL 0.05

size_t dash_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

const char *dash_fmt1(char *buf, size_t len, double v)
{
	char *p;

	/* always into buf: callers print buf again after the call */
	if (!isfinite(v)) {
		snprintf(buf, len, "–");
		return buf;
	}
	snprintf(buf, len, "%.1f", v);
	if (!strcmp(buf, "-0.0"))
		memmove(buf, buf + 1, sizeof "0.0");     /* drop the sign of a rounded zero */
	p = strchr(buf, '.');
	if (p)
		*p = ',';
	return buf;
}

const char *dash_fmt_signed(char *buf, size_t len, double v)
{
	char tmp[24];

	if (!isfinite(v)) {
		snprintf(buf, len, "–");
		return buf;
	}
	dash_fmt1(tmp, sizeof tmp, v);
	snprintf(buf, len, "%s%s", v > 0 && strcmp(tmp, "0,0") ? "+" : "", tmp);
	return buf;
}

const char *dash_fmt_p(char *buf, size_t len, double p)
{
	char *d;

	snprintf(buf, len, !isfinite(p) ? "–" : "&lt; 0,001");
	if (!isfinite(p) || p < 0.001)
		return buf;
	snprintf(buf, len, "%.3f", p);
	if ((d = strchr(buf, '.')))
		*d = ',';
	return buf;
}

static bool below_baseline(const struct est_estimate *e)
{
	return est_baseline_significant(e, SIG_LEVEL) && e->diff < 0;
}

/* Browsers without credentials go to /login; other roles get 403. Returns 0 or a status. */
static int dash_auth(struct http_req *req)
{
	static const char hex[] = "0123456789ABCDEF";
	char loc[16 + 3 * sizeof req->path];
	size_t o, i;

	if (req->auth.role == 0) {
		/* the page to come back to, percent-encoded */
		o = (size_t)snprintf(loc, sizeof loc, "/login?next=");
		for (i = 0; req->path[i] && o + 4 < sizeof loc; i++) {
			unsigned char ch = (unsigned char)req->path[i];

			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			    strchr("/-._~", ch)) {
				loc[o++] = (char)ch;
			} else {
				loc[o++] = '%';
				loc[o++] = hex[ch >> 4];
				loc[o++] = hex[ch & 15];
			}
		}
		loc[o] = '\0';
		return http_redirect(req, loc);
	}
	if (req->auth.role != ROLE_ADMIN && req->auth.role != ROLE_ANALYST)
		return http_reply_error(req, 403, "forbidden", "Trang này dành cho cán bộ phân tích và quản trị.");
	return 0;
}

/* Computes the round's estimates by agency for the page. Returns 0 or a status / errno. */
static int dash_estimates(struct http_req *req, struct analyst_ctx **out)
{
	struct analyst_ctx *x = NULL;
	int r;

	if ((r = analyst_open_read(req, req->params[0], true, &x)) != 0)
		return r;
	r = analyst_compute_dashboard(x);
	if (r == -EINVAL)
		return analyst_est_error(req, &x->err);
	if (r < 0)
		return r;
	*out = x;
	return 0;
}

static void page_top(struct strbuf *sb, struct http_req *req, struct analyst_ctx *x, const char *title)
{
	page_begin(sb, PAGE_STAFF, title);
	strbuf_puts(sb, "<div class=\"top\"><p>Đợt khảo sát <strong>");
	html_escape(sb, x->fe->survey.title);
	strbuf_puts(sb, "</strong> (");
	html_escape(sb, x->fe->survey.code);
	strbuf_puts(sb, ")</p><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_escape(sb, req->auth.via_session ? req->auth.csrf : "");
	strbuf_puts(sb, "\"><span>");
	html_escape(sb, req->auth.name);
	strbuf_puts(sb, "</span> <button type=\"submit\">Đăng xuất</button></form></div>");
}

/* ---- the ranking chart ---- */

void dash_axis_range(const double *lo, const double *hi, size_t n, double base, double *amin, double *amax)
{
	double mn = isfinite(base) ? base : 100, mx = isfinite(base) ? base : 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (isfinite(lo[i]) && lo[i] < mn)
			mn = lo[i];
		if (isfinite(hi[i]) && hi[i] > mx)
			mx = hi[i];
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

struct mark {
	const char *key;          /* data-key */
	const char *label;        /* the row label (escaped when written) */
	const struct est_estimate *e;
};

/* An SVG with one row per mark: the interval as a whisker, the estimate as a dot (red when
 * significantly below the baseline, hollow when flagged), and the baseline as a dashed line. */
static void chart(struct strbuf *sb, const struct mark *m, size_t n, bool has_base, double base,
		  const char *aria)
{
	const double W = 640, right = 20, rowh = 24, top = 28;
	double H = top + rowh * (double)(n ? n : 1) + 30, amin, amax, *lo, *hi, left = 150;
	char b1[32], b2[32], b3[32];
	size_t i;
	double t;

	lo = calloc(n ? n : 1, sizeof *lo);
	hi = calloc(n ? n : 1, sizeof *hi);
	if (!lo || !hi) {
		free(lo);
		free(hi);
		return;
	}
	for (i = 0; i < n; i++) {
		lo[i] = isfinite(m[i].e->ci_low) ? m[i].e->ci_low : m[i].e->estimate;
		hi[i] = isfinite(m[i].e->ci_high) ? m[i].e->ci_high : m[i].e->estimate;
	}
	/* room for the longest label (agency names), at most half the width */
	for (i = 0; i < n; i++)
		left = fmin(W / 2, fmax(left, 24 + 6.5 * (double)dash_chars(m[i].label)));
	dash_axis_range(lo, hi, n, has_base ? base : NAN, &amin, &amax);
#define X(v) (left + ((v) - amin) / (amax - amin) * (W - left - right))
	strbuf_printf(sb, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", W, H);
	html_escape(sb, aria);
	strbuf_puts(sb, "\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" font-family=\"system-ui,sans-serif\">");
	for (t = amin; t <= amax + 1e-9; t += 10) {
		strbuf_printf(sb, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#e3e6ea\"/>"
			      "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#555\">%.0f</text>",
			      X(t), X(t), top - 6, H - 24, X(t), H - 8, t);
	}
	if (has_base && base >= amin && base <= amax)
		strbuf_printf(sb, "<line class=\"baseline\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#333\""
			      " stroke-dasharray=\"5 4\" stroke-width=\"1.5\"/><text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\""
			      " fill=\"#333\">Mốc %s</text>", X(base), X(base), top - 14, H - 24, X(base), top - 16 + 4,
			      dash_fmt1(b1, sizeof b1, base));
	for (i = 0; i < n; i++) {
		const struct est_estimate *e = m[i].e;
		double y = top + rowh * (double)i + rowh / 2;
		bool below = has_base && below_baseline(e), flagged = e->flags != 0;
		const char *col = below ? "#a4161a" : "#1f4e79";

		strbuf_printf(sb, "<g class=\"mark\" data-key=\"");
		html_escape(sb, m[i].key);
		strbuf_printf(sb, "\" data-estimate=\"%s\" data-low=\"%s\" data-high=\"%s\" data-below=\"%d\" data-flag=\"%d\">",
			      dash_fmt1(b1, sizeof b1, e->estimate), dash_fmt1(b2, sizeof b2, e->ci_low),
			      dash_fmt1(b3, sizeof b3, e->ci_high), below, flagged);
		strbuf_puts(sb, "<title>");
		html_escape(sb, m[i].label);
		strbuf_printf(sb, ": %s%% (%s – %s)%s</title>", b1, b2, b3, flagged ? " – chưa tin cậy" : "");
		strbuf_printf(sb, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">", left - 8, y + 4,
			      below ? "#a4161a" : "#1b1b1b");
		html_escape(sb, m[i].label);
		strbuf_printf(sb, "%s</text>", flagged ? " *" : "");
		if (isfinite(e->ci_low) && isfinite(e->ci_high))
			strbuf_printf(sb, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
				      "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
				      "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>",
				      X(e->ci_low), X(e->ci_high), y, y, col, X(e->ci_low), X(e->ci_low), y - 5, y + 5, col,
				      X(e->ci_high), X(e->ci_high), y - 5, y + 5, col);
		if (isfinite(e->estimate))
			strbuf_printf(sb, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"2\"/>",
				      X(e->estimate), y, flagged ? "#fff" : col, col);
		strbuf_puts(sb, "</g>");
	}
#undef X
	strbuf_puts(sb, "</svg>");
	free(lo);
	free(hi);
}

static void legend(struct strbuf *sb, struct analyst_ctx *x)
{
	char b[32];

	strbuf_puts(sb, "<ul class=\"legend\"><li><svg width=\"14\" height=\"14\" aria-hidden=\"true\"><circle cx=\"7\" cy=\"7\""
		    " r=\"5\" fill=\"#1f4e79\"/></svg> Ước lượng và khoảng tin cậy 95%</li>");
	if (x->has_baseline) {
		strbuf_puts(sb, "<li class=\"below\"><svg width=\"14\" height=\"14\" aria-hidden=\"true\"><circle cx=\"7\" cy=\"7\""
			    " r=\"5\" fill=\"#a4161a\"/></svg> Thấp hơn mốc có ý nghĩa thống kê (p &lt; 0,05)</li>");
		strbuf_puts(sb, "<li><svg width=\"20\" height=\"14\" aria-hidden=\"true\"><line x1=\"10\" x2=\"10\" y1=\"0\""
			    " y2=\"14\" stroke=\"#333\" stroke-dasharray=\"3 2\" stroke-width=\"1.5\"/></svg> Mốc ");
		html_escape(sb, x->baseline_label[0] ? x->baseline_label : "so sánh");
		strbuf_printf(sb, ": %s%%</li>", dash_fmt1(b, sizeof b, x->baseline));
	}
	strbuf_puts(sb, "<li class=\"flag\"><svg width=\"14\" height=\"14\" aria-hidden=\"true\"><circle cx=\"7\" cy=\"7\""
		    " r=\"5\" fill=\"#fff\" stroke=\"#1f4e79\" stroke-width=\"2\"/></svg> * Chưa tin cậy: dưới 30 phiếu"
		    " hoặc khoảng tin cậy rộng hơn 20 điểm</li></ul>");
}

static const char *flag_text(unsigned flags)
{
	if (flags & EST_FLAG_NO_ANSWERS)
		return "Chưa có câu trả lời";
	if (flags & (EST_FLAG_SMALL_N | EST_FLAG_WIDE | EST_FLAG_NO_DF | EST_FLAG_DEGENERATE))
		return "Chưa tin cậy";
	return "";
}

/* One table row with the chart's numbers. */
static void table_row(struct strbuf *sb, const char *key, const char *rank, const char *label_html,
		      const struct est_estimate *e, bool has_base)
{
	char b1[32], b2[32], b3[32], b4[32], b5[32];
	bool below = has_base && below_baseline(e);

	strbuf_puts(sb, "<tr data-key=\"");
	html_escape(sb, key);
	strbuf_puts(sb, below ? "\" class=\"below\">" : "\">");
	if (rank)
		strbuf_printf(sb, "<td class=\"num\">%s</td>", rank);
	strbuf_printf(sb, "<td>%s</td><td class=\"num\" data-col=\"estimate\">%s</td><td class=\"num\" data-col=\"low\">%s</td>"
		      "<td class=\"num\" data-col=\"high\">%s</td><td class=\"num\">%llu</td>",
		      label_html, dash_fmt1(b1, sizeof b1, e->estimate), dash_fmt1(b2, sizeof b2, e->ci_low),
		      dash_fmt1(b3, sizeof b3, e->ci_high), (unsigned long long)e->n);
	if (has_base)
		strbuf_printf(sb, "<td class=\"num\">%s</td><td class=\"num\">%s</td>", dash_fmt_signed(b4, sizeof b4, e->diff),
			      dash_fmt_p(b5, sizeof b5, est_baseline_pvalue(e)));
	strbuf_printf(sb, "<td>%s%s</td></tr>", below ? "Thấp hơn mốc. " : "", flag_text(e->flags));
}

static void table_head(struct strbuf *sb, bool rank, const char *what, bool has_base)
{
	strbuf_printf(sb, "<div class=\"scroll\"><table><thead><tr>%s<th scope=\"col\">%s</th><th scope=\"col\">Tỷ lệ hài lòng (%%)</th>"
		      "<th scope=\"col\">Cận dưới</th><th scope=\"col\">Cận trên</th><th scope=\"col\">Số phiếu</th>%s"
		      "<th scope=\"col\">Ghi chú</th></tr></thead><tbody>",
		      rank ? "<th scope=\"col\">Hạng</th>" : "", what,
		      has_base ? "<th scope=\"col\">So với mốc (điểm)</th><th scope=\"col\">p</th>" : "");
}

/* ---- fieldwork progress ---- */

/* A cell with the share of the target reached: "81,4%", or "–" without a target. */
static void share_cell(struct strbuf *sb, const struct progress_row *row)
{
	char b[32];

	strbuf_printf(sb, "<td class=\"num\">%s%s</td>", row->target > 0 ? dash_fmt1(b, sizeof b, 100.0 * progress_share(row)) : "–",
		      row->target > 0 ? "%" : "");
}

/* The invitations' cells: invited, used, not yet used, response rate ("–" without invitations). */
static void invites_cells(struct strbuf *sb, const struct progress_row *row)
{
	char b[32];

	if (row->invited == 0) {
		strbuf_puts(sb, "<td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">–</td>");
		return;
	}
	strbuf_printf(sb, "<td class=\"num\">%lld</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
		      "<td class=\"num\">%s%%</td>", row->invited, row->used, row->invited - row->used,
		      dash_fmt1(b, sizeof b, 100.0 * progress_response_rate(row)));
}

/* The table of progress by agency: every agency, or only one (no total row then). */
static int progress_section(struct strbuf *sb, struct analyst_ctx *x, const char *only)
{
	struct progress rows = { NULL, 0, 0 }, p = { NULL, 0, 0 };
	struct progress_row sum = { .target = 0 };
	size_t i, k;
	int r;

	if ((r = progress_load(x->c, x->fe->survey.id, &rows)) < 0)
		return r;
	r = progress_by_agency(&rows, only, &p);
	progress_done(&rows);
	if (r < 0)
		return r;
	strbuf_puts(sb, "<h2 id=\"tien-do\">Tiến độ điều tra</h2><div class=\"scroll\"><table><thead><tr>"
		    "<th scope=\"col\">Cơ quan</th><th scope=\"col\">Tổng thể</th><th scope=\"col\">Chỉ tiêu</th>");
	for (k = 0; k < FORM_NCHANNELS; k++)
		strbuf_printf(sb, "<th scope=\"col\">%s</th>", form_channels[k].label);
	strbuf_puts(sb, "<th scope=\"col\">Tổng</th><th scope=\"col\">Hoàn thành</th><th scope=\"col\">Thư mời</th>"
		    "<th scope=\"col\">Đã dùng mã</th><th scope=\"col\">Chưa trả lời</th>"
		    "<th scope=\"col\">Tỷ lệ phản hồi</th></tr></thead><tbody>");
	for (i = 0; i < p.n; i++) {
		const struct progress_row *a = &p.rows[i];
		const struct est_agency *ag = est_agencies_by_code(&x->ag, a->agency);

		strbuf_puts(sb, "<tr><td>");
		html_escape(sb, ag ? ag->name : a->agency);
		strbuf_puts(sb, "</td>");
		if (a->population > 0)
			strbuf_printf(sb, "<td class=\"num\">%lld</td>", a->population);
		else
			strbuf_puts(sb, "<td class=\"num\">–</td>");
		if (a->target > 0)
			strbuf_printf(sb, "<td class=\"num\">%lld</td>", a->target);
		else
			strbuf_puts(sb, "<td class=\"num\">–</td>");
		for (k = 0; k < FORM_NCHANNELS; k++)
			strbuf_printf(sb, "<td class=\"num\">%lld</td>", a->n[k]);
		strbuf_printf(sb, "<td class=\"num\">%lld</td>", a->total);
		share_cell(sb, a);
		invites_cells(sb, a);
		strbuf_puts(sb, "</tr>");
		progress_row_add(&sum, a);
	}
	if (!only) {
		strbuf_printf(sb, "<tr><th scope=\"row\">Tổng</th><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
			      "<td colspan=\"%d\"></td><td class=\"num\">%lld</td>", sum.population, sum.target,
			      FORM_NCHANNELS, sum.total);
		share_cell(sb, &sum);
		invites_cells(sb, &sum);
		strbuf_puts(sb, "</tr>");
	}
	strbuf_puts(sb, "</tbody></table></div>");
	progress_done(&p);
	return 0;
}

/* ---- pages ---- */

static void headline(struct strbuf *sb, struct analyst_ctx *x, const struct est_group *g)
{
	const struct est_estimate *e = &g->est[0];
	char b1[32], b2[32], b3[32], b4[32], b5[32];

	strbuf_puts(sb, "<div class=\"cards\"><div class=\"card\" id=\"headline\"><div>");
	html_escape(sb, x->fe->form->indices[0].label);
	strbuf_printf(sb, " – toàn đợt</div><div class=\"big\" data-estimate=\"%s\">%s%%</div>"
		      "<div>Khoảng tin cậy 95%%: <span data-low=\"%s\">%s</span> – <span data-high=\"%s\">%s</span></div>"
		      "<div>%llu phiếu</div></div>", dash_fmt1(b1, sizeof b1, e->estimate), b1, dash_fmt1(b2, sizeof b2, e->ci_low), b2,
		      dash_fmt1(b3, sizeof b3, e->ci_high), b3, (unsigned long long)g->n);
	if (x->has_baseline) {
		strbuf_puts(sb, "<div class=\"card\" id=\"baseline\"><div>So với mốc ");
		html_escape(sb, x->baseline_label[0] ? x->baseline_label : "");
		strbuf_printf(sb, " (%s%%)</div><div class=\"big\">%s điểm</div><div>p = %s: ", dash_fmt1(b1, sizeof b1, x->baseline),
			      dash_fmt_signed(b4, sizeof b4, e->diff), dash_fmt_p(b5, sizeof b5, est_baseline_pvalue(e)));
		if (est_baseline_significant(e, SIG_LEVEL))
			strbuf_puts(sb, e->diff > 0 ? "cao hơn mốc có ý nghĩa thống kê" : "thấp hơn mốc có ý nghĩa thống kê");
		else
			strbuf_puts(sb, "chưa khác biệt có ý nghĩa thống kê");
		strbuf_puts(sb, "</div></div>");
	}
	strbuf_puts(sb, "</div>");
}

/* The downloads; the codebook is the upload area's route. */
static void downloads(struct strbuf *sb, const char *code)
{
	strbuf_puts(sb, "<h2 id=\"tai-ve\">Tải dữ liệu</h2><nav class=\"dl\">");
	strbuf_printf(sb, "<a href=\"/api/v1/surveys/%s/responses.csv\">Dữ liệu phiếu (responses.csv)</a> "
		      "<a href=\"/api/v1/surveys/%s/estimates?by=agency&amp;format=csv\">Ước lượng theo cơ quan (CSV)</a> "
		      "<a href=\"/api/v1/surveys/%s/frame.csv\">Khung mẫu (frame.csv)</a> "
		      "<a href=\"/api/v1/surveys/%s/progress?format=csv\">Tiến độ (CSV)</a> "
		      "<a href=\"/api/v1/surveys/%s/codebook.csv\">Sổ mã (codebook.csv)</a>",
		      code, code, code, code, code);
	strbuf_printf(sb, " <a href=\"/api/v1/surveys/%s/responses.xlsx\">Dữ liệu phiếu (Excel)</a> "
		      "<a href=\"/api/v1/surveys/%s/responses.sav\">Dữ liệu phiếu (SPSS)</a> "
		      "<a href=\"/api/v1/surveys/%s/responses.dta\">Dữ liệu phiếu (Stata)</a> "
		      "<a href=\"/api/v1/surveys/%s/estimates.xlsx?by=agency\">Ước lượng theo cơ quan (Excel)</a>",
		      code, code, code, code);
	strbuf_puts(sb, "</nav>");
}

int handle_dashboard(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	struct analyst_est *e;
	struct analyst_ranked *rk = NULL;
	struct mark *mk = NULL;
	struct strbuf sb;
	struct strbuf title;
	char rank[24];
	size_t i, n;
	int r;

	if ((r = dash_auth(req)) != 0)
		return r;
	if ((r = dash_estimates(req, &x)) != 0)
		return r;
	e = &x->est[0];
	n = e->ngroups - 1;
	rk = analyst_rank(x, e);
	mk = calloc(n ? n : 1, sizeof *mk);
	if (!rk || !mk) {
		free(rk);
		free(mk);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		mk[i] = (struct mark){ rk[i].g->by_values[0], rk[i].a ? rk[i].a->name : rk[i].g->by_values[0],
				       &rk[i].g->group->est[0] };

	strbuf_init(&sb, 0);
	strbuf_init(&title, 0);
	strbuf_printf(&title, "Phân tích – %s", x->fe->survey.title);
	page_top(&sb, req, x, strbuf_str(&title));
	strbuf_done(&title);
	strbuf_puts(&sb, "<h1>Kết quả khảo sát mức độ hài lòng</h1>");
	headline(&sb, x, &e->res->groups[0]);

	strbuf_puts(&sb, "<h2 id=\"xep-hang\">Xếp hạng các cơ quan</h2>");
	legend(&sb, x);
	chart(&sb, mk, n, x->has_baseline, x->baseline, "Chỉ số hài lòng của từng cơ quan với khoảng tin cậy 95%");
	table_head(&sb, true, "Cơ quan", x->has_baseline);
	for (i = 0; i < n; i++) {
		struct strbuf lab;

		strbuf_init(&lab, 0);
		strbuf_printf(&lab, "<a href=\"/dashboard/%s/agency/", x->fe->survey.code);
		html_escape(&lab, mk[i].key);
		strbuf_puts(&lab, "\">");
		html_escape(&lab, rk[i].a ? rk[i].a->name : mk[i].key);
		strbuf_puts(&lab, "</a> (");
		html_escape(&lab, mk[i].key);
		strbuf_puts(&lab, ")");
		snprintf(rank, sizeof rank, "%zu", i + 1);
		table_row(&sb, mk[i].key, rank, strbuf_str(&lab), mk[i].e, x->has_baseline);
		strbuf_done(&lab);
	}
	strbuf_puts(&sb, "</tbody></table></div>");
	free(rk);
	free(mk);
	if ((r = dash_rounds_section(&sb, req, x)) != 0) {
		strbuf_done(&sb);
		return r;
	}

	/* the elements of the whole round */
	strbuf_puts(&sb, "<h2 id=\"yeu-to\">Các yếu tố – toàn đợt</h2>");
	table_head(&sb, false, "Yếu tố", x->has_baseline);
	for (i = 0; i < x->fe->form->nindices; i++) {
		struct strbuf lab;

		strbuf_init(&lab, 0);
		html_escape(&lab, x->fe->form->indices[i].label);
		table_row(&sb, x->fe->form->indices[i].id, NULL, strbuf_str(&lab), &e->res->groups[0].est[i], x->has_baseline);
		strbuf_done(&lab);
	}
	strbuf_puts(&sb, "</tbody></table></div>");
	if ((r = progress_section(&sb, x, NULL)) < 0) {
		strbuf_done(&sb);
		return r;
	}
	downloads(&sb, x->fe->survey.code);
	strbuf_puts(&sb, "<p><small>Ước lượng theo thiết kế mẫu (tuyến tính hoá Taylor), trọng số từ khung mẫu; "
		    "tầng chỉ có một đơn vị mẫu được xử lý theo cách “adjust” của gói survey (R).</small></p>");
	page_end(&sb);
	db_release(x->c);
	x->c = NULL;
	return http_reply_buf(req, 200, "text/html; charset=utf-8", &sb);
}

int handle_dashboard_agency(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	struct analyst_est *e;
	const struct est_agency *ag;
	const struct est_report_group *g = NULL;
	const struct form *f;
	struct mark *mk = NULL;
	struct strbuf sb;
	struct strbuf title;
	size_t i, nest;
	int r;

	if ((r = dash_auth(req)) != 0)
		return r;
	if ((r = dash_estimates(req, &x)) != 0)
		return r;
	e = &x->est[0];
	f = x->fe->form;
	if (!(ag = est_agencies_by_code(&x->ag, req->params[1])))
		return http_reply_error(req, 404, "not_found", "Không có cơ quan này.");
	for (i = 1; i < e->ngroups; i++)
		if (!strcmp(e->groups[i].by_values[0], ag->code))
			g = &e->groups[i];
	strbuf_init(&sb, 0);
	strbuf_init(&title, 0);
	strbuf_printf(&title, "%s – %s", ag->name, x->fe->survey.title);
	page_top(&sb, req, x, strbuf_str(&title));
	strbuf_done(&title);
	strbuf_printf(&sb, "<p><a href=\"/dashboard/%s\">← Tất cả cơ quan</a></p><h1>", x->fe->survey.code);
	html_escape(&sb, ag->name);
	strbuf_puts(&sb, "</h1>");
	if (!g) {
		strbuf_puts(&sb, "<p class=\"notice\">Cơ quan này chưa có phiếu khảo sát trong đợt.</p>");
	} else {
		headline(&sb, x, g->group);
		nest = f->nindices + f->nitems;
		mk = calloc(nest, sizeof *mk);
		if (!mk) {
			strbuf_done(&sb);
			return -ENOMEM;
		}
		for (i = 0; i < f->nindices; i++)
			mk[i] = (struct mark){ f->indices[i].id, f->indices[i].label, &g->group->est[i] };
		strbuf_puts(&sb, "<h2 id=\"yeu-to\">Các yếu tố</h2>");
		legend(&sb, x);
		chart(&sb, mk, f->nindices, x->has_baseline, x->baseline, "Các yếu tố của cơ quan với khoảng tin cậy 95%");
		table_head(&sb, false, "Yếu tố", x->has_baseline);
		for (i = 0; i < f->nindices; i++) {
			struct strbuf lab;

			strbuf_init(&lab, 0);
			html_escape(&lab, f->indices[i].label);
			table_row(&sb, f->indices[i].id, NULL, strbuf_str(&lab), &g->group->est[i], x->has_baseline);
			strbuf_done(&lab);
		}
		strbuf_puts(&sb, "</tbody></table></div><h2 id=\"tieu-chi\">Các tiêu chí</h2>");
		for (i = 0; i < f->nitems; i++) {
			const struct form_question *q = &f->questions[f->items[i]];

			mk[i] = (struct mark){ q->id, q->id, &g->group->est[f->nindices + i] };
		}
		chart(&sb, mk, f->nitems, x->has_baseline, x->baseline, "Các tiêu chí của cơ quan với khoảng tin cậy 95%");
		table_head(&sb, false, "Tiêu chí", x->has_baseline);
		for (i = 0; i < f->nitems; i++) {
			const struct form_question *q = &f->questions[f->items[i]];
			struct strbuf lab;

			strbuf_init(&lab, 0);
			html_escape(&lab, q->id);
			strbuf_puts(&lab, ": ");
			html_escape(&lab, q->text);
			table_row(&sb, q->id, NULL, strbuf_str(&lab), &g->group->est[f->nindices + i], x->has_baseline);
			strbuf_done(&lab);
		}
		strbuf_puts(&sb, "</tbody></table></div>");
		free(mk);
	}
	if ((r = dash_trend_section(&sb, req, x, ag->code)) < 0 || (r = progress_section(&sb, x, ag->code)) < 0) {
		strbuf_done(&sb);
		return r;
	}
	downloads(&sb, x->fe->survey.code);
	page_end(&sb);
	db_release(x->c);
	x->c = NULL;
	return http_reply_buf(req, 200, "text/html; charset=utf-8", &sb);
}
