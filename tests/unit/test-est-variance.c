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
	0x0ff3d65ade10f3e5ull, 0x92c0aeee230b47e5ull, 0xded074838c20133dull,
	0xc6955797b7897e05ull, 0x88dd4b548effc565ull, 0xa33a63f9061027c5ull,
	0xa06afe1174cdbabdull, 0x268c9cd924e39a05ull, 0x46cc940c358a08a5ull,
	0xf6c75df1f77782d5ull, 0x891bd7f550d38245ull, 0x97080a84d4a7846dull,
	0x8f51be7eea13d1c5ull, 0xb3a62d66c1dcb7a5ull, 0x69cf5b1e3c8a0a8dull,
	0xaac33e7776579045ull, 0x49c701d3614b184dull, 0x23b6024dfc885445ull,
	0x538e953d790b7f9dull, 0xed537aa9491e0405ull, 0xb15a6cf50191b065ull,
	0x51efdae84a938ae5ull, 0xf67339f23dc78de5ull, 0x97714b46e337b655ull,
	0x937690f0a3309a20ull, 0xc1866c264f30ffa0ull, 0x59dfb8a998fe2638ull,
	0x9b4131429c3dc6aaull, 0x88068b634f711dabull, 0x869c8b960a322d45ull,
	0xea6f7576c921c659ull, 0xf3cb528c8c7dde6dull, 0x7623146b081f6039ull,
	0x76601a74227bf761ull, 0x1c86b07a69d5deb4ull, 0xfe5745f1338889c0ull,
	0xdd1a00ddceecee1dull, 0x59878576c35a8ae6ull, 0xc017269f233c4189ull,
	0x90969b5d89345eddull, 0x1c23feb31faa7f4aull, 0x63b64f3f9af9390cull,
	0xa08039dd5d50d805ull, 0x1ad07da0f2ebd491ull, 0x42bb9a48093ae15eull,
	0xbc7e73c060c42fc8ull, 0xbc3ac4fbbb28bf06ull, 0xaeb7003a301d2041ull,
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
