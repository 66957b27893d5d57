/* db-export.h - the microdata export: a round's responses as CSV rows (docs/formats.md), read from
 * COPY ... TO STDOUT in chunks so that memory stays constant whatever the round's size. */
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
};

struct db_export;

/* Starts the export of round survey_id on c (held until db_export_free): serial, agency,
 * channel, stratum, psu, weight, fpc, submitted_at, then the columns, for every response not
 * withdrawn, in id order (no header row). Returns 0 and *out, -EINVAL for a bad column id, or a
 * negative errno from the database. */
int db_export_begin(struct db_conn *c, int survey_id, const struct db_export_column *cols, size_t ncols,
		    struct db_export **out);
/* Copies up to max bytes of CSV into buf; returns the count, 0 at the end, or a negative errno. */
ssize_t db_export_read(struct db_export *x, char *buf, size_t max);
/* Drains and ends the COPY if it is still running and frees x; x may be NULL. The connection
 * stays the caller's (a COPY cut short leaves it broken: db_release closes it). */
void db_export_free(struct db_export *x);
