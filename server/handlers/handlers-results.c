/* handlers-results.c - GET /results/{survey} and /results/{survey}.json: a published round's
 * estimates by agency, open to anyone (docs/api.md, published results).
 *
 * 404 unless `sipas survey publish` opened the round (and again after unpublish). An agency
 * with fewer than RESULTS_MIN_N responses is listed with its n and null figures; nothing else
 * leaves: no microdata, no free text. The figures are the dashboard's (lonely PSUs `adjust`);
 * replies are kept in the reply cache until the round's sums change, and public caches may
 * keep them RESULTS_MAX_AGE seconds. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst.h"
#include "app.h"
#include "db-surveys.h"
#include "db.h"
#include "handlers.h"
#include "numfmt.h"
#include "page.h"

#define RESULTS_MIN_N 30
#define RESULTS_MAX_AGE "60"

/* Opens the round when published (else replies 404) and computes its estimates by agency with
 * the small groups' figures nulled. Returns 0 with *out, or a status / negative errno. */
static int results_open(struct http_req *req, const char *type, const char *key, struct analyst_ctx **out)
{
	struct analyst_ctx *x = NULL;
	struct analyst_est *e;
	size_t i, k;
	int r;

	if ((r = analyst_open_read(req, req->params[0], false, &x)) != 0)
		return r;
	if ((r = db_survey_is_published(x->c, x->fe->survey.id)) < 0)
		return r;
	if (r == 0)
		return http_reply_error(req, 404, "not_found", "no such survey round");
	r = x->replica ? 0 : est_store_fold(req->app->folds, x->c, x->fe, EST_STORE_WAIT_MS, analyst_fresh_ms(req), NULL,
						   &x->err);
	if (r == -EBUSY) {
		http_add_header(req, "Retry-After", "10");
		return http_reply_error(req, 503, "folding", "the results are being brought up to date; retry shortly");
	}
	if (r < 0)
		return r == -EINVAL ? analyst_est_error(req, &x->err) : r;
	if ((r = analyst_cache_get(x, req, key, type)) != 0) {
		if (r == 200)
			http_add_header(req, "Cache-Control", "public, max-age=" RESULTS_MAX_AGE);
		return r;
	}
	e = &x->est[0];
	if ((r = analyst_compute_dashboard(x)) < 0)
		return r == -EINVAL ? analyst_est_error(req, &x->err) : r;
	for (i = 0; i < e->res->ngroups; i++) {
		struct est_group *g = &e->res->groups[i];

		if (g->n >= RESULTS_MIN_N)
			continue;
		for (k = 0; k < e->res->nest; k++) {
			struct est_estimate *s = &g->est[k];

			s->estimate = s->se = s->ci_low = s->ci_high = s->deff = s->n_eff = NAN;
			s->diff = s->t = s->p_value = NAN;
			s->flags |= EST_FLAG_SMALL_N;
		}
	}
	*out = x;
	return 0;
}

static int reply(struct http_req *req, struct analyst_ctx *x, const char *key, const char *type, struct strbuf *sb)
{
	db_release(x->c);
	x->c = NULL;
	http_add_header(req, "Cache-Control", "public, max-age=" RESULTS_MAX_AGE);
	return analyst_cache_reply(x, req, key, type, sb);
}

int handle_results_json(struct http_req *req)
{
	static const char key[] = "results|json", type[] = "application/json";
	struct analyst_ctx *x = NULL;
	struct est_report rep;
	struct strbuf sb;
	int r;

	if ((r = results_open(req, type, key, &x)) != 0)
		return r;
	analyst_report(x, &x->est[0], &rep);
	strbuf_init(&sb, 0);
	if ((r = est_report_json(&sb, &rep)) < 0) {
		strbuf_done(&sb);
		return r;
	}
	return reply(req, x, key, type, &sb);
}

/* ---- the page ---- */

/* The interval on a 0-100 scale as a small inline SVG: a line and a dot. */
static void bar(struct strbuf *sb, const struct est_estimate *e)
{
	strbuf_puts(sb, "<svg class=\"ci-bar\" viewBox=\"0 0 100 12\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
		    "<line x1=\"0\" x2=\"100\" y1=\"6\" y2=\"6\" stroke=\"#e3e6ea\" stroke-width=\"2\"/>");
	if (isfinite(e->ci_low) && isfinite(e->ci_high))
		strbuf_printf(sb, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"6\" y2=\"6\" stroke=\"#1f4e79\" stroke-width=\"3\"/>",
			      e->ci_low, e->ci_high);
	if (isfinite(e->estimate))
		strbuf_printf(sb, "<circle cx=\"%.1f\" cy=\"6\" r=\"3\" fill=\"#1f4e79\"/>", e->estimate);
	strbuf_puts(sb, "</svg>");
}

static void headline(struct strbuf *sb, struct analyst_ctx *x, const struct est_group *g)
{
	const struct est_estimate *e = &g->est[0];
	char b1[32], b2[32], b3[32], b4[32];

	strbuf_puts(sb, "<div class=\"cards\"><div class=\"card\" id=\"headline\"><div>");
	html_escape(sb, x->fe->form->indices[0].label);
	strbuf_printf(sb, " – toàn đợt</div><div class=\"big\">%s%%</div><div>Khoảng tin cậy 95%%: %s – %s</div>"
		      "<div>%llu phiếu</div></div>", numfmt_dec1(b1, sizeof b1, e->estimate),
		      numfmt_dec1(b2, sizeof b2, e->ci_low), numfmt_dec1(b3, sizeof b3, e->ci_high),
		      (unsigned long long)g->n);
	if (x->has_baseline && isfinite(e->estimate)) {
		strbuf_puts(sb, "<div class=\"card\" id=\"baseline\"><div>So với mốc ");
		html_escape(sb, x->baseline_label);
		strbuf_printf(sb, " (%s%%)</div><div class=\"big\">%s điểm</div><div>", numfmt_dec1(b1, sizeof b1, x->baseline),
			      numfmt_signed1(b4, sizeof b4, e->diff));
		if (est_baseline_significant(e, 0.05))
			strbuf_puts(sb, e->diff > 0 ? "Cao hơn mốc, có ý nghĩa thống kê." : "Thấp hơn mốc, có ý nghĩa thống kê.");
		else
			strbuf_puts(sb, "Chưa khác biệt có ý nghĩa thống kê so với mốc.");
		strbuf_puts(sb, "</div></div>");
	}
	strbuf_puts(sb, "</div>");
}

int handle_results(struct http_req *req)
{
	static const char key[] = "results|html", type[] = "text/html; charset=utf-8";
	struct analyst_ctx *x = NULL;
	struct analyst_est *e;
	struct analyst_ranked *s;
	struct strbuf sb, title;
	size_t i, n, shown = 0, small = 0;
	char b1[32], b2[32], b3[32];
	int r;

	if ((r = results_open(req, type, key, &x)) != 0)
		return r;
	e = &x->est[0];
	n = e->ngroups - 1;
	if (!(s = analyst_rank(x, e)))
		return -ENOMEM;
	strbuf_init(&sb, 0);
	strbuf_init(&title, 0);
	strbuf_printf(&title, "Kết quả khảo sát – %s", x->fe->survey.title);
	page_begin(&sb, PAGE_CITIZEN, strbuf_str(&title));
	strbuf_done(&title);
	strbuf_puts(&sb, "<h1>Kết quả khảo sát mức độ hài lòng</h1><p>Đợt khảo sát: <strong>");
	html_escape(&sb, x->fe->survey.title);
	strbuf_puts(&sb, "</strong></p>");
	if (e->res->groups[0].n >= RESULTS_MIN_N)
		headline(&sb, x, &e->res->groups[0]);
	strbuf_puts(&sb, "<h2 id=\"xep-hang\">Xếp hạng các cơ quan</h2><div class=\"scroll\"><table class=\"results\"><thead><tr>"
		    "<th scope=\"col\">Hạng</th><th scope=\"col\">Cơ quan</th><th scope=\"col\">Hài lòng (%)</th>"
		    "<th scope=\"col\">Khoảng tin cậy 95%</th><th scope=\"col\">Số phiếu</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		const struct est_estimate *est = &s[i].g->group->est[0];

		if (s[i].g->group->n < RESULTS_MIN_N || !isfinite(est->estimate))
			continue;
		strbuf_puts(&sb, "<tr data-key=\"");
		html_escape(&sb, s[i].g->by_values[0]);
		strbuf_printf(&sb, "\"><td class=\"num\">%zu</td><td>", ++shown);
		html_escape(&sb, s[i].a ? s[i].a->name : s[i].g->by_values[0]);
		strbuf_printf(&sb, "</td><td class=\"num\" data-col=\"estimate\">%s</td><td class=\"ci\">%s – %s", numfmt_dec1(b1, sizeof b1, est->estimate),
			      numfmt_dec1(b2, sizeof b2, est->ci_low), numfmt_dec1(b3, sizeof b3, est->ci_high));
		bar(&sb, est);
		strbuf_printf(&sb, "</td><td class=\"num\">%llu</td></tr>", (unsigned long long)s[i].g->group->n);
	}
	strbuf_puts(&sb, "</tbody></table></div>");
	for (i = 0; i < n; i++)
		small += s[i].g->group->n < RESULTS_MIN_N;
	if (small) {
		strbuf_printf(&sb, "<h2 id=\"chua-du\">Cơ quan chưa đủ %d phiếu</h2><p>Kết quả chưa được công bố vì số phiếu "
			      "còn ít, chưa đủ tin cậy.</p><ul class=\"small-n\">", RESULTS_MIN_N);
		for (i = 0; i < n; i++) {
			if (s[i].g->group->n >= RESULTS_MIN_N)
				continue;
			strbuf_puts(&sb, "<li data-key=\"");
			html_escape(&sb, s[i].g->by_values[0]);
			strbuf_puts(&sb, "\">");
			html_escape(&sb, s[i].a ? s[i].a->name : s[i].g->by_values[0]);
			strbuf_printf(&sb, ": %llu phiếu</li>", (unsigned long long)s[i].g->group->n);
		}
		strbuf_puts(&sb, "</ul>");
	}
	free(s);
	strbuf_puts(&sb, "<h2 id=\"phuong-phap\">Cách tính</h2><p>Mỗi câu hỏi đánh giá có 5 mức, từ “Rất không hài lòng” "
		    "đến “Rất hài lòng”. Tỷ lệ hài lòng là phần trăm người trả lời chọn “Hài lòng” hoặc “Rất hài lòng”. "
		    "Chỉ số của mỗi cơ quan là trung bình của các yếu tố (các nhóm câu hỏi) của phiếu khảo sát.</p><p>Vì chỉ hỏi một phần người dân, mỗi con số "
		    "có sai số: khoảng tin cậy 95% là khoảng mà giá trị thật gần như chắc chắn nằm trong đó. Hai cơ quan có "
		    "khoảng tin cậy chồng lên nhau thì chưa chắc khác nhau thật. Cơ quan có dưới 30 phiếu chưa được công bố "
		    "số liệu.</p><p>Trang này chỉ có số liệu tổng hợp, không có phiếu trả lời hay ý kiến của từng người.</p>");
	strbuf_printf(&sb, "<p><a href=\"/results/%s.json\">Dữ liệu mở (JSON)</a></p>", x->fe->survey.code);
	page_end(&sb);
	return reply(req, x, key, type, &sb);
}
