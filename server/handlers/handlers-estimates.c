/* handlers-estimates.c - GET /api/v1/surveys/{survey}/estimates (JSON, CSV), estimates.xlsx, /compare and /progress. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst.h"
#include "app.h"
#include "csv.h"
#include "db-estimates.h"
#include "db.h"
#include "auth.h"
#include "est-compare.h"
#include "est-rounds.h"
#include "export-file.h"
#include "handlers.h"
#include "progress.h"
#include "jsonw.h"
#include "utf8.h"
#include "xlsx-write.h"

#define BY_ARGS_MAX 8

/* Reads by= (repeated, or comma-separated) into vals (pointing into buf); returns the count or
 * -E2BIG (too many or too long). */
static int by_values(struct http_req *req, char buf[EST_STORE_MAX_BY + 1][ANALYST_QUERY_MAX],
		     const char **vals)
{
	const char *raw[BY_ARGS_MAX];
	size_t nraw = http_query_all(req, "by", raw, BY_ARGS_MAX), i, n = 0;

	for (i = 0; i < nraw; i++) {
		const char *p = raw[i];

		while (*p) {
			size_t len = strcspn(p, ",");

			if (n > EST_STORE_MAX_BY || len >= ANALYST_QUERY_MAX)
				return -E2BIG;
			if (len) {
				memcpy(buf[n], p, len);
				buf[n][len] = '\0';
				vals[n] = buf[n];
				n++;
			}
			p += len + (p[len] == ',');
		}
	}
	return n > EST_STORE_MAX_BY ? -E2BIG : (int)n;
}

/* format=json|csv; returns 0 (json), 1 (csv) or -EINVAL. */
static int want_csv(struct http_req *req)
{
	const char *f = http_query(req, "format");

	if (!f || !strcmp(f, "json"))
		return 0;
	if (!strcmp(f, "csv"))
		return 1;
	return -EINVAL;
}

/* Reads by= and the options and opens the round (its aggregates brought up to date) into *xo.
 * Returns 0, a status with the reply set, or a negative errno. */
static int estimates_open(struct http_req *req, struct analyst_ctx **xo)
{
	char buf[EST_STORE_MAX_BY + 1][ANALYST_QUERY_MAX];
	const char *vals[EST_STORE_MAX_BY + 1];
	struct analyst_ctx *x = NULL;
	int r, n;

	if ((n = by_values(req, buf, vals)) < 0)
		return analyst_bad(req, "at most %d by= values of at most %d bytes", EST_STORE_MAX_BY,
				   ANALYST_QUERY_MAX - 1);
	if ((r = analyst_open_read(req, req->params[0], true, &x)) != 0)
		return r;
	if ((r = analyst_options(req, &x->est[0].opt)) != 0)
		return r;
	if (est_by_parse(x->fe->form, vals, (size_t)n, &x->est[0].by, &x->err) < 0)
		return analyst_bad(req, "%s", x->err.message);
	*xo = x;
	return 0;
}

/* Computes the estimates estimates_open asked for into rep and gives the connection back.
 * Returns 0, a status with the reply set, or a negative errno. */
static int estimates_compute(struct http_req *req, struct analyst_ctx *x, struct est_report *rep)
{
	int r = analyst_compute(x, x->fe, &x->est[0]);

	if (r == -EINVAL)
		return analyst_est_error(req, &x->err);
	if (r < 0)
		return r;
	db_release(x->c);
	x->c = NULL;
	analyst_report(x, &x->est[0], rep);
	return 0;
}

int handle_estimates(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	struct analyst_est *e;
	struct est_report rep;
	struct strbuf sb;
	char key[2 * FORM_MAX_ID_LEN + 100];
	const char *type;
	int r, csv;

	if ((csv = want_csv(req)) < 0)
		return analyst_bad(req, "format must be json or csv");
	type = csv ? "text/csv; charset=utf-8" : "application/json";
	if ((r = estimates_open(req, &x)) != 0)
		return r;
	e = &x->est[0];
	if (csv && (r = analyst_audit(x->c, x->fe, req, "estimates", "csv")) < 0)
		return r;
	if (csv)
		http_add_header(req, "Content-Disposition", "attachment; filename=\"estimates.csv\"");
	/* the request, canonical: what the reply depends on besides the round's aggregates */
	snprintf(key, sizeof key, "estimates|%s|%s|%d|%.17g|%d|%d", e->by.n > 0 ? e->by.name[0] : "",
		 e->by.n > 1 ? e->by.name[1] : "", (int)e->opt.ci, e->opt.confidence, (int)e->opt.lonely, csv);
	if ((r = analyst_cache_get(x, req, key, type)) != 0)
		return r;
	if ((r = estimates_compute(req, x, &rep)) != 0)
		return r;
	strbuf_init(&sb, 0);
	r = csv ? est_report_csv(&sb, &rep) : est_report_json(&sb, &rep);
	if (r < 0) {
		strbuf_done(&sb);
		return r;
	}
	return analyst_cache_reply(x, req, key, type, &sb);
}

/* One cell of estimates.xlsx. */
struct xlsx_cells {
	struct xlsx *w;
	uint32_t row;
	uint16_t col;
	double width[EST_STORE_MAX_BY + 20];
};

static int xlsx_cell(void *ud, const struct est_cell *c)
{
	struct xlsx_cells *s = ud;
	char *end;
	double v;
	int r = 0;

	if (c->kind == EST_CELL_END) {
		s->row++;
		s->col = 0;
		return 0;
	}
	if (c->kind == EST_CELL_TEXT && c->text && s->row == 0)
		r = xlsx_heading(s->w, s->col, c->text);
	else if (c->kind == EST_CELL_TEXT)
		r = xlsx_text(s->w, s->row, s->col, c->text);
	else if (c->kind == EST_CELL_CODE && c->text && *c->text) {
		v = strtod(c->text, &end);
		r = *end ? xlsx_text(s->w, s->row, s->col, c->text) : xlsx_number(s->w, s->row, s->col, v);
	} else if (c->kind != EST_CELL_CODE)
		r = xlsx_number(s->w, s->row, s->col, c->number);
	if (c->text && s->col < sizeof s->width / sizeof s->width[0]) {
		double chars = (double)utf8_count(c->text, strlen(c->text));

		if (chars > s->width[s->col])
			s->width[s->col] = chars;
	}
	s->col++;
	return r;
}

int handle_estimates_xlsx(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	struct xlsx_cells s = { 0 };
	struct est_report rep;
	size_t i;
	int r, fd;

	if ((r = estimates_open(req, &x)) != 0)
		return r;
	if ((r = analyst_audit(x->c, x->fe, req, "estimates", "xlsx")) < 0)
		return r;
	if ((r = estimates_compute(req, x, &rep)) != 0)
		return r;
	if ((r = xlsx_open(NULL, &s.w)) < 0)
		return r;
	if ((r = xlsx_sheet(s.w, "Ước lượng")) < 0 || (r = xlsx_freeze_header(s.w)) < 0 ||
	    (r = est_report_cells(&rep, xlsx_cell, &s)) < 0) {
		xlsx_free(s.w);
		return r;
	}
	for (i = 0; i < sizeof s.width / sizeof s.width[0]; i++)
		if (s.width[i] > 0 && (r = xlsx_width(s.w, (uint16_t)i, s.width[i] < 12 ? 12 : s.width[i])) < 0) {
			xlsx_free(s.w);
			return r;
		}
	if ((r = xlsx_finish(s.w, &fd)) < 0)
		return r;
	return export_reply_file(req, fd, XLSX_TYPE, x->fe->survey.code, "estimates.xlsx");
}

/* ---- comparisons ---- */

/* ?a=AGENCY&b=AGENCY: the joint linearisation within the round. */
static int compare_agencies(struct http_req *req, struct analyst_ctx *x, const char *a, const char *b)
{
	const struct form *f = x->fe->form;
	struct analyst_est *e = &x->est[0];
	struct est_contrast *out = NULL;
	struct strbuf sb;
	size_t i, nest = f->nindices + f->nitems;
	int r;

	if ((r = analyst_load(x)) < 0)
		return r;
	if (!est_agencies_by_code(&x->ag, a) || !est_agencies_by_code(&x->ag, b))
		return http_reply_error(req, 404, "not_found", "no such agency");
	if (!strcmp(a, b))
		return analyst_bad(req, "a and b must be two different agencies");
	e->by.n = 1;
	e->by.kind[0] = EST_BY_AGENCY;
	e->by.name[0] = "agency";
	e->by.question = -1;
	if ((r = est_store_design(x->c, x->fe, &e->by, &x->ag, &e->d, &x->err)) < 0)
		return r == -EINVAL ? analyst_est_error(req, &x->err) : r;
	out = calloc(nest, sizeof *out);
	if (!out)
		return -ENOMEM;
	r = est_compare_groups(e->d, x->frame, &e->opt, a, b, out, &x->err);
	if (r == -ENOENT) {
		free(out);
		return http_reply_error(req, 404, "no_responses", "one of the agencies has no responses in this round");
	}
	if (r < 0) {
		free(out);
		return r == -EINVAL ? analyst_est_error(req, &x->err) : r;
	}
	strbuf_init(&sb, 0);
	strbuf_putc(&sb, '{');
	jsonw_member_str(&sb, "survey", x->fe->survey.code);
	jsonw_member_str(&sb, "a", a);
	jsonw_member_str(&sb, "b", b);
	jsonw_member_str(&sb, "method", "joint linearisation of z_A - z_B over the round's design");
	jsonw_member_num(&sb, "confidence", e->opt.confidence);
	jsonw_member(&sb, "comparisons");
	strbuf_putc(&sb, '[');
	for (i = 0; i < nest; i++) {
		const struct est_contrast *c = &out[i];

		strbuf_puts(&sb, i ? ",{" : "{");
		jsonw_member_str(&sb, "index", est_id(f, i));
		jsonw_member_str(&sb, "label", est_label(f, i));
		jsonw_member_num(&sb, "a", c->est_a);
		jsonw_member_num(&sb, "b", c->est_b);
		jsonw_member_num(&sb, "diff", c->diff);
		jsonw_member_num(&sb, "se", c->se);
		jsonw_member_int(&sb, "df", c->df);
		jsonw_member_num(&sb, "t", c->t);
		jsonw_member_num(&sb, "p_value", c->p_value);
		jsonw_member_int(&sb, "n_a", (long long)c->n_a);
		jsonw_member_int(&sb, "n_b", (long long)c->n_b);
		strbuf_putc(&sb, '}');
	}
	strbuf_puts(&sb, "]}\n");
	free(out);
	return http_reply_buf(req, 200, "application/json", &sb);
}

/* ?against=OTHER[&by=...]: this round against another, independent samples, group by group. */
static int compare_rounds(struct http_req *req, struct analyst_ctx *x, const char *other)
{
	struct analyst_est *e0 = &x->est[0], *e1 = &x->est[1];
	struct est_error err = { "", "", "" };
	char buf[EST_STORE_MAX_BY + 1][ANALYST_QUERY_MAX];
	const char *vals[EST_STORE_MAX_BY + 1];
	struct est_rounds rounds;
	struct strbuf sb;
	int r, n;

	if (strlen(other) >= ANALYST_QUERY_MAX)
		return analyst_bad(req, "against: too long");
	if (!strcmp(other, x->fe->survey.code))
		return analyst_bad(req, "against must name another round");
	if ((n = by_values(req, buf, vals)) < 0)
		return analyst_bad(req, "at most %d by= values of at most %d bytes", EST_STORE_MAX_BY,
				   ANALYST_QUERY_MAX - 1);
	if (est_by_parse(x->fe->form, vals, (size_t)n, &e0->by, &x->err) < 0)
		return analyst_bad(req, "%s", x->err.message);
	r = analyst_round(req, x, other, &x->other, &err);
	if (r == -ENOENT)
		return http_reply_error(req, 404, "not_found", "no such survey round (against)");
	if (r == -EBUSY) {
		http_add_header(req, "Retry-After", "10");
		return http_reply_error(req, 503, "folding", "the other round's aggregates are being brought up to date");
	}
	if (r < 0)
		return r == -EINVAL ? analyst_est_error(req, &err) : r;
	if (est_by_parse(x->other->form, vals, (size_t)n, &e1->by, &err) < 0)
		return analyst_bad(req, "against: %s", err.message);
	e1->opt = e0->opt;
	if ((r = analyst_compute(x, x->fe, e0)) < 0 || (r = analyst_compute_round(x, x->other, e1)) < 0)
		return r == -EINVAL ? analyst_est_error(req, &x->err) : r;
	db_release(x->c);
	x->c = NULL;
	rounds = (struct est_rounds){ .form = x->fe->form, .against_form = x->other->form,
		.survey = x->fe->survey.code, .against = other, .options = &e0->opt, .nby = e0->by.n,
		.by_names = e0->by.name, .by_numeric = e0->numeric, .na = e0->ngroups, .nb = e1->ngroups,
		.a = e0->groups, .b = e1->groups };
	strbuf_init(&sb, 0);
	if ((r = est_rounds_json(&sb, &rounds)) < 0) {
		strbuf_done(&sb);
		return r;
	}
	return http_reply_buf(req, 200, "application/json", &sb);
}

int handle_compare(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	const char *a = http_query(req, "a"), *b = http_query(req, "b"), *against = http_query(req, "against");
	int r;

	if (!((a && b && !against) || (!a && !b && against)))
		return analyst_bad(req, "give a=AGENCY&b=AGENCY, or against=SURVEY[&by=...]");
	if (!against && http_query(req, "by"))
		return analyst_bad(req, "by= goes with against=SURVEY");
	if ((a && strlen(a) > 32) || (b && strlen(b) > 32))
		return analyst_bad(req, "agency codes are at most 32 bytes");
	if ((r = analyst_open_read(req, req->params[0], true, &x)) != 0)
		return r;
	if ((r = analyst_options(req, &x->est[0].opt)) != 0)
		return r;
	return against ? compare_rounds(req, x, against) : compare_agencies(req, x, a, b);
}

/* ---- fieldwork progress ---- */

/* The row's channel counts as a JSON object member "responses":{...}. */
static void json_responses(struct strbuf *sb, const struct progress_row *row)
{
	size_t k;

	jsonw_member(sb, "responses");
	strbuf_putc(sb, '{');
	for (k = 0; k < FORM_NCHANNELS; k++)
		jsonw_member_int(sb, form_channels[k].code, row->n[k]);
	strbuf_putc(sb, '}');
	jsonw_member_int(sb, "total", row->total);
	jsonw_member_num(sb, "share", progress_share(row));
	jsonw_member_int(sb, "population", row->population);
	jsonw_member_int(sb, "invited", row->invited);
	jsonw_member_int(sb, "used", row->used);
	jsonw_member_num(sb, "response_rate", progress_response_rate(row));
}

static void csv_row(struct strbuf *sb, const struct progress_row *row)
{
	size_t k;

	csv_write_text(sb, row->stratum, strlen(row->stratum), ',');
	strbuf_putc(sb, ',');
	csv_write_field(sb, row->agency, strlen(row->agency), ',');
	if (row->target >= 0)
		strbuf_printf(sb, ",%lld", row->target);
	else
		strbuf_putc(sb, ',');
	for (k = 0; k < FORM_NCHANNELS; k++)
		strbuf_printf(sb, ",%lld", row->n[k]);
	strbuf_printf(sb, ",%lld,", row->total);
	if (row->target > 0)
		strbuf_printf(sb, "%.4f", progress_share(row));
	strbuf_printf(sb, ",%lld,%lld,%lld,", row->population, row->invited, row->used);
	if (row->invited > 0)
		strbuf_printf(sb, "%.4f", progress_response_rate(row));
	strbuf_puts(sb, "\r\n");
}

int handle_progress(struct http_req *req)
{
	struct analyst_ctx *x = NULL;
	struct progress p = { NULL, 0, 0 };
	struct progress_row sum = { .target = 0 };
	struct strbuf sb;
	size_t i, k, shown = 0;
	int r, csv;

	if ((csv = want_csv(req)) < 0)
		return analyst_bad(req, "format must be json or csv");
	if ((r = analyst_open(req, req->params[0], true, &x)) != 0)
		return r;
	if ((r = progress_load(x->c, x->fe->survey.id, &p)) < 0)
		return r;
	if (csv && (r = analyst_audit(x->c, x->fe, req, "progress", "csv")) < 0) {
		progress_done(&p);
		return r;
	}
	db_release(x->c);
	x->c = NULL;
	strbuf_init(&sb, 0);
	if (csv) {
		strbuf_puts(&sb, "stratum,agency,target");
		for (k = 0; k < FORM_NCHANNELS; k++)
			strbuf_printf(&sb, ",%s", form_channels[k].code);
		strbuf_puts(&sb, ",total,share,population,invited,used,response_rate\r\n");
	} else {
		strbuf_putc(&sb, '{');
		jsonw_member_str(&sb, "survey", x->fe->survey.code);
		jsonw_member(&sb, "rows");
		strbuf_putc(&sb, '[');
	}
	for (i = 0; i < p.n; i++) {
		const struct progress_row *row = &p.rows[i];

		if (!auth_may_agency(&req->auth, row->agency))
			continue;
		progress_row_add(&sum, row);
		if (csv) {
			csv_row(&sb, row);
			continue;
		}
		strbuf_puts(&sb, shown++ ? ",{" : "{");
		jsonw_member_str(&sb, "stratum", row->stratum);
		jsonw_member_str(&sb, "agency", row->agency);
		if (row->target >= 0)
			jsonw_member_int(&sb, "target", row->target);
		else
			jsonw_member_str(&sb, "target", NULL);
		json_responses(&sb, row);
		strbuf_putc(&sb, '}');
	}
	progress_done(&p);
	if (csv) {
		http_add_header(req, "Content-Disposition", "attachment; filename=\"progress.csv\"");
		return http_reply_buf(req, 200, "text/csv; charset=utf-8", &sb);
	}
	strbuf_putc(&sb, ']');
	jsonw_member(&sb, "total");
	strbuf_putc(&sb, '{');
	jsonw_member_int(&sb, "target", sum.target);
	json_responses(&sb, &sum);
	strbuf_puts(&sb, "}}\n");
	return http_reply_buf(req, 200, "application/json", &sb);
}
