/* registry.h - the procedure registry (contract §6, docs/formats.md "Registry file"): the
 * dossiers completed at each agency, read and validated in full, grouped into sampling units.
 *
 * A unit is a person: within an agency, rows with the same phone (digits only, a leading 84
 * read as 0), else the same email (ASCII case ignored), else the same dossier are one unit.
 * Only rows with completed_at in the period [from, to] make units.
 *
 * Bytes come from a pluggable row source (struct registry_source: the CSV reader, or the first
 * sheet of a workbook) that can be replayed: the first pass validates every row and keeps
 * 16 bytes per row in the period (the unit's 64-bit key, its agency, its first row) and 16
 * bytes per row for the duplicate-dossier check (a 96-bit hash and the row); the second pass
 * (registry_contacts) reads back the cells of the few rows it is asked for. Memory therefore
 * grows by 32 bytes a row (48 with the slack of growing arrays), and no cell is kept.
 *
 * Hashes stand for strings: two different dossiers are taken as one with a probability of
 * about n²/2⁹⁷ (1e-17 for a million rows), two people of one agency of N units are merged
 * with a probability of about N²/2⁶⁵ (3e-12 for 10,000). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define REGISTRY_MAX_ROWS 5000000L      /* data rows of one file */
#define REGISTRY_MAX_CELL 1024          /* bytes of one cell */
#define REGISTRY_MAX_FIELDS 64          /* cells of one row */
#define REGISTRY_MAX_ERRORS 1000        /* errors listed (more are only counted) */
#define REGISTRY_MAX_AGENCIES 10000
#define REGISTRY_CODE_MAX 33            /* agency code with its NUL */

enum registry_column {
	REG_DOSSIER, REG_AGENCY, REG_PROCEDURE, REG_COMPLETED_AT,   /* required */
	REG_NAME, REG_PHONE, REG_EMAIL, REG_ADDRESS,                /* optional */
	REG_NCOLUMNS
};

/* One fault: row 0 is the header or the whole file (a sheet's source: 1 is the header, 0 the
 * whole file, rows are the sheet's); column "" when it is about no one cell.
 * Codes: missing_column, unknown_column, duplicate_column, missing_value, too_long,
 * unknown_agency, bad_date, duplicate_dossier, too_many_rows, empty, and the CSV reader's
 * (encoding, nul, quote, field_too_long, too_many_fields, record_too_long) or the workbook
 * reader's (struct xlsx_error's codes). */
struct registry_error {
	long row;
	char column[24];
	char code[24];
	char message[256];
};

/* A row source calls fn with the header (row 0) and then each data row (1, 2...) in file
 * order; cells are NUL-terminated and valid during the call only. It returns 0, fn's negative
 * value, or a negative errno with *err filled (-EINVAL for bad bytes, -E2BIG for a limit,
 * -ENOENT / -EIO when the input cannot be read). It must give the same rows when called again. */
typedef int (*registry_row_fn)(void *ud, long row, const char *const *cells, const size_t *lens, size_t n);
struct registry_source {
	int (*each)(void *src, registry_row_fn fn, void *ud, struct registry_error *err);
	void *src;
	int sheet;     /* 1: rows are a sheet's less one, and faults name the sheet's row (header = 1) */
};

/* A CSV file (base/csv.c, with the registry's limits) as a row source; path is kept, not copied. */
void registry_csv_source(const char *path, struct registry_source *out);
/* CSV bytes in memory as a row source; b (and its bytes) must outlive the source. */
struct registry_csv_buffer {
	const char *data;
	size_t len;
};
void registry_csv_buffer_source(const struct registry_csv_buffer *b, struct registry_source *out);

/* The first worksheet of the workbook open in fd (read with pread, never closed) as a row
 * source: rows numbered as the sheet's less one (so rows the sheet skips leave gaps), short rows
 * padded to the header's width, empty cells past it and rows of empty cells dropped; the
 * reader's faults (docs/formats.md "Responses as a workbook") name the sheet's row and the
 * column's header. */
void registry_xlsx_source(int fd, struct registry_source *out);
/* 1 when the file open in fd begins as a workbook does (xlsx_sniff), else 0. */
int registry_is_xlsx(int fd);

/* What the registry is checked against: the agency codes of the round (any order) and the
 * period, as days since 1970-01-01 (REGISTRY_NO_DAY for an open end). */
#define REGISTRY_NO_DAY INT32_MIN
struct registry_options {
	const char *const *agencies;
	size_t nagencies;
	int32_t from_day, to_day;
};

struct registry;

/* Makes an empty registry for opt (copied). Returns 0 and *out (free with registry_free),
 * -E2BIG (too many agencies), -EINVAL (a code too long) or -ENOMEM. */
int registry_new(const struct registry_options *opt, struct registry **out);
/* Reads and validates every row of src, then groups the units. Returns 0; -EINVAL when any
 * row is at fault (see registry_error_at: nothing to draw from); -ENOMEM; or the source's
 * negative errno (its fault listed too). Call once. */
int registry_read(struct registry *g, const struct registry_source *src);
/* The number of faults found (listed or not), and the i-th listed one in row order. */
long registry_error_count(const struct registry *g);
size_t registry_error_listed(const struct registry *g);
const struct registry_error *registry_error_at(const struct registry *g, size_t i);
/* Data rows read. */
long registry_rows(const struct registry *g);
/* The agencies, in code order: the count, and the code and units (N_h) of agency h. */
size_t registry_agency_count(const struct registry *g);
const char *registry_agency_code(const struct registry *g, size_t h);
long registry_agency_units(const struct registry *g, size_t h);
/* The key and first row (its contacts' row) of unit i of agency h (i < N_h); units are in
 * key order, which depends on the rows' content only, never on their order in the file. */
uint64_t registry_unit_key(const struct registry *g, size_t h, size_t i);
long registry_unit_row(const struct registry *g, size_t h, size_t i);

/* The second pass: calls fn with the cells of each of the n rows listed (sorted ascending,
 * distinct) as REG_NCOLUMNS values in enum registry_column order ("" when the file has no
 * such column), with the index of the row in rows. Returns 0, fn's negative value, or the
 * source's negative errno (*err filled). */
typedef int (*registry_contact_fn)(void *ud, size_t index, const char *const cells[REG_NCOLUMNS]);
int registry_contacts(const struct registry *g, const struct registry_source *src, const long *rows, size_t n,
		      registry_contact_fn fn, void *ud, struct registry_error *err);

/* Parses an ISO date YYYY-MM-DD, optionally followed by a time ("T" or " ", then HH:MM...);
 * returns 0 and the day number (days since 1970-01-01) in *day, or -EINVAL. */
int registry_parse_day(const char *s, int32_t *day);
/* A 64-bit hash of n bytes with a seed (not cryptographic: registry rows are trusted to be
 * what the province exported, not chosen to collide). */
uint64_t registry_hash(const void *p, size_t n, uint64_t seed);

/* Frees g; g may be NULL. */
void registry_free(struct registry *g);
