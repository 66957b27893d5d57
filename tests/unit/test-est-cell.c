/* test-est-cell.c - the kept aggregates' bytes: cells and PSUs round-trip bit for bit (edge
 * values: NaN, infinities, −0, subnormals, the largest counts, no moments, a mean without M2),
 * bytes of another layout or form are refused, and a design sent through its bytes computes
 * the same estimates to the last bit. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "est-cell.h"
#include "est-compute.h"
#include "fixture-est.h"
#include "form.h"
#include "test.h"

static const char form_json[] =
	"{\"id\":\"c\",\"version\":1,\"title\":\"c\",\"respondent\":\"individual\","
	"\"scales\":{\"l5\":{\"codes\":[1,2,3,4,5],\"labels\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"positive\":[4,5]}},"
	"\"sections\":[{\"id\":\"A\",\"title\":\"A\",\"questions\":["
	"{\"id\":\"Q1\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q2\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q3\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"}]}],"
	"\"indices\":[{\"id\":\"all\",\"label\":\"I\",\"of\":[\"E1\",\"Q3\"]},"
	"{\"id\":\"E1\",\"label\":\"E\",\"of\":[\"Q1\",\"Q2\"]}]}";

/* The same items, another index: other dimensions in the header. */
static const char other_json[] =
	"{\"id\":\"c\",\"version\":2,\"title\":\"c\",\"respondent\":\"individual\","
	"\"scales\":{\"l5\":{\"codes\":[1,2,3,4,5],\"labels\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"positive\":[4,5]}},"
	"\"sections\":[{\"id\":\"A\",\"title\":\"A\",\"questions\":["
	"{\"id\":\"Q1\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q2\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q3\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"}]}],"
	"\"indices\":[{\"id\":\"all\",\"label\":\"I\",\"of\":[\"Q1\",\"Q2\",\"Q3\"]}]}";

#define DIM 6
#define PACKED (DIM * (DIM + 1) / 2)

static bool same_bits(const void *a, const void *b, size_t len)
{
	return memcmp(a, b, len) == 0;
}

/* Encodes v, decodes it, and checks every field bit for bit. */
static void round_trip(const struct form *f, const struct est_cell_view *v)
{
	struct est_cell_decoder s;
	struct est_cell_view back;
	struct strbuf sb;
	size_t need = 48 + (v->moments && v->moments->m ? DIM : 0) * sizeof(double) +
		      (v->moments && v->moments->m && v->moments->m2 ? PACKED : 0) * sizeof(double) + 5 * sizeof(uint64_t);

	strbuf_init(&sb, 0);
	CHECK_OK(est_cell_decoder_init(&s, f));
	CHECK_OK(est_cell_encode(&sb, f, v));
	CHECK_INT(sb.len, need);
	memset(&back, 0, sizeof back);
	CHECK_INT(est_cell_decode(&s, "g", "h", sb.buf, sb.len, &back), 0);
	CHECK_STR(back.group, "g");
	CHECK_STR(back.stratum, "h");
	CHECK_INT(back.rows, v->rows);
	CHECK_INT(back.weighting, v->weighting);
	CHECK(same_bits(&back.fpc, &v->fpc, sizeof(double)));
	if (v->moments && v->moments->m) {
		CHECK(back.moments != NULL);
		if (back.moments) {
			CHECK_INT(back.moments->m, v->moments->m);
			CHECK_INT(back.moments->dim, DIM);
			CHECK(same_bits(back.moments->mean, v->moments->mean, DIM * sizeof(double)));
			CHECK((back.moments->m2 != NULL) == (v->moments->m2 != NULL));
			if (v->moments->m2 && back.moments->m2)
				CHECK(same_bits(back.moments->m2, v->moments->m2, PACKED * sizeof(double)));
		}
	} else {
		CHECK(back.moments == NULL);
	}
	CHECK(same_bits(back.nvalid, v->nvalid, 3 * sizeof(uint64_t)));
	CHECK(same_bits(back.nindex, v->nindex, 2 * sizeof(uint64_t)));
	/* encoding what was decoded gives the same bytes */
	{
		struct strbuf again;

		strbuf_init(&again, 0);
		CHECK_OK(est_cell_encode(&again, f, &back));
		CHECK(again.len == sb.len && same_bits(again.buf, sb.buf, sb.len));
		strbuf_done(&again);
	}
	est_cell_decoder_done(&s);
	strbuf_done(&sb);
}

static void test_round_trip(void)
{
	struct form *f = fixture_form(form_json);
	double mean[DIM] = { 0.0, -0.0, DBL_MIN / 4, DBL_MAX, -INFINITY, NAN };
	double m2[PACKED];
	uint64_t nvalid[3] = { 0, 1, UINT64_MAX }, nindex[2] = { UINT64_MAX - 1, 42 };
	struct est_block blk = { DIM, 7, mean, m2, true };
	struct est_cell_view v = { "a", "s", 9, EST_W_GIVEN, NAN, &blk, nvalid, nindex };
	size_t i;

	for (i = 0; i < PACKED; i++)
		m2[i] = i % 3 ? 1.0 / (double)(i + 1) : -(double)i * 1e300;
	m2[PACKED - 1] = 4.9406564584124654e-324;      /* the smallest subnormal */
	round_trip(f, &v);                              /* mean and M2, fpc NAN */
	blk.m2 = NULL;
	v.fpc = 1234.5;
	v.weighting = EST_W_FRAME;
	round_trip(f, &v);                              /* a mean without M2 (one clustered row's block) */
	blk.m = 0;
	v.fpc = INFINITY;
	round_trip(f, &v);                              /* m = 0: no moments written */
	v.moments = NULL;
	v.rows = UINT64_MAX;
	v.weighting = EST_W_NONE;
	v.fpc = -0.0;
	round_trip(f, &v);                              /* only clustered rows: no block at all */
	blk.m = UINT64_MAX;
	blk.m2 = m2;
	v.moments = &blk;
	round_trip(f, &v);                              /* m = rows = the largest count */
	form_free(f);
}

static void test_refused(void)
{
	struct form *f = fixture_form(form_json), *g = fixture_form(other_json);
	double mean[DIM] = { 1, 2, 3, 4, 5, 6 }, m2[PACKED] = { 0 };
	uint64_t nvalid[3] = { 1, 2, 3 }, nindex[2] = { 4, 5 };
	struct est_block blk = { DIM, 3, mean, m2, true };
	struct est_cell_view v = { "a", "s", 5, EST_W_GIVEN, NAN, &blk, nvalid, nindex }, out;
	struct est_cell_decoder s, sg;
	struct est_psu_view pv;
	struct strbuf sb;
	char *bad;
	size_t n;
	uint32_t u32;
	uint64_t u64;

	strbuf_init(&sb, 0);
	CHECK_OK(est_cell_decoder_init(&s, f));
	CHECK_OK(est_cell_decoder_init(&sg, g));
	CHECK_OK(est_cell_encode(&sb, f, &v));
	n = sb.len;
	bad = malloc(n + 1);
	memcpy(bad, sb.buf, n);
	bad[n] = 0;
	memset(&out, 0x5a, sizeof out);
	/* too short, one byte too many, the header alone */
	CHECK_INT(est_cell_decode(&s, "a", "s", bad, n - 1, &out), -EIO);
	CHECK_INT(est_cell_decode(&s, "a", "s", bad, n + 1, &out), -EIO);
	CHECK_INT(est_cell_decode(&s, "a", "s", bad, 47, &out), -EIO);
	CHECK_INT(est_cell_decode(&s, "a", "s", bad, 0, &out), -EIO);
	/* another form (2 indices against 1) */
	CHECK_INT(est_cell_decode(&sg, "a", "s", bad, n, &out), -EIO);
	/* the magic */
	memcpy(&u32, bad, 4);
	u32 ^= 1;
	memcpy(bad, &u32, 4);
	CHECK_INT(est_cell_decode(&s, "a", "s", bad, n, &out), -EIO);
	memcpy(bad, sb.buf, n);
	/* m > rows */
	u64 = 2;
	memcpy(bad + 16, &u64, 8);
	CHECK_INT(est_cell_decode(&s, "a", "s", bad, n, &out), -EIO);
	memcpy(bad, sb.buf, n);
	/* an unknown weighting */
	u32 = EST_W_GIVEN + 1;
	memcpy(bad + 40, &u32, 4);
	CHECK_INT(est_cell_decode(&s, "a", "s", bad, n, &out), -EIO);
	/* out untouched by every refusal */
	{
		struct est_cell_view poison;

		memset(&poison, 0x5a, sizeof poison);
		CHECK(same_bits(&out, &poison, sizeof out));
	}
	memcpy(bad, sb.buf, n);
	CHECK_INT(est_cell_decode(&s, "a", "s", bad, n, &out), 0);
	/* PSUs: exactly dim doubles */
	CHECK_INT(est_psu_encoded_len(f), DIM * sizeof(double));
	CHECK_INT(est_psu_decode(&s, "a", "s", "p", mean, DIM * sizeof(double) - 1, &pv), -EIO);
	CHECK_INT(est_psu_decode(&s, "a", "s", "p", mean, DIM * sizeof(double) + 8, &pv), -EIO);
	CHECK_INT(est_psu_decode(&s, "a", "s", "p", mean, DIM * sizeof(double), &pv), 0);
	CHECK_STR(pv.psu, "p");
	CHECK(same_bits(pv.totals, mean, sizeof mean));
	free(bad);
	est_cell_decoder_done(&s);
	est_cell_decoder_done(&sg);
	strbuf_done(&sb);
	form_free(g);
	form_free(f);
}

/* ---- a design through its bytes, as the server keeps it ---- */

struct copy {
	struct est_design *to;
	struct est_cell_decoder dec;
	struct strbuf sb;
	const struct form *f;
};

static int copy_cell(const struct est_cell_view *c, void *ctx)
{
	struct copy *k = ctx;
	struct est_cell_view v;
	int r;

	if ((r = est_cell_encode(&k->sb, k->f, c)) < 0 ||
	    (r = est_cell_decode(&k->dec, c->group, c->stratum, k->sb.buf, k->sb.len, &v)) < 0)
		return r;
	return est_design_add_cell(k->to, &v, NULL);
}

static int copy_psu(const struct est_psu_view *p, void *ctx)
{
	struct copy *k = ctx;
	struct est_psu_view v;
	int r;

	if ((r = est_psu_decode(&k->dec, p->group, p->stratum, p->psu, p->totals, est_psu_encoded_len(k->f), &v)) < 0)
		return r;
	return est_design_add_psu(k->to, &v, NULL);
}

static void check_same_bits(const struct est_results *a, const struct est_results *b)
{
	CHECK_INT(a->ngroups, b->ngroups);
	CHECK_INT(a->nest, b->nest);
	for (size_t g = 0; g < a->ngroups && g < b->ngroups; g++) {
		CHECK_INT(a->groups[g].n, b->groups[g].n);
		CHECK_INT(a->groups[g].df, b->groups[g].df);
		for (size_t k = 0; k < a->nest; k++)
			if (!same_bits(&a->groups[g].est[k], &b->groups[g].est[k], sizeof a->groups[g].est[k]))
				TEST_FAIL_("group %zu, estimate %zu differs after the bytes", g, k);
	}
}

static void test_design(void)
{
	struct form *f = fixture_form(form_json);
	struct est_design *d = NULL;
	struct est_options o = EST_OPTIONS_DEFAULT;
	struct est_results *ra = NULL, *rb = NULL;
	struct copy k = { NULL, { 0 }, { 0 }, f };
	uint64_t rng = 0x2545F4914F6CDD1Dull;

	o.lonely = EST_LONELY_ADJUST;
	CHECK_OK(est_design_new(f, &d));
	for (int i = 0; i < 400; i++) {
		int16_t codes[3];
		char group[4], stratum[4], psu[4];
		int h, g, p;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		h = (int)(rng % 4);
		g = (int)(rng >> 8) % 3;
		p = (int)(rng >> 16) % 9;
		for (int q = 0; q < 3; q++)
			codes[q] = (int16_t)((rng >> (24 + 4 * q)) % 6) - 1 <= 0 ? FORM_NO_ANSWER
				   : (int16_t)((rng >> (24 + 4 * q)) % 6);
		snprintf(group, sizeof group, "g%d", g);
		snprintf(stratum, sizeof stratum, "s%d", h);
		snprintf(psu, sizeof psu, "p%d", p);
		/* strata s0 and s1 clustered, s2 and s3 not; weights given in s0 and s2 only */
		struct est_row row = { group, stratum, h < 2 ? psu : NULL,
			h % 2 == 0 ? 1 + (double)((rng >> 40) % 7) : NAN, NAN, codes };
		CHECK_OK(est_design_add(d, &row, NULL));
	}
	CHECK_OK(est_design_new(f, &k.to));
	CHECK_OK(est_cell_decoder_init(&k.dec, f));
	strbuf_init(&k.sb, 0);
	CHECK_OK(est_design_foreach(d, copy_cell, copy_psu, &k));
	CHECK_INT(est_design_rows(k.to), est_design_rows(d));
	CHECK_OK(est_compute(d, NULL, &o, &ra, NULL));
	CHECK_OK(est_compute(k.to, NULL, &o, &rb, NULL));
	if (ra && rb)
		check_same_bits(ra, rb);
	est_results_free(ra);
	est_results_free(rb);
	strbuf_done(&k.sb);
	est_cell_decoder_done(&k.dec);
	est_design_free(k.to);
	est_design_free(d);
	form_free(f);
}

int main(void)
{
	test_round_trip();
	test_refused();
	test_design();
	TEST_DONE();
}
