/* sample.c - the draw: order sampling with uniform keys within each agency (see sample.h). */
#include "sample.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pick {
	uint64_t u, key;
	long row;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t sample_priority(uint64_t seed, const char *agency, uint64_t key)
{
	uint64_t s = mix64(seed ^ registry_hash(agency, strlen(agency), 0x5eed));

	return mix64(mix64(s ^ key) + s);
}

static int pick_less(const struct pick *a, const struct pick *b)
{
	return a->u != b->u ? a->u < b->u : a->key < b->key;
}

/* Max-heap of the m smallest picks seen so far: the root is the largest kept. */
static void sift_down(struct pick *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, big = i;
		struct pick t;

		if (l < n && pick_less(&h[big], &h[l]))
			big = l;
		if (r < n && pick_less(&h[big], &h[r]))
			big = r;
		if (big == i)
			return;
		t = h[i];
		h[i] = h[big];
		h[big] = t;
		i = big;
	}
}

static void sift_up(struct pick *h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		struct pick t;

		if (!pick_less(&h[parent], &h[i]))
			return;
		t = h[i];
		h[i] = h[parent];
		h[parent] = t;
		i = parent;
	}
}

/* Draws m of agency h's units into heap (m entries). */
static void draw_agency(const struct registry *g, size_t h, uint64_t seed, size_t m, struct pick *heap)
{
	size_t i, n = (size_t)registry_agency_units(g, h), kept = 0;
	const char *code = registry_agency_code(g, h);

	for (i = 0; i < n && m > 0; i++) {
		struct pick p;

		p.key = registry_unit_key(g, h, i);
		p.u = sample_priority(seed, code, p.key);
		p.row = registry_unit_row(g, h, i);
		if (kept < m) {
			heap[kept] = p;
			sift_up(heap, kept++);
		} else if (pick_less(&p, &heap[0])) {
			heap[0] = p;
			sift_down(heap, m, 0);
		}
	}
}

static int cmp_row(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	return x->row < y->row ? -1 : x->row > y->row;
}

int sample_plan_make(const struct registry *g, const struct sample_size_params *p, uint64_t seed,
		     struct sample_plan *out)
{
	struct sample_plan plan;
	struct pick *all = NULL;
	size_t h, na = registry_agency_count(g), total = 0, k, i;
	double n0 = sample_size_n0(p);
	int r = -ENOMEM;

	memset(&plan, 0, sizeof plan);
	if (!(plan.strata = calloc(na ? na : 1, sizeof *plan.strata)))
		goto fail;
	for (h = 0; h < na; h++) {
		struct sample_stratum *s = &plan.strata[plan.nstrata];
		long long N = registry_agency_units(g, h);

		if (N == 0)
			continue;
		snprintf(s->agency, sizeof s->agency, "%s", registry_agency_code(g, h));
		s->population = N;
		s->target = sample_size_target(n0, N, p->min);
		s->invitations = sample_size_invitations(s->target, N, p->response_rate);
		total += (size_t)s->invitations;
		plan.nstrata++;
		if (total > (size_t)SAMPLE_MAX_INVITATIONS) {
			r = -E2BIG;
			goto fail;
		}
	}
	all = calloc(total ? total : 1, sizeof *all);
	plan.rows = calloc(total ? total : 1, sizeof *plan.rows);
	plan.stratum_of = calloc(total ? total : 1, sizeof *plan.stratum_of);
	if (!all || !plan.rows || !plan.stratum_of)
		goto fail;
	for (h = 0, k = 0, i = 0; h < na; h++) {
		size_t m;

		if (registry_agency_units(g, h) == 0)
			continue;
		m = (size_t)plan.strata[k].invitations;
		draw_agency(g, h, seed, m, all + i);
		for (size_t j = 0; j < m; j++)
			all[i + j].key = k;       /* from here on: the stratum */
		i += m;
		k++;
	}
	qsort(all, total, sizeof *all, cmp_row);
	for (i = 0; i < total; i++) {
		plan.rows[i] = all[i].row;
		plan.stratum_of[i] = (size_t)all[i].key;
	}
	plan.nrows = total;
	free(all);
	*out = plan;
	return 0;
fail:
	free(all);
	sample_plan_done(&plan);
	return r;
}

void sample_plan_done(struct sample_plan *p)
{
	if (!p)
		return;
	free(p->strata);
	free(p->rows);
	free(p->stratum_of);
	memset(p, 0, sizeof *p);
}
