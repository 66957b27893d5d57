/* est-output.c - writing estimates as JSON (docs/formats.md, estimates JSON) or CSV. */
#include "est-output.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "dtoa.h"
#include "jsonw.h"

#define TRY(x) do { int r_ = (x); if (r_ < 0) return r_; } while (0)

const char *est_id(const struct form *f, size_t what)
{
	return what < f->nindices ? f->indices[what].id : f->questions[f->items[what - f->nindices]].id;
}

const char *est_label(const struct form *f, size_t what)
{
	return what < f->nindices ? f->indices[what].label : f->questions[f->items[what - f->nindices]].text;
}

int est_report_by_json(struct strbuf *sb, size_t nby, const char *const *names, const bool *numeric,
		       const char *const *values)
{
	size_t i;

	TRY(jsonw_member(sb, "by"));
	TRY(strbuf_putc(sb, '{'));
	for (i = 0; values && i < nby; i++) {
		TRY(jsonw_member(sb, names[i]));
		if (numeric && numeric[i])
			TRY(strbuf_puts(sb, values[i]));
		else
			TRY(jsonw_string(sb, values[i]));
	}
	return strbuf_putc(sb, '}');
}

static int json_estimate(struct strbuf *sb, const struct est_report *r, const struct est_estimate *e)
{
	char flags[96];

	TRY(strbuf_putc(sb, '{'));
	TRY(jsonw_member_str(sb, "index", est_id(r->form, e->what)));
	TRY(jsonw_member_str(sb, "label", est_label(r->form, e->what)));
	TRY(jsonw_member_num(sb, "estimate", e->estimate));
	TRY(jsonw_member_num(sb, "se", e->se));
	TRY(jsonw_member_num(sb, "ci_low", e->ci_low));
	TRY(jsonw_member_num(sb, "ci_high", e->ci_high));
	TRY(jsonw_member_int(sb, "df", e->df));
	TRY(jsonw_member_int(sb, "n", (long long)e->n));
	TRY(jsonw_member_num(sb, "deff", e->deff));
	TRY(jsonw_member_num(sb, "n_eff", e->n_eff));
	TRY(jsonw_member_str(sb, "flag", est_flags_str(e->flags, flags, sizeof flags)));
	if (r->options->has_baseline && !isnan(e->estimate)) {
		TRY(jsonw_member(sb, "vs_baseline"));
		TRY(strbuf_putc(sb, '{'));
		TRY(jsonw_member_num(sb, "diff", e->diff));
		TRY(jsonw_member_num(sb, "t", e->t));
		TRY(jsonw_member_num(sb, "p_value", e->p_value));
		TRY(strbuf_putc(sb, '}'));
	}
	return strbuf_putc(sb, '}');
}

int est_report_json(struct strbuf *sb, const struct est_report *r)
{
	const struct est_options *o = r->options;
	size_t gi;

	TRY(strbuf_putc(sb, '{'));
	TRY(jsonw_member_str(sb, "form", r->form->id));
	TRY(jsonw_member_num(sb, "confidence", o->confidence));
	TRY(jsonw_member_str(sb, "ci_method", est_ci_name(o->ci)));
	if (o->has_baseline) {
		TRY(jsonw_member(sb, "baseline"));
		TRY(strbuf_putc(sb, '{'));
		TRY(jsonw_member_num(sb, "value", o->baseline));
		if (r->baseline_label)
			TRY(jsonw_member_str(sb, "label", r->baseline_label));
		TRY(strbuf_putc(sb, '}'));
	}
	TRY(jsonw_member(sb, "groups"));
	TRY(strbuf_putc(sb, '['));
	for (gi = 0; gi < r->ngroups; gi++) {
		const struct est_report_group *rg = &r->groups[gi];
		const struct est_group *g = rg->group;

		if (gi)
			TRY(strbuf_putc(sb, ','));
		TRY(strbuf_putc(sb, '{'));
		TRY(est_report_by_json(sb, r->nby, r->by_names, r->by_numeric, rg->by_values));
		TRY(jsonw_member_int(sb, "n", (long long)g->n));
		TRY(jsonw_member(sb, "estimates"));
		TRY(strbuf_putc(sb, '['));
		{
			size_t k, nest = r->form->nindices + r->form->nitems;

			for (k = 0; k < nest; k++) {
				if (k)
					TRY(strbuf_putc(sb, ','));
				TRY(json_estimate(sb, r, &g->est[k]));
			}
		}
		TRY(strbuf_puts(sb, "]}"));
	}
	return strbuf_puts(sb, "]}\n");
}

/* A number cell: empty when not finite, else the shortest round-trip text. */
static int csv_number(struct strbuf *sb, double v)
{
	char buf[DTOA_BUF];
	size_t n;

	if (!isfinite(v))
		return 0;
	if (v == 0)
		return strbuf_putc(sb, '0');
	n = dtoa_shortest(buf, v);
	return strbuf_append(sb, buf, n);
}

#define CELL(k, t, v) TRY(fn(ud, &(struct est_cell){ (k), (t), (v) }))

int est_report_cells(const struct est_report *r, est_cell_fn fn, void *ud)
{
	static const char *const cols[] = { "group_n", "index", "label", "estimate", "se", "ci_low", "ci_high",
		"df", "n", "deff", "n_eff", "flag", "baseline", "diff", "t", "p_value" };
	const struct est_options *o = r->options;
	size_t gi, i, k, nest = r->form->nindices + r->form->nitems;
	char flags[96];

	for (i = 0; i < r->nby; i++)
		CELL(EST_CELL_TEXT, r->by_names[i], 0);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		CELL(EST_CELL_TEXT, cols[i], 0);
	CELL(EST_CELL_END, NULL, 0);
	for (gi = 0; gi < r->ngroups; gi++) {
		const struct est_report_group *rg = &r->groups[gi];
		const struct est_group *g = rg->group;

		for (k = 0; k < nest; k++) {
			const struct est_estimate *e = &g->est[k];
			bool has_test = o->has_baseline && !isnan(e->estimate);

			for (i = 0; i < r->nby; i++)
				CELL(r->by_numeric && r->by_numeric[i] ? EST_CELL_CODE : EST_CELL_TEXT,
				     rg->by_values ? rg->by_values[i] : "", 0);
			CELL(EST_CELL_INTEGER, NULL, (double)g->n);
			CELL(EST_CELL_TEXT, est_id(r->form, e->what), 0);
			CELL(EST_CELL_TEXT, est_label(r->form, e->what), 0);
			CELL(EST_CELL_NUMBER, NULL, e->estimate);
			CELL(EST_CELL_NUMBER, NULL, e->se);
			CELL(EST_CELL_NUMBER, NULL, e->ci_low);
			CELL(EST_CELL_NUMBER, NULL, e->ci_high);
			CELL(EST_CELL_INTEGER, NULL, (double)e->df);
			CELL(EST_CELL_INTEGER, NULL, (double)e->n);
			CELL(EST_CELL_NUMBER, NULL, e->deff);
			CELL(EST_CELL_NUMBER, NULL, e->n_eff);
			CELL(EST_CELL_TEXT, est_flags_str(e->flags, flags, sizeof flags), 0);
			CELL(EST_CELL_NUMBER, NULL, o->has_baseline ? o->baseline : NAN);
			CELL(EST_CELL_NUMBER, NULL, has_test ? e->diff : NAN);
			CELL(EST_CELL_NUMBER, NULL, has_test ? e->t : NAN);
			CELL(EST_CELL_NUMBER, NULL, has_test ? e->p_value : NAN);
			CELL(EST_CELL_END, NULL, 0);
		}
	}
	return 0;
}

struct csv_sink {
	struct strbuf *sb;
	bool first;       /* the next cell begins a row */
};

static int csv_cell(void *ud, const struct est_cell *c)
{
	struct csv_sink *s = ud;

	if (c->kind == EST_CELL_END) {
		s->first = true;
		return strbuf_puts(s->sb, "\r\n");
	}
	if (!s->first)
		TRY(strbuf_putc(s->sb, ','));
	s->first = false;
	switch (c->kind) {
	case EST_CELL_TEXT:
		return c->text ? csv_write_text(s->sb, c->text, strlen(c->text), ',') : 0;
	case EST_CELL_CODE:
		return c->text ? csv_write_field(s->sb, c->text, strlen(c->text), ',') : 0;
	case EST_CELL_INTEGER:
		return strbuf_printf(s->sb, "%.0f", c->number);
	default:
		return csv_number(s->sb, c->number);
	}
}

int est_report_csv(struct strbuf *sb, const struct est_report *r)
{
	struct csv_sink s = { sb, true };

	return est_report_cells(r, csv_cell, &s);
}
