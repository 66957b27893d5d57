/* xlsx-rd.h - the state of one reading of a workbook, shared by its parts: xlsx-read.c (the
 * whole, errors), xlsx-parts.c (relationships, workbook, styles, shared strings) and
 * xlsx-sheet.c (the worksheet's rows). Internal. */
#pragma once

#include "xlsx-int.h"

#define PATH_MAX_XLSX   256
#define RID_MAX         64
#define MAX_SHEETS      1024
#define MAX_NUMFMTS     4096

enum part { P_NONE, P_RELS, P_WORKBOOK, P_STYLES, P_STRINGS, P_SHEET };

struct rd {
	struct xzip *z;
	struct xlsx_limits lim;
	struct xlsx_error *err;
	xlsx_row_fn fn;
	void *ud;

	/* discovery */
	char base[PATH_MAX_XLSX];          /* folder of the part whose relationships are read */
	char workbook[PATH_MAX_XLSX];
	char sheet[PATH_MAX_XLSX], strings[PATH_MAX_XLSX], styles[PATH_MAX_XLSX];
	char (*rids)[RID_MAX];             /* the workbook's sheets, in order */
	size_t nrids;
	size_t sheet_pos;                  /* position of the worksheet found so far in rids */
	bool date1904;

	/* styles */
	bool in_numfmts, in_cellxfs;
	struct { int id; unsigned char kind; } *numfmts;
	size_t nnumfmts;
	unsigned char *xf_kind;            /* per cell format: xlsx_format_kind */
	size_t nxf, cap_xf;

	/* shared strings */
	struct strbuf sst;                 /* the strings, NUL-terminated, one after another */
	uint32_t *sst_off;                 /* nsst + 1 offsets */
	size_t nsst, cap_sst;
	bool in_si, in_t, in_rph;

	/* the sheet */
	bool in_data, in_cell, in_v, in_is, in_phonetic;
	long row, last_row;                /* sheet row numbers */
	size_t col, last_col;              /* 1-based; col 0: past the column limit */
	char ctype;                        /* 'n', 's', 'b', 'e', 't' (str, inlineStr), 'd' */
	char ref[16];                      /* the cell's reference as written (cut), for errors */
	unsigned char ckind;               /* the cell format's kind */
	struct strbuf cell;                /* the cell's raw text */
	struct strbuf text;                /* its value as text */
	struct strbuf rowbuf;              /* the row's cells, NUL-terminated */
	size_t *off, *lens;
	const char **fields;
	size_t nf;
	struct strbuf header;              /* names of the header's cells, NUL-terminated */
	size_t *hoff;
	size_t nheader;
	bool header_sent;
};

/* Fills the error about the current cell (or row, col 0) with its header's name; returns r. */
int rd_cell_fail(struct rd *d, int r, const char *code, const char *en, const char *vi);
/* Fills an error about the workbook as a whole; returns r. */
int rd_part_fail(struct rd *d, int r, const char *code, const char *en, const char *vi);
/* The error of a text past the cell limit; returns -E2BIG. */
int rd_too_long(struct rd *d);

/* The folder of a part ("xl/workbook.xml" -> "xl/"). */
void rd_folder_of(const char *part, char out[PATH_MAX_XLSX]);
/* The relationships part of a part ("xl/workbook.xml" -> "xl/_rels/workbook.xml.rels");
 * returns 0 or -EINVAL when it does not fit. */
int rd_rels_of(const char *part, char out[PATH_MAX_XLSX]);

/* The XML handlers of each part (xml_handlers), userdata a struct rd. */
int rd_rels_start(void *ud, const char *name, const char **a);
int rd_workbook_start(void *ud, const char *name, const char **a);
int rd_styles_start(void *ud, const char *name, const char **a);
int rd_styles_end(void *ud, const char *name);
int rd_strings_start(void *ud, const char *name, const char **a);
int rd_strings_text(void *ud, const char *s, size_t n);
int rd_strings_end(void *ud, const char *name);
int rd_sheet_start(void *ud, const char *name, const char **a);
int rd_sheet_text(void *ud, const char *s, size_t n);
int rd_sheet_end(void *ud, const char *name);
