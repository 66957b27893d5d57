/* registry-xlsx.c - a workbook's first sheet as the registry's row source (base/xlsx does the
 * reading), its rows shaped as a CSV's: short rows padded to the header's width, empty cells
 * past it dropped, rows of empty cells skipped. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "xlsx.h"

struct sheet_pass {
	registry_row_fn fn;
	void *ud;
	size_t width;                          /* the header's cells */
	const char *cells[REGISTRY_MAX_FIELDS];
	size_t lens[REGISTRY_MAX_FIELDS];
};

static const struct xlsx_limits limits = {
	.max_rows = REGISTRY_MAX_ROWS + 1,       /* the sheet's rows, the header's included */
	.cells = {
		.max_field_bytes = 64 * 1024,    /* longer cells than REGISTRY_MAX_CELL are reported per row */
		.max_fields = REGISTRY_MAX_FIELDS,
		.max_record_bytes = 256 * 1024,
	},
};

static int on_record(void *ud, const struct csv_record *rec)
{
	struct sheet_pass *p = ud;
	size_t i, n = rec->nfields;

	if (rec->row == 0) {
		while (n > 0 && rec->lens[n - 1] == 0)
			n--;                     /* empty cells after the last name (formatted, unused) */
		p->width = n;
	}
	while (n > p->width && rec->lens[n - 1] == 0)
		n--;
	for (i = 0; i < n && rec->lens[i] == 0; i++)
		;
	if (rec->row > 0 && i == n)
		return 0;                        /* a row of empty cells (a spreadsheet's leftover) */
	for (i = 0; i < REGISTRY_MAX_FIELDS && i < (n > p->width ? n : p->width); i++) {
		p->cells[i] = i < n ? rec->fields[i] : "";
		p->lens[i] = i < n ? rec->lens[i] : 0;
	}
	return p->fn(p->ud, rec->row, p->cells, p->lens, i);
}

static int sheet_each(void *src, registry_row_fn fn, void *ud, struct registry_error *err)
{
	struct sheet_pass p = { .fn = fn, .ud = ud };
	struct xlsx_error xe;
	char letters[8];
	int r;

	memset(&xe, 0, sizeof xe);
	r = xlsx_read((int)(intptr_t)src, &limits, on_record, &p, &xe);
	if (r >= 0 || !strcmp(xe.code ? xe.code : "", "stopped"))
		return r;
	err->row = xe.row;                       /* the sheet's row already: the header is 1 */
	xlsx_column_name(xe.column, letters);
	snprintf(err->column, sizeof err->column, "%.*s", (int)sizeof err->column - 1,
		 xe.column_name[0] ? xe.column_name : xe.column ? letters : "");
	snprintf(err->code, sizeof err->code, "%s", xe.code ? xe.code : "io");
	snprintf(err->message, sizeof err->message, "%.250s", xe.message);
	return r;
}

void registry_xlsx_source(int fd, struct registry_source *out)
{
	out->each = sheet_each;
	out->src = (void *)(intptr_t)fd;
	out->sheet = 1;
}

int registry_is_xlsx(int fd)
{
	unsigned char head[8];
	ssize_t n = pread(fd, head, sizeof head, 0);

	return n > 0 && xlsx_sniff(head, (size_t)n);
}
