/* xlsx-write.h - writing .xlsx workbooks: the one home of libxlsxwriter.
 *
 * A workbook is written in libxlsxwriter's constant-memory mode to an unnamed temporary file
 * (rows go to disk as they are written, in order, sheet by sheet) and handed back as an open
 * file descriptor. Text is always written as a string cell, never as a formula, whatever its
 * first character (docs/formats.md, "No formula in any export"). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define XLSX_MAX_ROWS      1048576u     /* Excel's rows per sheet, the header included */
#define XLSX_MAX_TEXT      32767u       /* Excel's characters per cell */
#define XLSX_MAX_SHEETS    8            /* sheets of one workbook (this wrapper's limit) */

struct xlsx;

/* Starts a workbook in a temporary file under tmpdir (NULL = $TMPDIR or /tmp). Returns 0 and
 * *out, or a negative errno. */
int xlsx_open(const char *tmpdir, struct xlsx **out);
/* Adds a worksheet called name (at most 31 characters, none of []:*?/\) and makes it the one
 * written to; returns its number (0 for the first) or a negative errno. */
int xlsx_sheet(struct xlsx *w, const char *name);
/* Makes sheet (a number xlsx_sheet returned) the one written to; returns 0 or -EINVAL. */
int xlsx_select(struct xlsx *w, int sheet);
/* Writes a bold heading in row 0 of the current sheet; returns 0 or a negative errno. */
int xlsx_heading(struct xlsx *w, uint16_t col, const char *s);
/* Writes s as a string cell (an empty s leaves the cell blank; past XLSX_MAX_TEXT characters
 * it is cut at a character boundary). Rows of a sheet are written in increasing order.
 * Returns 0 or a negative errno (-E2BIG past XLSX_MAX_ROWS). */
int xlsx_text(struct xlsx *w, uint32_t row, uint16_t col, const char *s);
/* Writes a number cell (a non-finite v leaves the cell blank); returns 0 or a negative errno. */
int xlsx_number(struct xlsx *w, uint32_t row, uint16_t col, double v);
/* Sets column col's width in characters (clamped to 6..60) on the current sheet. */
int xlsx_width(struct xlsx *w, uint16_t col, double chars);
/* Freezes row 0 of the current sheet (it stays in view when scrolling). */
int xlsx_freeze_header(struct xlsx *w);
/* Puts a drop-down list on rows 1.. of column col of the current sheet whose values are the
 * cells first_row..last_row of column list_col on sheet list_sheet; title and message (cut to
 * Excel's 32 and 255 characters) are shown when a cell of the column is selected, and any
 * other value is refused. Returns 0 or a negative errno. */
int xlsx_list(struct xlsx *w, uint16_t col, int list_sheet, uint32_t first_row, uint32_t last_row,
	      uint16_t list_col, const char *title, const char *message);
/* Finishes the workbook and returns in *fd the temporary file, open for reading at offset 0
 * and already unlinked (the caller closes it). Returns 0 or a negative errno; w is freed either
 * way. */
int xlsx_finish(struct xlsx *w, int *fd);
/* Abandons an unfinished workbook and removes its file; w may be NULL. */
void xlsx_free(struct xlsx *w);
