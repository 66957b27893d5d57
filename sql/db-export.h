/* db-export.h - the microdata export: a round's responses as CSV rows (docs/formats.md), read from
 * COPY ... TO STDOUT in chunks so that memory stays constant whatever the round's size, or as
 * rows of cells through a cursor (the .xlsx, .sav and .dta exports). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "db.h"

enum db_export_kind {
	DB_EXPORT_CODE,       /* scale, single, number: the JSON value as text */
	DB_EXPORT_MULTI,      /* codes joined by ';' */
	DB_EXPORT_TEXT,       /* free text */
};

struct db_export_column {
	const char *id;       /* a question id ([A-Za-z][A-Za-z0-9_.]*; others are refused) */
	enum db_export_kind kind;
	int slot;             /* DB_EXPORT_CODE: its position in responses.codes (read from there,
	                       * much cheaper than the JSON), or -1 */
	bool wide;            /* the form has codes past 254 (a response may keep two bytes a code);
	                       * else every response keeps one byte a code, read directly */
};

struct db_export;
struct db_export_rows;

#define DB_EXPORT_DESIGN_COLS 8   /* serial, agency, channel, stratum, psu, weight, fpc, submitted_at */

/* Starts the export of round survey_id on c (held until db_export_free): serial, agency,
 * channel, stratum, psu, weight, fpc, submitted_at, then the columns, for every response not
 * withdrawn, in id order (no header row); a text cell (serial, stratum, psu, a text answer)
 * that begins with =, +, -, @, a tab or a carriage return gets a leading apostrophe. Returns 0 and *out, -EINVAL for a bad column id, or a
 * negative errno from the database. */
int db_export_begin(struct db_conn *c, int survey_id, const struct db_export_column *cols, size_t ncols,
		    struct db_export **out);
/* Copies up to max bytes of CSV into buf; returns the count, 0 at the end, or a negative errno. */
ssize_t db_export_read(struct db_export *x, char *buf, size_t max);
/* Drains and ends the COPY if it is still running and frees x; x may be NULL. The connection
 * stays the caller's (a COPY cut short leaves it broken: db_release closes it). */
void db_export_free(struct db_export *x);

/* Starts the same rows as db_export_begin (text cells as stored, no apostrophe) in a read-only
 * transaction of one snapshot on c (held until db_export_rows_free): counts them and measures
 * each cell's longest text first. Returns 0 and *out, -EINVAL for a bad column id, or a
 * negative errno from the database. */
int db_export_rows_begin(struct db_conn *c, int survey_id, const struct db_export_column *cols, size_t ncols,
			 struct db_export_rows **out);
/* The number of rows db_export_rows_next will return. */
long db_export_rows_count(const struct db_export_rows *x);
/* The longest text in bytes of cell (0 .. DB_EXPORT_DESIGN_COLS + ncols - 1) over all rows. */
size_t db_export_rows_width(const struct db_export_rows *x, size_t cell);
/* Returns 1 and the next row's cells in *cells (NULL = no value; valid until the next call),
 * 0 after the last row (the transaction is then committed), or a negative errno. */
int db_export_rows_next(struct db_export_rows *x, const char *const **cells);
/* Frees x; x may be NULL. A transaction still open leaves the connection for db_release to
 * close. */
void db_export_rows_free(struct db_export_rows *x);
