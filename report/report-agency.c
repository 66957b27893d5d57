/* report-agency.c - the elements table of the whole round and one agency's page (its
 * scorecard): indices and items with intervals, against the baseline, the province and the
 * other round; its three weakest items; n, target and response rate; small-sample flags. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "est-output.h"
#include "numfmt.h"
#include "report-internal.h"
#include "strbuf.h"

#define X0 RD_MARGIN

/* The scorecard's columns: label, estimate, interval, n, vs baseline, vs province, vs other. */
static const struct rp_col card_cols[] = {
	{ X0, 221, true }, { X0 + 221, 38, false }, { X0 + 259, 64, false }, { X0 + 323, 34, false },
	{ X0 + 357, 50, false }, { X0 + 407, 52, false }, { X0 + 459, 52, false },
};
#define NCOLS (sizeof card_cols / sizeof card_cols[0])

static void head_row(struct rp *p, const char *what, const char *province)
{
	char other[200];
	const char *cells[NCOLS];

	snprintf(other, sizeof other, "Với %s", p->in->has_other ? p->in->other.code : "đợt khác");
	cells[0] = what;
	cells[1] = "Tỷ lệ (%)";
	cells[2] = "KTC 95%";
	cells[3] = "Số phiếu";
	cells[4] = "Với mốc";
	cells[5] = province;
	cells[6] = other;
	rp_row(p, card_cols, NCOLS, cells, &rf_head, false);
	rd_line(p->rd, RD_MARGIN, rd_y(p->rd) - 1, RD_PAGE_W - RD_MARGIN, rd_y(p->rd) - 1, 0.6, RD_GREY, 0);
}

/* One estimate's row. province: the whole round's estimate (NULL: no column); other: the other
 * round's group to compare with. */
static void est_row(struct rp *p, const char *label, const char *id, const struct est_estimate *e,
		    const struct est_estimate *province, const struct est_group *other, bool bold, bool shade)
{
	const struct report_input *in = p->in;
	char est[40], ci[80], n[32], vb[40], vp[40], vo[40], lo[32], hi[32];
	const char *cells[NCOLS];
	struct est_contrast c;

	snprintf(est, sizeof est, "%s%s", rp_num(lo, sizeof lo, e->estimate), rp_flagged(e) ? "*" : "");
	if (isfinite(e->ci_low) && isfinite(e->ci_high))
		snprintf(ci, sizeof ci, "%s – %s", rp_num(lo, sizeof lo, e->ci_low), rp_num(hi, sizeof hi, e->ci_high));
	else
		snprintf(ci, sizeof ci, "–");
	snprintf(n, sizeof n, "%llu", (unsigned long long)e->n);
	cells[0] = label;
	cells[1] = est;
	cells[2] = ci;
	cells[3] = n;
	cells[4] = in->has_baseline ? rp_diff(vb, sizeof vb, e->diff, est_baseline_significant(e, REPORT_ALPHA)) : "–";
	cells[5] = province ? rp_diff(vp, sizeof vp, e->estimate - province->estimate, false) : "–";
	cells[6] = rp_vs_other(in, other, id, e, &c) ? rp_diff(vo, sizeof vo, c.diff, rp_significant(&c)) : "–";
	rp_row(p, card_cols, NCOLS, cells, bold ? &rf_cell_bold : &rf_cell, shade);
}

void rp_elements(struct rp *p)
{
	const struct report_input *in = p->in;
	const struct form *f = in->round.form;
	size_t i;

	rd_page(p->rd, p->footer);
	rd_para(p->rd, &rf_h1, "Các yếu tố – toàn đợt", 8);
	head_row(p, "Yếu tố", "");
	for (i = 0; i < f->nindices; i++)
		est_row(p, f->indices[i].label, f->indices[i].id, &in->round.whole->est[i], NULL, in->other.whole, i == 0,
			i % 2 == 1);
	rd_set_y(p->rd, rd_y(p->rd) + 14);
	rd_para(p->rd, &rf_h2, "Các tiêu chí – toàn đợt", 4);
	head_row(p, "Tiêu chí", "");
	for (i = 0; i < f->nitems; i++) {
		const struct form_question *q = &f->questions[f->items[i]];
		char label[400];

		rd_need(p->rd, 14, p->footer);
		snprintf(label, sizeof label, "%s. %s", q->id, q->text);
		est_row(p, label, q->id, &in->round.whole->est[f->nindices + i], NULL, in->other.whole, false, i % 2 == 1);
	}
	rd_set_y(p->rd, rd_y(p->rd) + 8);
	rd_para(p->rd, &rf_small, "KTC: khoảng tin cậy. * chưa tin cậy (dưới 30 phiếu hoặc khoảng tin cậy rộng hơn 20 điểm). "
		"▲ / ▼ cao hơn / thấp hơn có ý nghĩa thống kê (p < 0,05). Chênh lệch tính bằng điểm phần trăm.", 0);
}

/* "140 phiếu · chỉ tiêu 150 (đạt 93,3%) · tỷ lệ phản hồi 70,0% (105/150 thư mời)". */
static void facts(struct rp *p, const struct report_agency *a)
{
	struct strbuf sb;
	char b[32];

	strbuf_init(&sb, 0);
	strbuf_printf(&sb, "Số phiếu: %llu", a->group ? (unsigned long long)a->group->n : 0ULL);
	if (a->target > 0)
		strbuf_printf(&sb, " · Chỉ tiêu: %lld (đạt %s%%)", a->target,
			      rp_num(b, sizeof b, 100.0 * (double)(a->group ? a->group->n : 0) / (double)a->target));
	else
		strbuf_puts(&sb, " · Chỉ tiêu: –");
	if (a->invited > 0)
		strbuf_printf(&sb, " · Tỷ lệ phản hồi: %s%% (%lld/%lld thư mời)",
			      rp_num(b, sizeof b, 100.0 * (double)a->used / (double)a->invited), a->used, a->invited);
	else
		strbuf_puts(&sb, " · Tỷ lệ phản hồi: – (đợt không gửi thư mời)");
	rd_para(p->rd, &rf_body, strbuf_str(&sb), 4);
	strbuf_done(&sb);
}

struct weak {
	size_t item;
	double v;
};

static int cmp_weak(const void *x, const void *y)
{
	const struct weak *a = x, *b = y;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

static void weakest(struct rp *p, const struct report_agency *a)
{
	const struct form *f = p->in->round.form;
	struct weak *w = calloc(f->nitems ? f->nitems : 1, sizeof *w);
	size_t i, n = 0;
	char lo[32], hi[32], v[32], line[700];

	if (!w)
		return;
	for (i = 0; i < f->nitems; i++) {
		double e = a->group->est[f->nindices + i].estimate;

		if (isfinite(e))
			w[n++] = (struct weak){ i, e };
	}
	qsort(w, n, sizeof *w, cmp_weak);
	rd_para(p->rd, &rf_h2, "Ba tiêu chí thấp nhất", 3);
	for (i = 0; i < n && i < 3; i++) {
		const struct est_estimate *e = &a->group->est[f->nindices + w[i].item];
		const struct form_question *q = &f->questions[f->items[w[i].item]];

		snprintf(line, sizeof line, "%zu. %s. %s: %s%% (KTC %s – %s)%s", i + 1, q->id, q->text,
			 rp_num(v, sizeof v, e->estimate), rp_num(lo, sizeof lo, e->ci_low), rp_num(hi, sizeof hi, e->ci_high),
			 rp_flagged(e) ? " *" : "");
		rd_para(p->rd, &rf_body, line, 1);
	}
	if (n == 0)
		rd_para(p->rd, &rf_body, "Chưa có tiêu chí nào có câu trả lời.", 1);
	free(w);
}

void rp_agency(struct rp *p, const struct report_agency *a)
{
	const struct report_input *in = p->in;
	const struct form *f = in->round.form;
	char footer[600], line[400];
	size_t i;

	snprintf(footer, sizeof footer, "%s – %s", a->name, p->footer);
	rd_page(p->rd, footer);
	rd_para(p->rd, &rf_h1, a->name, 1);
	snprintf(line, sizeof line, "Mã cơ quan: %s · Đợt khảo sát: %s (%s)", a->code, in->round.title, in->round.code);
	rd_para(p->rd, &rf_small, line, 6);
	facts(p, a);
	if (!a->group) {
		rd_para(p->rd, &rf_body, "Cơ quan này chưa có phiếu khảo sát trong đợt.", 0);
		return;
	}
	if (a->group->n < EST_MIN_N) {
		snprintf(line, sizeof line, "Lưu ý: cơ quan có %llu phiếu, dưới 30 phiếu: các ước lượng chưa tin cậy (*), "
			 "chỉ dùng để tham khảo.", (unsigned long long)a->group->n);
		rd_para(p->rd, &(struct rd_font){ 9, true, RD_RED, RD_LEFT, false }, line, 4);
	}
	rd_set_y(p->rd, rd_y(p->rd) + 4);
	head_row(p, "Chỉ số, yếu tố", "Với toàn tỉnh");
	for (i = 0; i < f->nindices; i++)
		est_row(p, f->indices[i].label, f->indices[i].id, &a->group->est[i], &in->round.whole->est[i], a->other,
			true, i % 2 == 1);
	rd_set_y(p->rd, rd_y(p->rd) + 6);
	head_row(p, "Tiêu chí", "Với toàn tỉnh");
	for (i = 0; i < f->nitems; i++) {
		const struct form_question *q = &f->questions[f->items[i]];
		char label[400];

		rd_need(p->rd, 13, footer);
		snprintf(label, sizeof label, "%s. %s", q->id, q->text);
		est_row(p, label, q->id, &a->group->est[f->nindices + i], &in->round.whole->est[f->nindices + i], a->other,
			false, i % 2 == 1);
	}
	rd_set_y(p->rd, rd_y(p->rd) + 10);
	rd_need(p->rd, 70, footer);
	weakest(p, a);
	rd_set_y(p->rd, rd_y(p->rd) + 8);
	rd_need(p->rd, 24, footer);
	rd_para(p->rd, &rf_small, "KTC: khoảng tin cậy. * chưa tin cậy (dưới 30 phiếu hoặc khoảng tin cậy rộng hơn 20 điểm). "
		"▲ / ▼ cao hơn / thấp hơn có ý nghĩa thống kê (p < 0,05). Với toàn tỉnh: chênh lệch điểm với toàn đợt.", 0);
}
