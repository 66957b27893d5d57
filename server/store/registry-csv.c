/* registry-csv.c - a CSV file as the registry's row source (base/csv.c does the reading). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "registry.h"

struct csv_pass {
	registry_row_fn fn;
	void *ud;
};

static int on_record(void *ud, const struct csv_record *rec)
{
	struct csv_pass *p = ud;

	return p->fn(p->ud, rec->row, rec->fields, rec->lens, rec->nfields);
}

static const struct csv_limits limits = {
	.max_field_bytes = 64 * 1024,        /* longer cells than REGISTRY_MAX_CELL are reported per row */
	.max_fields = REGISTRY_MAX_FIELDS,
	.max_record_bytes = 256 * 1024,
};

/* Copies the reader's error (unless our callback stopped it) into err. */
static void csv_fault(const struct csv_reader *rd, struct registry_error *err)
{
	const struct csv_error *e = csv_reader_error(rd);

	if (!e || !strcmp(e->code, "stopped"))
		return;
	err->row = e->row;
	if (e->column)
		snprintf(err->column, sizeof err->column, "%zu", e->column);
	snprintf(err->code, sizeof err->code, "%s", e->code);
	snprintf(err->message, sizeof err->message, "%.199s", e->message);
}

static int csv_each(void *src, registry_row_fn fn, void *ud, struct registry_error *err)
{
	const char *path = src;
	struct csv_pass p = { fn, ud };
	struct csv_reader *rd = NULL;
	char buf[64 * 1024];
	FILE *fp;
	size_t n;
	int r = 0;

	if (!(fp = fopen(path, "rb"))) {
		r = errno == ENOENT ? -ENOENT : -EIO;
		err->row = 0;
		snprintf(err->code, sizeof err->code, "unreadable");
		snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(errno));
		return r;
	}
	if (!(rd = csv_reader_new(&limits, on_record, &p))) {
		fclose(fp);
		return -ENOMEM;
	}
	while (r == 0 && (n = fread(buf, 1, sizeof buf, fp)) > 0)
		r = csv_reader_feed(rd, buf, n);
	if (r == 0 && ferror(fp)) {
		r = -EIO;
		snprintf(err->code, sizeof err->code, "unreadable");
		snprintf(err->message, sizeof err->message, "read error");
	}
	if (r == 0)
		r = csv_reader_finish(rd);
	if (r < 0)
		csv_fault(rd, err);
	csv_reader_free(rd);
	fclose(fp);
	return r;
}

void registry_csv_source(const char *path, struct registry_source *out)
{
	out->each = csv_each;
	out->src = (void *)(uintptr_t)path;
	out->sheet = 0;
}

static int buffer_each(void *src, registry_row_fn fn, void *ud, struct registry_error *err)
{
	const struct registry_csv_buffer *b = src;
	struct csv_pass p = { fn, ud };
	struct csv_reader *rd = csv_reader_new(&limits, on_record, &p);
	int r;

	if (!rd)
		return -ENOMEM;
	r = csv_reader_feed(rd, b->data, b->len);
	if (r == 0)
		r = csv_reader_finish(rd);
	if (r < 0)
		csv_fault(rd, err);
	csv_reader_free(rd);
	return r;
}

void registry_csv_buffer_source(const struct registry_csv_buffer *b, struct registry_source *out)
{
	out->each = buffer_each;
	out->src = (void *)(uintptr_t)b;
	out->sheet = 0;
}
