/* fuzz-xlsx.c - the workbook reader (base/xlsx) on arbitrary bytes taken as an .xlsx file:
 * every row it gives is well formed and within the limits, rows ascend, a failure names its
 * code, and a second reading gives the same rows and the same outcome. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "xlsx.h"

struct digest {
	uint64_t h;
	long rows, last;
};

static const struct xlsx_limits lim = {
	.max_file_bytes = 1 << 20, .max_member_bytes = 4 << 20, .max_ratio = 50, .max_rows = 5000,
	.max_shared_count = 1000, .max_shared_bytes = 1 << 16,
	.cells = { .max_field_bytes = 300, .max_fields = 40, .max_record_bytes = 2000 },
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

static int on_row(void *ud, const struct csv_record *rec)
{
	struct digest *d = ud;
	size_t i, total = 0;

	FUZZ_ASSERT(rec->row > d->last && rec->row + 1 <= lim.max_rows && rec->line == rec->row + 1);
	FUZZ_ASSERT(rec->nfields <= lim.cells.max_fields);
	d->last = rec->row;
	mix(d, &rec->row, sizeof rec->row);
	for (i = 0; i < rec->nfields; i++) {
		FUZZ_ASSERT(rec->lens[i] <= lim.cells.max_field_bytes);
		FUZZ_ASSERT(rec->fields[i][rec->lens[i]] == '\0' && strlen(rec->fields[i]) == rec->lens[i]);
		total += rec->lens[i];
		mix(d, rec->fields[i], rec->lens[i] + 1);
	}
	FUZZ_ASSERT(total <= lim.cells.max_record_bytes);
	d->rows++;
	return 0;
}

static int run(int fd, struct digest *d, struct xlsx_error *err)
{
	d->h = 1469598103934665603ull;
	d->rows = 0;
	d->last = -1;
	return xlsx_read(fd, &lim, on_row, d, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest a, b;
	struct xlsx_error ea, eb;
	int fd = memfd_create("fuzz-xlsx", 0), ra, rb;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	ra = run(fd, &a, &ea);
	rb = run(fd, &b, &eb);
	close(fd);
	FUZZ_ASSERT(ra == rb && a.h == b.h && a.rows == b.rows);
	FUZZ_ASSERT(ra == 0 || ra == -EINVAL || ra == -E2BIG || ra == -ENOMEM);
	if (ra < 0)
		FUZZ_ASSERT(ea.code && eb.code && !strcmp(ea.code, eb.code) && ea.row == eb.row &&
			    ea.column == eb.column && ea.message[0] && ea.message_vi[0]);
	return 0;
}
