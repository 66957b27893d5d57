/* fuzz-respcsv.c - the responses-file reader on arbitrary bytes against a form with every question
 * type and show_if: whole with the normalized answers, and in chunks without; the same rows and
 * faults either way. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"
#include "respcsv.h"

static const char form_json[] =
	"{\"id\": \"fuzz\", \"version\": 1, \"title\": \"F\", \"respondent\": \"individual\",\n"
	" \"scales\": {\"likert5\": {\"codes\": [1,2,3,4,5], \"labels\": [\"a\",\"b\",\"c\",\"d\",\"e\"], \"positive\": [4,5]},\n"
	"            \"big\": {\"codes\": [0, 64, 9999], \"labels\": [\"x\",\"y\",\"z\"], \"positive\": [9999]}},\n"
	" \"sections\": [{\"id\": \"A\", \"title\": \"A\", \"questions\": [\n"
	"  {\"id\": \"used\", \"type\": \"single\", \"text\": \"u\", \"required\": true, \"options\": [{\"code\": 1, \"label\": \"y\"}, {\"code\": 2, \"label\": \"n\"}]},\n"
	"  {\"id\": \"S1_1\", \"type\": \"scale\", \"scale\": \"likert5\", \"required\": true, \"text\": \"s\", \"show_if\": {\"question\": \"used\", \"in\": [1]}},\n"
	"  {\"id\": \"S1_2\", \"type\": \"scale\", \"scale\": \"big\", \"text\": \"s\", \"show_if\": {\"question\": \"S1_1\", \"in\": [4, 5]}},\n"
	"  {\"id\": \"ch\", \"type\": \"multi\", \"text\": \"c\", \"options\": [{\"code\": 1, \"label\": \"a\"}, {\"code\": 2, \"label\": \"b\"}, {\"code\": 300, \"label\": \"c\"}]},\n"
	"  {\"id\": \"note\", \"type\": \"text\", \"text\": \"n\", \"max_length\": 20},\n"
	"  {\"id\": \"age\", \"type\": \"number\", \"text\": \"a\", \"min\": 18, \"max\": 120}]}],\n"
	" \"indices\": [{\"id\": \"sipas\", \"label\": \"L\", \"of\": [\"S1_1\", \"S1_2\"]}]}";

static struct form *form;

struct digest {
	uint64_t h;
	long rows, errors;
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		d->h ^= s[i];
		d->h *= 1099511628211ull;
	}
}

static void mix_str(struct digest *d, const char *s)
{
	if (s)
		mix(d, s, strlen(s) + 1);
	else
		mix(d, "", 1);
}

static int on_row(void *ud, const struct respcsv_row *r)
{
	struct digest *d = ud;

	FUZZ_ASSERT(r->agency && r->channel && r->stratum);
	FUZZ_ASSERT(isnan(r->weight) || (r->weight > 0 && isfinite(r->weight)));
	FUZZ_ASSERT(isnan(r->fpc) || r->fpc >= 1);
	mix(d, &r->row, sizeof r->row);
	mix_str(d, r->serial);
	mix_str(d, r->agency);
	mix_str(d, r->channel);
	mix_str(d, r->stratum);
	mix_str(d, r->psu);
	mix_str(d, r->submitted_at);
	mix(d, r->codes, form->nslots * sizeof *r->codes);
	if (r->answers_json)
		FUZZ_ASSERT(strlen(r->answers_json) == r->answers_json_len && r->answers_json[0] == '{');
	d->rows++;
	return 0;
}

static int on_error(void *ud, const struct respcsv_error *e)
{
	struct digest *d = ud;

	FUZZ_ASSERT(e->message[0] && e->message_vi[0] && e->index < e->count);
	mix(d, &e->row, sizeof e->row);
	mix_str(d, e->column);
	mix_str(d, e->code);
	mix_str(d, e->message);
	d->errors++;
	return 0;
}

static int run(const uint8_t *data, size_t size, size_t chunk, bool json, struct digest *d)
{
	struct respcsv_options opt = { .want_json = json, .require_serial = true, .max_serials = 50,
		.csv = { .max_field_bytes = 300, .max_fields = 40, .max_record_bytes = 3000 } };
	struct respcsv *rc = respcsv_new(form, &opt, on_row, on_error, d);
	size_t off = 0;
	int ret = 0;

	if (!rc)
		return -12;
	while (off < size && ret == 0) {
		size_t n = size - off < chunk ? size - off : chunk;

		ret = respcsv_feed(rc, data + off, n);
		off += n;
	}
	if (ret == 0)
		ret = respcsv_finish(rc);
	respcsv_free(rc);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest a = { 1469598103934665603ull, 0, 0 }, b = a;
	int ra, rb;

	if (!form && form_parse(form_json, strlen(form_json), &form, NULL) < 0)
		__builtin_trap();
	ra = run(data, size, size ? size : 1, true, &a);
	rb = run(data, size, size % 13 + 1, false, &b);
	FUZZ_ASSERT(ra == rb && a.h == b.h && a.rows == b.rows && a.errors == b.errors);
	return 0;
}
