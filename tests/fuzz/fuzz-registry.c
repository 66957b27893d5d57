/* fuzz-registry.c - the procedure registry (server/store/registry.c) and the draw on arbitrary
 * bytes: only documented results; errors listed in row order with a code; after a clean read
 * the units add up, the draw stays within each agency's units and the second pass finds every
 * drawn row, and a second read of the same bytes gives the same units. Bytes that begin as a
 * workbook does (xlsx_sniff) are read as one, through a memfd, by the workbook row source. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "registry.h"
#include "sample.h"
#include "xlsx.h"

static const char *const agencies[] = { "SNV", "STC", "X" };

struct count {
	size_t n;
};

static int on_contact(void *ud, size_t index, const char *const cells[REG_NCOLUMNS])
{
	struct count *c = ud;

	FUZZ_ASSERT(index == c->n);
	FUZZ_ASSERT(cells[REG_DOSSIER][0] && cells[REG_AGENCY][0]);
	c->n++;
	return 0;
}

/* The row source of the input: a workbook in fd (>= 0), else the CSV bytes of b. */
static void source_of(int fd, const struct registry_csv_buffer *b, struct registry_source *src)
{
	if (fd >= 0)
		registry_xlsx_source(fd, src);
	else
		registry_csv_buffer_source(b, src);
}

static struct registry *read_once(int fd, const struct registry_csv_buffer *b, int *r)
{
	struct registry_options o = { agencies, 3, REGISTRY_NO_DAY, REGISTRY_NO_DAY };
	struct registry_source src;
	struct registry *g = NULL;

	if (registry_new(&o, &g) < 0)
		return NULL;
	source_of(fd, b, &src);
	*r = registry_read(g, &src);
	return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry_csv_buffer b = { (const char *)data, size };
	struct registry_source src;
	struct sample_size_params p;
	struct sample_plan plan;
	struct registry_error err;
	struct registry *g, *g2;
	struct count c = { 0 };
	size_t h, i;
	long units = 0;
	int r = 0, r2 = 0, fd = -1;

	if (xlsx_sniff(data, size)) {
		if ((fd = memfd_create("fuzz-registry", 0)) < 0)
			return 0;
		if (write(fd, data, size) != (ssize_t)size) {
			close(fd);
			return 0;
		}
	}
	if (!(g = read_once(fd, &b, &r)))
		goto out;
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -E2BIG || r == -ENOMEM || (fd >= 0 && r == -EIO));
	if (r < 0) {
		FUZZ_ASSERT(registry_error_count(g) >= (long)registry_error_listed(g));
		for (i = 0; i < registry_error_listed(g); i++) {
			FUZZ_ASSERT(registry_error_at(g, i)->code[0]);
			FUZZ_ASSERT(!i || registry_error_at(g, i - 1)->row <= registry_error_at(g, i)->row);
		}
		registry_free(g);
		goto out;
	}
	FUZZ_ASSERT(registry_error_count(g) == 0);
	for (h = 0; h < registry_agency_count(g); h++)
		units += registry_agency_units(g, h);
	FUZZ_ASSERT(units >= 0 && units <= registry_rows(g));
	g2 = read_once(fd, &b, &r2);
	FUZZ_ASSERT(g2 && r2 == 0);
	for (h = 0; h < registry_agency_count(g); h++) {
		FUZZ_ASSERT(registry_agency_units(g, h) == registry_agency_units(g2, h));
		for (i = 0; i < (size_t)registry_agency_units(g, h); i++)
			FUZZ_ASSERT(registry_unit_key(g, h, i) == registry_unit_key(g2, h, i));
	}
	registry_free(g2);
	sample_size_defaults(&p);
	p.min = 2;
	p.margin = 40;
	if (sample_plan_make(g, &p, (uint64_t)size, &plan) == 0) {
		for (i = 1; i < plan.nrows; i++)
			FUZZ_ASSERT(plan.rows[i - 1] < plan.rows[i]);
		source_of(fd, &b, &src);
		memset(&err, 0, sizeof err);
		r = registry_contacts(g, &src, plan.rows, plan.nrows, on_contact, &c, &err);
		FUZZ_ASSERT(r == 0 && c.n == plan.nrows);
		sample_plan_done(&plan);
	}
	registry_free(g);
out:
	if (fd >= 0)
		close(fd);
	return 0;
}
