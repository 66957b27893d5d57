/* est-rounds.c - this round against another, group by group (see est-rounds.h). */
#include "est-rounds.h"

#include <string.h>

#include "jsonw.h"

#define TRY(x) do { int r_ = (x); if (r_ < 0) return r_; } while (0)

long est_rounds_match_estimate(const struct form *f, size_t what, const struct form *g)
{
	const char *id = est_id(f, what);
	size_t j;

	for (j = 0; j < g->nindices + g->nitems; j++)
		if (!strcmp(est_id(g, j), id))
			return (long)j;
	return -1;
}

const struct est_report_group *est_rounds_match_group(const struct est_report_group *a,
						      const struct est_report_group *b, size_t nb, size_t nby)
{
	size_t i, k;

	for (i = 0; i < nb; i++) {
		if (!a->by_values || !b[i].by_values) {
			if (!a->by_values && !b[i].by_values)
				return &b[i];
			continue;
		}
		for (k = 0; k < nby && !strcmp(a->by_values[k], b[i].by_values[k]); k++)
			;
		if (k == nby)
			return &b[i];
	}
	return NULL;
}

static int json_comparisons(struct strbuf *sb, const struct est_rounds *r, const struct est_group *ga,
			    const struct est_group *gb)
{
	size_t i, n = 0;

	TRY(jsonw_member(sb, "comparisons"));
	TRY(strbuf_putc(sb, '['));
	for (i = 0; i < r->form->nindices + r->form->nitems; i++) {
		long j = est_rounds_match_estimate(r->form, i, r->against_form);
		struct est_contrast c;

		if (j < 0)
			continue;
		est_compare_rounds(&ga->est[i], &gb->est[j], &c);
		TRY(strbuf_puts(sb, n++ ? ",{" : "{"));
		TRY(jsonw_member_str(sb, "index", est_id(r->form, i)));
		TRY(jsonw_member_str(sb, "label", est_label(r->form, i)));
		TRY(jsonw_member_num(sb, "estimate", c.est_a));
		TRY(jsonw_member_num(sb, "against", c.est_b));
		TRY(jsonw_member_num(sb, "diff", c.diff));
		TRY(jsonw_member_num(sb, "se", c.se));
		TRY(jsonw_member_int(sb, "df", c.df));
		TRY(jsonw_member_num(sb, "t", c.t));
		TRY(jsonw_member_num(sb, "p_value", c.p_value));
		TRY(jsonw_member_int(sb, "n", (long long)c.n_a));
		TRY(jsonw_member_int(sb, "n_against", (long long)c.n_b));
		TRY(strbuf_putc(sb, '}'));
	}
	return strbuf_putc(sb, ']');
}

int est_rounds_json(struct strbuf *sb, const struct est_rounds *r)
{
	size_t i, n = 0;

	TRY(strbuf_putc(sb, '{'));
	TRY(jsonw_member_str(sb, "survey", r->survey));
	TRY(jsonw_member_str(sb, "against", r->against));
	TRY(jsonw_member_str(sb, "method", "independent samples: se = sqrt(se1^2 + se2^2), t on df = min(df1, df2)"));
	TRY(jsonw_member_num(sb, "confidence", r->options->confidence));
	TRY(jsonw_member(sb, "groups"));
	TRY(strbuf_putc(sb, '['));
	for (i = 0; i < r->na; i++) {
		const struct est_report_group *ga = &r->a[i], *gb = est_rounds_match_group(ga, r->b, r->nb, r->nby);

		if (!gb)
			continue;
		TRY(strbuf_puts(sb, n++ ? ",{" : "{"));
		TRY(est_report_by_json(sb, r->nby, r->by_names, r->by_numeric, ga->by_values));
		TRY(jsonw_member_int(sb, "n", (long long)ga->group->n));
		TRY(jsonw_member_int(sb, "n_against", (long long)gb->group->n));
		TRY(json_comparisons(sb, r, ga->group, gb->group));
		TRY(strbuf_putc(sb, '}'));
	}
	TRY(strbuf_putc(sb, ']'));
	/* the whole round's comparisons again, as before there were groups */
	if (r->na && r->nb)
		TRY(json_comparisons(sb, r, r->a[0].group, r->b[0].group));
	return strbuf_puts(sb, "}\n");
}
