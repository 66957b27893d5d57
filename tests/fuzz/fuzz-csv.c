/* fuzz-csv.c - the CSV reader on arbitrary bytes, whole and in chunks: the same records and
 * the same outcome whatever the chunking; fields are NUL-terminated copies of the stated size. */
#include <string.h>

#include "csv.h"
#include "fuzz.h"

struct digest {
	uint64_t h;
	long records;
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

static int on_record(void *ud, const struct csv_record *rec)
{
	struct digest *d = ud;
	size_t i;

	FUZZ_ASSERT(rec->nfields > 0);
	mix(d, &rec->row, sizeof rec->row);
	mix(d, &rec->line, sizeof rec->line);
	for (i = 0; i < rec->nfields; i++) {
		FUZZ_ASSERT(rec->fields[i][rec->lens[i]] == '\0');
		mix(d, rec->fields[i], rec->lens[i] + 1);
	}
	d->records++;
	return 0;
}

static int run(const uint8_t *data, size_t size, size_t chunk, struct digest *d, struct csv_error *err)
{
	static const struct csv_limits lim = { .max_field_bytes = 300, .max_fields = 40, .max_record_bytes = 2000 };
	struct csv_reader *r = csv_reader_new(&lim, on_record, d);
	size_t off = 0;
	int ret = 0;

	if (!r)
		return -12;
	while (off < size && ret == 0) {
		size_t n = size - off < chunk ? size - off : chunk;

		ret = csv_reader_feed(r, data + off, n);
		off += n;
	}
	if (ret == 0)
		ret = csv_reader_finish(r);
	if (ret < 0)
		*err = *csv_reader_error(r);
	csv_reader_free(r);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest a = { 1469598103934665603ull, 0 }, b = a;
	struct csv_error ea, eb;
	int ra = run(data, size, size ? size : 1, &a, &ea);
	int rb = run(data, size, size % 7 + 1, &b, &eb);

	FUZZ_ASSERT(ra == rb && a.h == b.h && a.records == b.records);
	if (ra < 0)
		FUZZ_ASSERT(!strcmp(ea.code, eb.code) && ea.row == eb.row && ea.column == eb.column &&
			    ea.line == eb.line);
	return 0;
}
