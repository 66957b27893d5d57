/* xlsx-write.c - libxlsxwriter behind xlsx-write.h: constant-memory workbooks in an unlinked temporary file. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "xlsx-write.h"

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer's built-in suppressions (the build with -Db_sanitize=address): libxlsxwriter
 * 1.1.4 never frees its copy of a list validation's formula (xlsx_list), the loss that
 * tests/valgrind.supp names for valgrind. ASan's fast unwinder stops inside the library, so
 * the frame to match is its string copy. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:lxw_strdup\n";
}
#endif

#define TITLE_CHARS   32      /* Excel's limit on an input message's title */
#define MESSAGE_CHARS 255     /* and on its text */

struct xlsx {
	lxw_workbook *wb;
	lxw_format *bold;
	lxw_worksheet *sheets[XLSX_MAX_SHEETS];
	char names[XLSX_MAX_SHEETS][32 * 4 + 1];
	int nsheets;
	lxw_worksheet *cur;
	char path[4096];
	char tmpdir[4096];
};

static int lxw_errno(lxw_error e)
{
	switch (e) {
	case LXW_NO_ERROR:
		return 0;
	case LXW_ERROR_MEMORY_MALLOC_FAILED:
		return -ENOMEM;
	case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
	case LXW_ERROR_128_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_255_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
		return -E2BIG;
	case LXW_ERROR_CREATING_XLSX_FILE:
	case LXW_ERROR_CREATING_TMPFILE:
	case LXW_ERROR_READING_TMPFILE:
	case LXW_ERROR_ZIP_FILE_OPERATION:
	case LXW_ERROR_ZIP_FILE_ADD:
	case LXW_ERROR_ZIP_CLOSE:
		return -EIO;
	default:
		return -EINVAL;
	}
}

/* The byte length of at most max characters of UTF-8 s. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	while (s[i] && chars < max) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	return i;
}

/* A copy of s cut to max characters ("…" ending a cut copy); NULL when out of memory. */
static char *cut_copy(const char *s, size_t max)
{
	size_t n = utf8_cut(s, max), keep;
	char *out;

	if (!s[n])
		return strdup(s);
	keep = utf8_cut(s, max - 1);
	out = malloc(keep + 4);
	if (!out)
		return NULL;
	memcpy(out, s, keep);
	memcpy(out + keep, "\xE2\x80\xA6", 4);
	return out;
}

int xlsx_open(const char *tmpdir, struct xlsx **out)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	struct xlsx *w;
	const char *dir = tmpdir ? tmpdir : getenv("TMPDIR");
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	if ((size_t)snprintf(w->path, sizeof w->path, "%s/sipas-xlsx-XXXXXX", dir) >= sizeof w->path ||
	    (size_t)snprintf(w->tmpdir, sizeof w->tmpdir, "%s", dir) >= sizeof w->tmpdir) {
		free(w);
		return -ENAMETOOLONG;
	}
	/* reserve a name no one else can take; libxlsxwriter writes the zip there at the end */
	fd = mkstemp(w->path);
	if (fd < 0) {
		int r = -errno;

		free(w);
		return r;
	}
	close(fd);
	opt.tmpdir = w->tmpdir;
	w->wb = workbook_new_opt(w->path, &opt);
	if (!w->wb) {
		unlink(w->path);
		free(w);
		return -ENOMEM;
	}
	w->bold = workbook_add_format(w->wb);
	if (!w->bold) {
		xlsx_free(w);
		return -ENOMEM;
	}
	format_set_bold(w->bold);
	*out = w;
	return 0;
}

int xlsx_sheet(struct xlsx *w, const char *name)
{
	lxw_worksheet *ws;

	if (w->nsheets == XLSX_MAX_SHEETS)
		return -E2BIG;
	if (workbook_validate_sheet_name(w->wb, name) != LXW_NO_ERROR)
		return -EINVAL;
	ws = workbook_add_worksheet(w->wb, name);
	if (!ws)
		return -ENOMEM;
	snprintf(w->names[w->nsheets], sizeof w->names[0], "%s", name);
	w->sheets[w->nsheets] = ws;
	w->cur = ws;
	return w->nsheets++;
}

int xlsx_select(struct xlsx *w, int sheet)
{
	if (sheet < 0 || sheet >= w->nsheets)
		return -EINVAL;
	w->cur = w->sheets[sheet];
	return 0;
}

int xlsx_heading(struct xlsx *w, uint16_t col, const char *s)
{
	if (!w->cur)
		return -EINVAL;
	return lxw_errno(worksheet_write_string(w->cur, 0, col, s, w->bold));
}

int xlsx_text(struct xlsx *w, uint32_t row, uint16_t col, const char *s)
{
	size_t n;
	char *cut;
	int r;

	if (!w->cur)
		return -EINVAL;
	if (row >= XLSX_MAX_ROWS)
		return -E2BIG;
	if (!s || !*s)
		return 0;
	n = utf8_cut(s, XLSX_MAX_TEXT);
	if (!s[n])    /* worksheet_write_string writes a string cell: never a formula */
		return lxw_errno(worksheet_write_string(w->cur, row, col, s, NULL));
	cut = strndup(s, n);
	if (!cut)
		return -ENOMEM;
	r = lxw_errno(worksheet_write_string(w->cur, row, col, cut, NULL));
	free(cut);
	return r;
}

int xlsx_number(struct xlsx *w, uint32_t row, uint16_t col, double v)
{
	if (!w->cur)
		return -EINVAL;
	if (row >= XLSX_MAX_ROWS)
		return -E2BIG;
	if (!isfinite(v))
		return 0;
	return lxw_errno(worksheet_write_number(w->cur, row, col, v, NULL));
}

int xlsx_width(struct xlsx *w, uint16_t col, double chars)
{
	if (!w->cur)
		return -EINVAL;
	chars = chars < 6 ? 6 : chars > 60 ? 60 : chars;
	return lxw_errno(worksheet_set_column(w->cur, col, col, chars + 1, NULL));
}

int xlsx_freeze_header(struct xlsx *w)
{
	if (!w->cur)
		return -EINVAL;
	worksheet_freeze_panes(w->cur, 1, 0);
	return 0;
}

int xlsx_list(struct xlsx *w, uint16_t col, int list_sheet, uint32_t first_row, uint32_t last_row,
	      uint16_t list_col, const char *title, const char *message)
{
	lxw_data_validation v = { 0 };
	char formula[512], from[16], to[16];
	int r;

	if (!w->cur || list_sheet < 0 || list_sheet >= w->nsheets || first_row > last_row ||
	    last_row >= XLSX_MAX_ROWS)
		return -EINVAL;
	lxw_rowcol_to_cell_abs(from, first_row, list_col, 1, 1);
	lxw_rowcol_to_cell_abs(to, last_row, list_col, 1, 1);
	/* the sheet's name quoted, a quote in it doubled: names here hold none (xlsx_sheet's callers) */
	if (strchr(w->names[list_sheet], '\'') ||
	    (size_t)snprintf(formula, sizeof formula, "='%s'!%s:%s", w->names[list_sheet], from, to) >= sizeof formula)
		return -EINVAL;
	v.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
	v.value_formula = formula;
	v.ignore_blank = LXW_VALIDATION_ON;
	v.show_input = LXW_VALIDATION_ON;
	v.show_error = LXW_VALIDATION_ON;
	v.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
	v.input_title = title ? cut_copy(title, TITLE_CHARS) : NULL;
	v.input_message = message ? cut_copy(message, MESSAGE_CHARS) : NULL;
	if ((title && !v.input_title) || (message && !v.input_message))
		r = -ENOMEM;
	else
		r = lxw_errno(worksheet_data_validation_range(w->cur, 1, col, XLSX_MAX_ROWS - 1, col, &v));
	free(v.input_title);
	free(v.input_message);
	return r;
}

int xlsx_finish(struct xlsx *w, int *fd)
{
	int r = lxw_errno(workbook_close(w->wb));

	w->wb = NULL;
	*fd = -1;
	if (r == 0) {
		*fd = open(w->path, O_RDONLY | O_CLOEXEC);
		if (*fd < 0)
			r = -errno;
	}
	unlink(w->path);
	free(w);
	return r;
}

void xlsx_free(struct xlsx *w)
{
	if (!w)
		return;
	if (w->wb) {
		/* libxlsxwriter frees a workbook only by closing it: close, then drop the file */
		workbook_close(w->wb);
	}
	unlink(w->path);
	free(w);
}
