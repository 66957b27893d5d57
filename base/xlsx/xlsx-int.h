/* xlsx-int.h - the parts of the workbook reader: the zip (libzip's one home, xlsx-zip.c), the
 * XML stream (expat's one home, xlsx-xml.c) and the cell values (xlsx-cell.c). Internal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "xlsx.h"

/* ---- the zip (xlsx-zip.c) ---- */

struct xzip;

/* Opens the zip in fd (dup'ed; fd stays the caller's). Returns 0 and *out, or -EINVAL with err
 * set (not a zip, an encrypted workbook, too many members, too large), -ENOMEM, -EIO. */
int xzip_open(int fd, const struct xlsx_limits *lim, struct xzip **out, struct xlsx_error *err);
/* Returns 1 when the zip has member name (exact, or without a leading '/'), else 0. */
int xzip_has(struct xzip *z, const char *name);
/* Called with each inflated chunk of a member; a negative return stops the read. */
typedef int (*xzip_chunk_fn)(void *ud, const char *data, size_t len, bool last);
/* Streams member name through fn, refusing it (zip_bomb) once it inflates past the member
 * limit or past the ratio to its compressed size. Returns 0, -ENOENT (no such member), -EINVAL
 * or -E2BIG with err set, -ENOMEM, -EIO, or fn's negative value. */
int xzip_stream(struct xzip *z, const char *name, xzip_chunk_fn fn, void *ud, struct xlsx_error *err);
/* Closes the zip; z may be NULL. */
void xzip_close(struct xzip *z);

/* ---- the XML stream (xlsx-xml.c) ---- */

/* Callbacks get local names (the namespace dropped) and attributes as a NULL-ended list of
 * local name, value pairs; each returns 0, or a negative errno to stop. */
struct xml_handlers {
	int (*start)(void *ud, const char *name, const char **attrs);
	int (*end)(void *ud, const char *name);
	int (*text)(void *ud, const char *s, size_t len);
};

/* Parses member name of z with h, refusing a DOCTYPE, an entity or a processing instruction
 * that asks for one (xml_entities) and malformed XML (bad_workbook). Returns 0, -ENOENT (no
 * such member), -EINVAL or -E2BIG with err set, -ENOMEM, -EIO, or a handler's negative value. */
int xml_parse_member(struct xzip *z, const char *name, const struct xml_handlers *h, void *ud,
		     struct xlsx_error *err);
/* Returns the value of attribute name in attrs, or NULL. */
const char *xml_attr(const char **attrs, const char *name);

/* ---- cell values (xlsx-cell.c) ---- */

/* Parses a cell reference's column ("B7" -> 2, stopping at the first digit). Returns the 1-based
 * column, or 0 when it has no letters or more than max. */
size_t xlsx_ref_column(const char *ref, size_t max);
/* Appends number text v (as <v> holds it) as the shortest decimal that reads back to the same
 * double (integers without a point). Returns 0, -EINVAL when v is not a number, -ENOMEM. */
int xlsx_put_number(struct strbuf *sb, const char *v, size_t n);
/* Appends serial (days since the date system's epoch; date1904 for the 1904 system) as
 * YYYY-MM-DD, with THH:MM:SS when with_time or when it has a time of day. Returns 0, -EINVAL
 * when the serial is out of 1900-01-01 .. 9999-12-31, -ENOMEM. */
int xlsx_put_date(struct strbuf *sb, double serial, bool date1904, bool with_time);
/* Decodes, in place from byte from of sb, the _xHHHH_ escapes with which Excel writes characters
 * XML cannot hold (_x000D_ for a carriage return, _x005F_ for a '_' before "x"); NUL and
 * surrogates stay as written. The text only shrinks. */
void xlsx_unescape(struct strbuf *sb, size_t from);
/* Returns the kind of a number format: 0 a number, 1 a date, 2 a date with a time, 3 a time. */
int xlsx_format_kind(int builtin_id, const char *code);
/* Fills err (code, row, column, messages); column_name is left to the caller. */
void xlsx_fail(struct xlsx_error *err, const char *code, long row, size_t column,
	       const char *message, const char *message_vi);
