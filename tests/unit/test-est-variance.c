/* test-est-variance.c - the per-stratum variance loop that est_compute and est_compare_groups
 * share, pinned to the last bit.
 *
 * 48 deterministic designs (no clusters, some, all; weights given or from the frame; a frame or
 * none; fpc with the rows or not; a lonely stratum or none), each computed under the four
 * lonely-PSU rules and the three interval methods (est_compute, with a baseline) and for four
 * pairs of groups (est_compare_groups). Every number of every result (the bits of the doubles,
 * the integers, the flags, the return codes) goes into a 64-bit FNV-1a digest per design and
 * caller. The digests below were printed (`test-est-variance --print`) by the two separate
 * loops before they became one; equal digests mean both callers give what they gave then,
 * bit for bit. The other unit tests check that those figures are right. The est_compute digests
 * were printed again when the t and beta quantiles became est-quantile.c's (the interval ends
 * moved in their last bits; the est_compare_groups digests, which hold no interval, did not). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>

#include "est-compare.h"
#include "est-compute.h"
#include "fixture-est.h"
#include "form.h"
#include "frame.h"
#include "test.h"

#define NROWS 240
#define NSTRATA 5
#define NSCEN 48

static const uint64_t pinned_compute[NSCEN] = {
	0x2316b3ecf2c28c35ull, 0x1391931593cdd29dull, 0x538fe0e4e3e15ce5ull,
	0x2cfbcde112f18095ull, 0x9b2e9501b7ab91cdull, 0xa1a9618405c06185ull,
	0xdb66d451cb8b867dull, 0x9b190431f7440cc5ull, 0xb492c68932a12c75ull,
	0xf3abf447d9787565ull, 0xb07dbba569a7bd05ull, 0x43759bbe3b40aa05ull,
	0xbc183834cdb167ddull, 0xaab9dc45c7789d3dull, 0xc97432f6c9d80c05ull,
	0x9fa9e2f7cb26f425ull, 0x405898b59dc2b755ull, 0xacbc8d00d87dca2dull,
	0x23527c5c7f821c3dull, 0xf79b8924791e235dull, 0x79485bdfc0225f95ull,
	0x3582b093f7a1ff35ull, 0xde52849ed8241085ull, 0x103519419640f545ull,
	0x50e6df614a894616ull, 0x3bd36481b371654dull, 0x8e4e00014a888f4eull,
	0xb6c9a592384dda0bull, 0x16665371f1683d62ull, 0x41f91b0ade6b9992ull,
	0x54888a88d69a0e9dull, 0x2946eb146200dc18ull, 0x5a33d4550914ab40ull,
	0xab76c4d7d986b2f7ull, 0x481ee0f5aebe6237ull, 0x27a6179a1961a4a5ull,
	0xa8bd9d59a255aba4ull, 0xb8d200d60632fc28ull, 0xecf8804a0c12a83eull,
	0x531e06d5f4a7b3e4ull, 0xe26becf810f48a33ull, 0xc8c6b63e1b15cc3aull,
	0x2405a29f35eb2374ull, 0xb410eccb117cfc4bull, 0x884ead424aab84f2ull,
	0x8a24dedbdb6ecee8ull, 0x00b27722eba8427aull, 0x5158ae703e6b0fa7ull,
};
static const uint64_t pinned_compare[NSCEN] = {
	0x6f35775183dae68dull, 0x69fc8d9dc91598f5ull, 0x2a16885d37c92ed5ull,
	0x967f353b9afdf735ull, 0x6dd412bb20aa9eedull, 0xce460ef210895665ull,
	0x9197ca13fc9979e5ull, 0x1205f0eb051f0dd5ull, 0xf13698160e449375ull,
	0x89d5f8ab6eaf979dull, 0x7ca4d06f7d7dfbf5ull, 0x0b2d27ecac48e695ull,
	0x231e2c955f923a9dull, 0x9b44f71f093e9205ull, 0x5d59ffb777f5da0dull,
	0xf9d260436d103ed5ull, 0xa6239cf56b713a15ull, 0xa3917e1f19f430cdull,
	0x68a252ce1f135ae5ull, 0xeabd05e22e285ca5ull, 0x659ec9275ba965bdull,
	0x26cd16e84481a625ull, 0x6879db585a0173f5ull, 0x70ec9f75d9a88cf5ull,
	0xf389fc2d58605c9full, 0x7dcc088664654f8bull, 0x32d336285e058e13ull,
	0x5f6cbf9f2978ca61ull, 0x2b67bae629a03113ull, 0xd8828825b08fe767ull,
	0x40d1e4538a7474c9ull, 0xdffa483d5e290bd5ull, 0x730d44ab756eae8dull,
	0x1e104af636edb007ull, 0x1a65655f5dd5c193ull, 0x947728cfd9699e5bull,
	0xcf72bd81c308169full, 0xba82ec39c1ffd6efull, 0xc031675468447431ull,
	0xe3d62db81d545fddull, 0xb32471d5ee63a280ull, 0x1902afdfdb2aa758ull,
	0x7d12c2b64716da2bull, 0x3e639d0ab1db071dull, 0xdd44a1a62adaebbdull,
	0x44e8b77c0ba9492dull, 0xb74f8aa96aeac986ull, 0x2edf0fb94ae3e088ull,
};

static uint64_t rng;

static double unif(void)
{
	return fixture_unif(&rng);
}

static int irand(int n)
{
	return (int)(unif() * n);
}

static void mix(uint64_t *h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ull;
	}
}

static void mix_d(uint64_t *h, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof u);
	mix(h, &u, sizeof u);
}

static void mix_i(uint64_t *h, long long v)
{
	mix(h, &v, sizeof v);
}

struct scen {
	int clusters;        /* 0 none, 1 four rows in five, 2 all */
	bool given, frame, rows_fpc, lonely;
};

static struct scen scenario(int i)
{
	return (struct scen){ i % 3, (i / 3) % 2, (i / 6) % 2, (i / 12) % 2, (i / 24) % 2 };
}

static double population(int h)
{
	return NROWS * (2.0 + h);
}

static struct est_design *build(const struct form *f, const struct scen *s, int seed)
{
	struct est_design *d = NULL;

	rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)(seed + 1) * 0xBF58476D1CE4E5B9ull;
	CHECK_OK(est_design_new(f, &d));
	for (int i = 0; i < NROWS; i++) {
		int h = s->lonely ? (i == 0 ? 0 : 1 + irand(NSTRATA - 1)) : irand(NSTRATA);
		int g = irand(3), psu = irand(6);
		bool clustered = s->clusters == 2 || (s->clusters == 1 && unif() < 0.8);
		double bias = unif(), w = 1 + h + 4 * unif();
		char group[8], stratum[8], psuid[8];
		int16_t codes[5];

		if (s->lonely && i == 0)
			clustered = false;
		codes[0] = (int16_t)(1 + g % 2);    /* the single-choice question, no item */
		for (int k = 1; k < 5; k++)
			codes[k] = unif() < 0.15 ? FORM_NO_ANSWER : (int16_t)(unif() < bias ? 4 + irand(2) : 1 + irand(3));
		if (h == 2)
			codes[4] = 5;            /* Q4 all positive in a stratum: se 0 in some groups */
		if (g == 2 && h == 3)
			codes[3] = FORM_NO_ANSWER;
		snprintf(group, sizeof group, "G%d", g);
		snprintf(stratum, sizeof stratum, "S%d", h);
		snprintf(psuid, sizeof psuid, "p%d", psu);
		struct est_row row = { group, stratum, clustered ? psuid : NULL, s->given ? w : NAN,
			s->rows_fpc ? population(h) : NAN, codes };
		CHECK_OK(est_design_add(d, &row, NULL));
	}
	return d;
}

static struct est_frame *frame_for(const struct scen *s)
{
	struct est_frame *fr = NULL;

	if (!s->frame)
		return NULL;
	CHECK_OK(est_frame_new(&fr));
	for (int h = 0; h < NSTRATA; h++) {
		char name[8];

		snprintf(name, sizeof name, "S%d", h);
		CHECK_OK(est_frame_set(fr, name, population(h), NAN));
	}
	return fr;
}

static uint64_t digest_compute(const struct form *f, const struct scen *s, int seed)
{
	uint64_t h = 0xcbf29ce484222325ull;
	struct est_frame *fr = frame_for(s);

	for (int lonely = 0; lonely < 4; lonely++)
		for (int ci = 0; ci < 3; ci++) {
			struct est_design *d = build(f, s, seed);
			struct est_options o = { 0.95, (enum est_ci)ci, (enum est_lonely)lonely, true, 60 };
			struct est_results *res = NULL;
			struct est_error err = { "", "", "" };
			int r = est_compute(d, fr, &o, &res, &err);

			mix_i(&h, r);
			if (r == 0) {
				for (size_t g = 0; g < res->ngroups; g++) {
					const struct est_group *gr = &res->groups[g];

					mix_i(&h, gr->group);
					mix_i(&h, (long long)gr->n);
					mix_i(&h, gr->df);
					for (size_t k = 0; k < res->nest; k++) {
						const struct est_estimate *e = &gr->est[k];

						mix_i(&h, (long long)e->what);
						mix_d(&h, e->estimate);
						mix_d(&h, e->se);
						mix_d(&h, e->ci_low);
						mix_d(&h, e->ci_high);
						mix_i(&h, e->df);
						mix_i(&h, (long long)e->n);
						mix_d(&h, e->deff);
						mix_d(&h, e->n_eff);
						mix_i(&h, e->flags);
						mix_d(&h, e->diff);
						mix_d(&h, e->t);
						mix_d(&h, e->p_value);
					}
				}
			} else {
				mix(&h, err.code, strlen(err.code));
			}
			est_results_free(res);
			est_design_free(d);
		}
	est_frame_free(fr);
	return h;
}

static uint64_t digest_compare(const struct form *f, const struct scen *s, int seed)
{
	static const char *const pairs[4][2] = { { "G0", "G1" }, { "G1", "G2" }, { "G0", "G2" }, { "G2", "G0" } };
	uint64_t h = 0xcbf29ce484222325ull;
	struct est_frame *fr = frame_for(s);
	size_t nest = f->nindices + f->nitems;

	for (int lonely = 0; lonely < 4; lonely++)
		for (int p = 0; p < 4; p++) {
			struct est_design *d = build(f, s, seed);
			struct est_options o = { 0.95, EST_CI_LOGIT, (enum est_lonely)lonely, false, 0 };
			struct est_contrast out[16];
			struct est_error err = { "", "", "" };
			int r = est_compare_groups(d, fr, &o, pairs[p][0], pairs[p][1], out, &err);

			mix_i(&h, r);
			if (r == 0) {
				for (size_t k = 0; k < nest; k++) {
					const struct est_contrast *c = &out[k];

					mix_i(&h, (long long)c->what);
					mix_d(&h, c->est_a);
					mix_d(&h, c->est_b);
					mix_d(&h, c->diff);
					mix_d(&h, c->se);
					mix_i(&h, c->df);
					mix_d(&h, c->t);
					mix_d(&h, c->p_value);
					mix_i(&h, (long long)c->n_a);
					mix_i(&h, (long long)c->n_b);
				}
			} else {
				mix(&h, err.code, strlen(err.code));
			}
			est_design_free(d);
		}
	est_frame_free(fr);
	return h;
}

int main(int argc, char **argv)
{
	bool print = argc > 1 && !strcmp(argv[1], "--print");
	struct form *f = NULL;
	uint64_t dc[NSCEN], dp[NSCEN];

	f = fixture_form(fixture_est_form_json);
	CHECK(f->nindices + f->nitems <= 16);
	for (int i = 0; i < NSCEN; i++) {
		struct scen s = scenario(i);

		dc[i] = digest_compute(f, &s, i);
		dp[i] = digest_compare(f, &s, i);
		if (print)
			continue;
		if (dc[i] != pinned_compute[i])
			TEST_FAIL_("design %d: est_compute digest 0x%016" PRIx64 ", pinned 0x%016" PRIx64,
				   i, dc[i], pinned_compute[i]);
		if (dp[i] != pinned_compare[i])
			TEST_FAIL_("design %d: est_compare_groups digest 0x%016" PRIx64 ", pinned 0x%016" PRIx64,
				   i, dp[i], pinned_compare[i]);
	}
	if (print) {
		for (int w = 0; w < 2; w++) {
			printf("static const uint64_t pinned_%s[NSCEN] = {\n", w ? "compare" : "compute");
			for (int i = 0; i < NSCEN; i++)
				printf("%s0x%016" PRIx64 "ull,%s", i % 3 ? " " : "\t", (w ? dp : dc)[i], i % 3 == 2 ? "\n" : "");
			printf("};\n");
		}
	}
	form_free(f);
	TEST_DONE();
}
