/* report-pages.c - the report's cover, one-minute summary and method annex. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "est-output.h"
#include "numfmt.h"
#include "report-internal.h"
#include "strbuf.h"

static const char *ci_name(const char *m)
{
	if (m && !strcmp(m, "beta"))
		return "Korn–Graubard (beta) cho từng tiêu chí, logit cho các chỉ số";
	if (m && !strcmp(m, "wald"))
		return "Wald (ước lượng ± t · sai số chuẩn)";
	return "logit (biến đổi logit, phân phối t)";
}

void rp_cover(struct rp *p)
{
	const struct report_input *in = p->in;
	char d1[32], d2[32], b[32];
	struct strbuf sb;

	rd_page(p->rd, p->footer);
	rd_set_y(p->rd, 150);
	rd_para(p->rd, &(struct rd_font){ 11, true, RD_GREY, RD_LEFT, false }, "SIPAS LẠNG SƠN", 10);
	rd_para(p->rd, &rf_title, "BÁO CÁO KẾT QUẢ KHẢO SÁT", 2);
	rd_para(p->rd, &rf_title, "MỨC ĐỘ HÀI LÒNG", 6);
	rd_para(p->rd, &(struct rd_font){ 12, false, RD_INK, RD_LEFT, false },
		"của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước", 40);
	strbuf_init(&sb, 0);
	strbuf_printf(&sb, "Đợt khảo sát: %s (%s)", in->round.title, in->round.code);
	rd_para(p->rd, &rf_h2, strbuf_str(&sb), 8);
	strbuf_reset(&sb);
	if (in->period_from && in->period_from[0])
		strbuf_printf(&sb, "Thời gian thu thập phiếu: từ %s đến %s", rp_date(d1, sizeof d1, in->period_from),
			      rp_date(d2, sizeof d2, in->period_to));
	else
		strbuf_puts(&sb, "Thời gian thu thập phiếu: đợt chưa có phiếu");
	rd_para(p->rd, &rf_body, strbuf_str(&sb), 4);
	strbuf_reset(&sb);
	strbuf_printf(&sb, "Phiếu khảo sát: %s (mã %s, phiên bản %d)", in->round.form->title, in->round.form->id,
		      in->round.form->version);
	rd_para(p->rd, &rf_body, strbuf_str(&sb), 4);
	strbuf_reset(&sb);
	strbuf_printf(&sb, "Số phiếu hợp lệ: %llu; số cơ quan có phiếu: %zu", (unsigned long long)in->round.whole->n,
		      in->nagencies);
	rd_para(p->rd, &rf_body, strbuf_str(&sb), 4);
	if (in->has_baseline) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "Mốc so sánh: %s%s%s%%", in->baseline_label[0] ? in->baseline_label : "mốc",
			      " = ", rp_num(b, sizeof b, in->baseline));
		rd_para(p->rd, &rf_body, strbuf_str(&sb), 4);
	}
	if (in->has_other) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "So sánh với đợt: %s (%s)", in->other.title, in->other.code);
		rd_para(p->rd, &rf_body, strbuf_str(&sb), 4);
	}
	strbuf_reset(&sb);
	strbuf_printf(&sb, "Phương pháp: ước lượng theo thiết kế mẫu (trọng số từ khung mẫu, tuyến tính hoá Taylor), "
		      "khoảng tin cậy %s%% theo phương pháp %s; chi tiết ở phần Phụ lục.",
		      rp_pct(b, sizeof b, in->confidence), ci_name(in->ci_method));
	rd_set_y(p->rd, rd_y(p->rd) + 12);
	rd_para(p->rd, &rf_body, strbuf_str(&sb), 4);
	rd_set_y(p->rd, RD_BOTTOM - 40);
	rd_para(p->rd, &rf_small, "Số liệu trình bày theo tỷ lệ phần trăm người hài lòng (chọn mức 4 hoặc 5 trên thang 5 mức), "
		"làm tròn một chữ số thập phân.", 0);
	strbuf_done(&sb);
}

struct ranked {
	const struct report_agency *a;
	double v;
};

static int cmp_desc(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	if (a->v != b->v)
		return a->v < b->v ? 1 : -1;
	return strcmp(a->a->code, b->a->code);
}

static int cmp_asc(const void *x, const void *y)
{
	return -cmp_desc(x, y);
}

/* Appends "name (81,4%)" entries of the first agencies in list (at most LIST_MAX, then how many
 * more), separated by "; ". */
#define LIST_MAX 20
static void name_list(struct strbuf *sb, const struct ranked *list, size_t n)
{
	char b[32];
	size_t i;

	for (i = 0; i < n && i < LIST_MAX; i++)
		strbuf_printf(sb, "%s%s (%s%%)", i ? "; " : "", list[i].a->name, rp_num(b, sizeof b, list[i].v));
	if (n > LIST_MAX)
		strbuf_printf(sb, "; và %zu cơ quan khác (xem trang Xếp hạng)", n - LIST_MAX);
}

void rp_summary(struct rp *p)
{
	const struct report_input *in = p->in;
	const struct est_estimate *e = &in->round.whole->est[0];
	const char *label = in->round.form->indices[0].label;
	struct ranked *ok = calloc(in->nagencies ? in->nagencies : 1, sizeof *ok);
	struct ranked *below = calloc(in->nagencies ? in->nagencies : 1, sizeof *below);
	struct ranked *small = calloc(in->nagencies ? in->nagencies : 1, sizeof *small);
	size_t i, nok = 0, nbelow = 0, nsmall = 0;
	char b1[32], b2[32], b3[32], b4[32], b5[32];
	struct est_contrast c;
	struct strbuf sb;

	rd_page(p->rd, p->footer);
	rd_para(p->rd, &rf_h1, "Tóm tắt", 10);
	strbuf_init(&sb, 0);
	if (!isfinite(e->estimate)) {
		rd_para(p->rd, &rf_body, "Đợt chưa có đủ câu trả lời để tính chỉ số.", 0);
		goto out;
	}
	strbuf_printf(&sb, "%s toàn đợt: %s%%", label, rp_num(b1, sizeof b1, e->estimate));
	rd_para(p->rd, &(struct rd_font){ 16, true, RD_INK, RD_LEFT, false }, strbuf_str(&sb), 2);
	strbuf_reset(&sb);
	strbuf_printf(&sb, "Khoảng tin cậy %s%%: %s – %s; %llu phiếu.", rp_pct(b4, sizeof b4, in->confidence),
		      rp_num(b2, sizeof b2, e->ci_low), rp_num(b3, sizeof b3, e->ci_high), (unsigned long long)in->round.whole->n);
	rd_para(p->rd, &rf_body, strbuf_str(&sb), 8);
	if (in->has_baseline) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "So với mốc %s (%s%%): %s điểm (p %s): ", in->baseline_label,
			      rp_num(b1, sizeof b1, in->baseline), numfmt_signed1(b2, sizeof b2, e->diff),
			      rp_p(b3, sizeof b3, est_baseline_pvalue(e)));
		if (est_baseline_significant(e, REPORT_ALPHA))
			strbuf_puts(&sb, e->diff > 0 ? "cao hơn mốc có ý nghĩa thống kê." : "thấp hơn mốc có ý nghĩa thống kê.");
		else
			strbuf_puts(&sb, "chưa khác biệt có ý nghĩa thống kê so với mốc.");
		rd_para(p->rd, &rf_body, strbuf_str(&sb), 6);
	}
	if (in->has_other && rp_vs_other(in, in->other.whole, est_id(in->round.form, 0), e, &c)) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "So với đợt %s (%s%%, khoảng tin cậy %s – %s): %s điểm (p %s): ", in->other.title,
			      rp_num(b1, sizeof b1, c.est_b),
			      rp_num(b4, sizeof b4, rp_find(in->other.form, in->other.whole, est_id(in->round.form, 0))->ci_low),
			      rp_num(b5, sizeof b5, rp_find(in->other.form, in->other.whole, est_id(in->round.form, 0))->ci_high),
			      numfmt_signed1(b2, sizeof b2, c.diff), rp_p(b3, sizeof b3, c.p_value));
		if (rp_significant(&c))
			strbuf_puts(&sb, c.diff > 0 ? "tăng có ý nghĩa thống kê." : "giảm có ý nghĩa thống kê.");
		else
			strbuf_puts(&sb, "chưa khác biệt có ý nghĩa thống kê.");
		rd_para(p->rd, &rf_body, strbuf_str(&sb), 6);
	}
	for (i = 0; ok && below && small && i < in->nagencies; i++) {
		const struct report_agency *a = &in->agencies[i];
		const struct est_estimate *ae = a->group ? &a->group->est[0] : NULL;

		if (!ae || !isfinite(ae->estimate))
			continue;
		if (a->group->n < EST_MIN_N)
			small[nsmall++] = (struct ranked){ a, ae->estimate };
		else
			ok[nok++] = (struct ranked){ a, ae->estimate };
		if (rp_below(in, ae))
			below[nbelow++] = (struct ranked){ a, ae->estimate };
	}
	if (ok && below && small) {
		qsort(ok, nok, sizeof *ok, cmp_desc);
		qsort(below, nbelow, sizeof *below, cmp_asc);
		qsort(small, nsmall, sizeof *small, cmp_asc);
	}
	rd_set_y(p->rd, rd_y(p->rd) + 6);
	if (in->has_baseline) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "Cơ quan thấp hơn mốc có ý nghĩa thống kê (p < 0,05): %zu%s", nbelow,
			      nbelow > 1 ? ", từ thấp nhất" : "");
		rd_para(p->rd, &rf_h2, strbuf_str(&sb), 3);
		strbuf_reset(&sb);
		if (nbelow)
			name_list(&sb, below, nbelow);
		else
			strbuf_puts(&sb, "Không có cơ quan nào.");
		rd_para(p->rd, &rf_body, strbuf_str(&sb), 8);
	}
	if (nok >= 2) {
		size_t k = nok >= 6 ? 3 : nok / 2;      /* the two lists never share an agency */

		rd_para(p->rd, &rf_h2, "Cao nhất và thấp nhất (cơ quan có từ 30 phiếu)", 3);
		strbuf_reset(&sb);
		strbuf_puts(&sb, "Cao nhất: ");
		name_list(&sb, ok, k);
		strbuf_puts(&sb, ".");
		rd_para(p->rd, &rf_body, strbuf_str(&sb), 2);
		strbuf_reset(&sb);
		strbuf_puts(&sb, "Thấp nhất: ");
		for (i = 0; i < k; i++)
			strbuf_printf(&sb, "%s%s (%s%%)", i ? "; " : "", ok[nok - 1 - i].a->name,
				      rp_num(b1, sizeof b1, ok[nok - 1 - i].v));
		strbuf_puts(&sb, ".");
		rd_para(p->rd, &rf_body, strbuf_str(&sb), 8);
	}
	if (nsmall) {
		strbuf_reset(&sb);
		strbuf_printf(&sb, "Cơ quan dưới 30 phiếu (kết quả chưa tin cậy): %zu", nsmall);
		rd_para(p->rd, &rf_h2, strbuf_str(&sb), 3);
		strbuf_reset(&sb);
		name_list(&sb, small, nsmall);
		rd_para(p->rd, &rf_body, strbuf_str(&sb), 8);
	}
	rd_para(p->rd, &rf_small, "Khác biệt có ý nghĩa thống kê: kiểm định t hai phía, mức ý nghĩa 5%. "
		"Thứ hạng đầy đủ ở trang sau; từng cơ quan ở trang riêng.", 0);
out:
	strbuf_done(&sb);
	free(ok);
	free(below);
	free(small);
}

void rp_annex(struct rp *p)
{
	const struct report_input *in = p->in;
	char b[32];
	struct strbuf sb;

	rd_page(p->rd, p->footer);
	rd_para(p->rd, &rf_h1, "Phụ lục: Phương pháp", 10);
	strbuf_init(&sb, 0);
	rd_para(p->rd, &rf_h2, "Chỉ số", 3);
	rd_para(p->rd, &rf_body, "Mỗi tiêu chí được đo bằng tỷ lệ người trả lời hài lòng: chọn mức 4 (Hài lòng) hoặc 5 "
		"(Rất hài lòng) trên thang 5 mức, trong số người có câu trả lời hợp lệ; mức 3 (Bình thường) tính là "
		"chưa hài lòng, ô trống là không trả lời. Mỗi yếu tố là trung bình có trọng số của các tiêu chí của nó, "
		"và chỉ số chung là trung bình có trọng số của các yếu tố, theo cây chỉ số của phiếu khảo sát.", 8);
	rd_para(p->rd, &rf_h2, "Ước lượng theo thiết kế mẫu", 3);
	rd_para(p->rd, &rf_body, "Mỗi phiếu mang trọng số N_h / n_h của tầng (cơ quan) của nó: N_h là số người hoặc hồ sơ "
		"trong khung mẫu, n_h là số phiếu thu được; khi không có khung mẫu, trọng số bằng 1. Sai số chuẩn được "
		"tính bằng tuyến tính hoá Taylor trên toàn bộ thiết kế (phân tầng, cụm nếu có, hiệu chỉnh quần thể hữu hạn), "
		"như gói survey của R; tầng chỉ có một đơn vị mẫu được xử lý theo cách “adjust”.", 8);
	strbuf_printf(&sb, "Khoảng tin cậy %s%% theo phương pháp %s, với bậc tự do của thiết kế (số đơn vị mẫu trừ "
		      "số tầng). So sánh với mốc: chênh lệch = ước lượng − mốc, kiểm định t hai phía. So sánh hai đợt: "
		      "hai mẫu độc lập, sai số chuẩn của chênh lệch = √(se₁² + se₂²), bậc tự do = min(df₁, df₂). "
		      "So với toàn tỉnh: chênh lệch điểm giữa cơ quan và toàn đợt (không kiểm định, vì cơ quan là một phần "
		      "của toàn đợt).", rp_pct(b, sizeof b, in->confidence), ci_name(in->ci_method));
	rd_para(p->rd, &rf_h2, "Khoảng tin cậy và kiểm định", 3);
	rd_para(p->rd, &rf_body, strbuf_str(&sb), 8);
	rd_para(p->rd, &rf_h2, "Độ tin cậy của số liệu", 3);
	rd_para(p->rd, &rf_body, "Ước lượng có dưới 30 phiếu, hoặc khoảng tin cậy rộng hơn 20 điểm phần trăm, được đánh "
		"dấu * (chưa tin cậy): vẫn được tính và trình bày, nhưng cần thận trọng khi sử dụng. Ký hiệu ▲ / ▼: cao hơn / "
		"thấp hơn có ý nghĩa thống kê (p < 0,05); dấu – : không có số liệu.", 8);
	rd_para(p->rd, &rf_h2, "Tái lập số liệu", 3);
	strbuf_reset(&sb);
	strbuf_printf(&sb, "Các số liệu trong báo cáo bằng số liệu của API ước lượng "
		      "(/api/v1/surveys/%s/estimates?by=agency&lonely_psu=adjust) làm tròn một chữ số thập phân, và "
		      "tái lập được bằng `sipas analyze` hoặc gói survey của R trên dữ liệu phiếu (responses.csv) và khung "
		      "mẫu (frame.csv) của đợt.", in->round.code);
	rd_para(p->rd, &rf_body, strbuf_str(&sb), 0);
	strbuf_done(&sb);
}
