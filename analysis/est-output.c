/* est-output.c - writing estimates as JSON (docs/formats.md, estimates JSON) or CSV. */
#include "est-output.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
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
	char buf[32];
	int prec;

	TRY(strbuf_putc(sb, ','));
	if (!isfinite(v))
		return 0;
	if (v == 0)
		return strbuf_putc(sb, '0');
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return strbuf_puts(sb, buf);
}

static int csv_text(struct strbuf *sb, const char *s, bool first)
{
	if (!first)
		TRY(strbuf_putc(sb, ','));
	return s ? csv_write_field(sb, s, strlen(s), ',') : 0;
}

int est_report_csv(struct strbuf *sb, const struct est_report *r)
{
	static const char *const cols[] = { "group_n", "index", "label", "estimate", "se", "ci_low", "ci_high",
		"df", "n", "deff", "n_eff", "flag", "baseline", "diff", "t", "p_value" };
	const struct est_options *o = r->options;
	size_t gi, i, k, nest = r->form->nindices + r->form->nitems;
	char flags[96];

	for (i = 0; i < r->nby; i++)
		TRY(csv_text(sb, r->by_names[i], i == 0));
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		TRY(csv_text(sb, cols[i], r->nby == 0 && i == 0));
	TRY(strbuf_puts(sb, "\r\n"));
	for (gi = 0; gi < r->ngroups; gi++) {
		const struct est_report_group *rg = &r->groups[gi];
		const struct est_group *g = rg->group;

		for (k = 0; k < nest; k++) {
			const struct est_estimate *e = &g->est[k];
			bool has_test = o->has_baseline && !isnan(e->estimate);

			for (i = 0; i < r->nby; i++)
				TRY(csv_text(sb, rg->by_values ? rg->by_values[i] : "", i == 0));
			if (r->nby)
				TRY(strbuf_putc(sb, ','));
			TRY(strbuf_printf(sb, "%llu", (unsigned long long)g->n));
			TRY(csv_text(sb, est_id(r->form, e->what), false));
			TRY(csv_text(sb, est_label(r->form, e->what), false));
			TRY(csv_number(sb, e->estimate));
			TRY(csv_number(sb, e->se));
			TRY(csv_number(sb, e->ci_low));
			TRY(csv_number(sb, e->ci_high));
			TRY(strbuf_printf(sb, ",%ld,%llu", e->df, (unsigned long long)e->n));
			TRY(csv_number(sb, e->deff));
			TRY(csv_number(sb, e->n_eff));
			TRY(csv_text(sb, est_flags_str(e->flags, flags, sizeof flags), false));
			TRY(csv_number(sb, o->has_baseline ? o->baseline : NAN));
			TRY(csv_number(sb, has_test ? e->diff : NAN));
			TRY(csv_number(sb, has_test ? e->t : NAN));
			TRY(csv_number(sb, has_test ? e->p_value : NAN));
			TRY(strbuf_puts(sb, "\r\n"));
		}
	}
	return 0;
}
