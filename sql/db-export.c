/* db-export.c - COPY (SELECT ...) TO STDOUT (FORMAT csv), read a row at a time. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-export.h"
#include "db-internal.h"
#include "form.h"
#include "strbuf.h"

struct db_export {
	struct db_conn *c;
	char *row;          /* the row being copied out (PQfreemem) */
	int rowlen, off;
	bool done;
};

/* A text cell that a spreadsheet would take for a formula gets a leading apostrophe (CSV only;
 * docs/formats.md, the same first characters as csv_write_text). */
#define ESCAPED(x) "CASE WHEN left(" x ", 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || " x " ELSE " x " END"

/* Appends the SELECT of the export (columns c0, c1 ...) to sql; escape: text cells as in CSV.
 * Returns 0 or -EINVAL for a bad column id. */
static int select_sql(struct strbuf *sql, int survey_id, const struct db_export_column *cols, size_t ncols,
		      bool escape)
{
	size_t i;

	/* COPY takes no parameters: the round is a number, question ids match the id grammar */
	strbuf_printf(sql, "SELECT %s AS c0, a.code AS c1, r.channel AS c2, %s AS c3, %s AS c4, r.weight AS c5,"
		      " r.fpc AS c6, to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS c7",
		      escape ? ESCAPED("r.serial") : "r.serial", escape ? ESCAPED("r.stratum") : "r.stratum",
		      escape ? ESCAPED("r.psu") : "r.psu");
	for (i = 0; i < ncols; i++) {
		const char *id = cols[i].id;

		if (!form_id_valid(id, strlen(id)))
			return -EINVAL;
		if (cols[i].kind == DB_EXPORT_MULTI)
			strbuf_printf(sql, ", NULLIF(array_to_string(ARRAY(SELECT jsonb_array_elements_text("
				      "CASE WHEN jsonb_typeof(r.answers->'%s') = 'array' THEN r.answers->'%s' END)), ';'), '')",
				      id, id);
		else if (cols[i].kind == DB_EXPORT_CODE && cols[i].slot >= 0)
			strbuf_printf(sql, ", sipas_code(r.codes, %d)", cols[i].slot);
		else if (cols[i].kind == DB_EXPORT_TEXT && escape)
			strbuf_printf(sql, ", " ESCAPED("(r.answers->>'%s')"), id, id, id);
		else
			strbuf_printf(sql, ", r.answers->>'%s'", id);
		strbuf_printf(sql, " AS c%zu", i + DB_EXPORT_DESIGN_COLS);
	}
	strbuf_printf(sql, " FROM responses r JOIN agencies a ON a.id = r.agency_id"
		      " WHERE r.survey_id = %d AND NOT r.withdrawn ORDER BY r.id", survey_id);
	return 0;
}

int db_export_begin(struct db_conn *c, int survey_id, const struct db_export_column *cols, size_t ncols,
		    struct db_export **out)
{
	struct db_export *x = NULL;
	struct strbuf sql;
	PGresult *res;
	int r;

	if (!c->pg)
		return db_error(c, NULL);
	strbuf_init(&sql, 0);
	strbuf_puts(&sql, "COPY (");
	if (select_sql(&sql, survey_id, cols, ncols, true) < 0) {
		strbuf_done(&sql);
		return -EINVAL;
	}
	strbuf_puts(&sql, ") TO STDOUT (FORMAT csv)");
	if (sql.len == 0) {
		strbuf_done(&sql);
		return -ENOMEM;
	}
	res = PQexec(c->pg, strbuf_str(&sql));
	strbuf_done(&sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		r = db_error(c, res);
		PQclear(res);
		return r;
	}
	PQclear(res);
	x = calloc(1, sizeof *x);
	if (!x)
		return -ENOMEM;      /* the connection stays in COPY: db_release closes it */
	x->c = c;
	*out = x;
	return 0;
}

ssize_t db_export_read(struct db_export *x, char *buf, size_t max)
{
	size_t n = 0;

	while (n < max && !x->done) {
		if (!x->row) {
			int len = PQgetCopyData(x->c->pg, &x->row, 0);

			if (len == -1) {
				PGresult *res;
				int r = 0;

				x->done = true;
				while ((res = PQgetResult(x->c->pg))) {
					if (PQresultStatus(res) != PGRES_COMMAND_OK && r == 0)
						r = db_error(x->c, res);
					PQclear(res);
				}
				if (r < 0)
					return r;
				break;
			}
			if (len < 0) {
				x->done = true;
				return db_error(x->c, NULL);
			}
			x->rowlen = len;
			x->off = 0;
		}
		{
			size_t take = (size_t)(x->rowlen - x->off);

			if (take > max - n)
				take = max - n;
			memcpy(buf + n, x->row + x->off, take);
			n += take;
			x->off += (int)take;
			if (x->off == x->rowlen) {
				PQfreemem(x->row);
				x->row = NULL;
			}
		}
	}
	return (ssize_t)n;
}

void db_export_free(struct db_export *x)
{
	if (!x)
		return;
	if (x->row)
		PQfreemem(x->row);
	free(x);
}

/* ---- the export a row at a time, through a cursor ---- */

#define FETCH_SQL "FETCH FORWARD 500 FROM export_rows"

struct db_export_rows {
	struct db_conn *c;
	size_t ncells;
	long count;
	size_t *widths;
	PGresult *batch;
	int next;              /* the next row of batch */
	bool done;
	const char **cells;
};

int db_export_rows_begin(struct db_conn *c, int survey_id, const struct db_export_column *cols, size_t ncols,
			 struct db_export_rows **out)
{
	struct db_export_rows *x = NULL;
	struct strbuf sel, sql;
	PGresult *res = NULL;
	size_t i;
	int r;

	if (!c->pg)
		return db_error(c, NULL);
	strbuf_init(&sel, 0);
	strbuf_init(&sql, 0);
	if ((r = select_sql(&sel, survey_id, cols, ncols, false)) < 0)
		goto out;
	r = -ENOMEM;
	x = calloc(1, sizeof *x);
	if (!x)
		goto out;
	x->c = c;
	x->ncells = ncols + DB_EXPORT_DESIGN_COLS;
	x->widths = calloc(x->ncells, sizeof *x->widths);
	x->cells = calloc(x->ncells, sizeof *x->cells);
	if (!x->widths || !x->cells)
		goto out;
	/* one snapshot for the count, the widths and the rows */
	if ((r = db_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL)) < 0)
		goto out;
	strbuf_puts(&sql, "SELECT count(*)");
	for (i = 0; i < x->ncells; i++)
		strbuf_printf(&sql, ", coalesce(max(octet_length(c%zu::text)), 0)", i);
	strbuf_printf(&sql, " FROM (%s) t", strbuf_str(&sel));
	if (sql.len == 0 || sel.len == 0) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = db_exec(c, strbuf_str(&sql), 0, NULL, &res)) < 0)
		goto out;
	x->count = atol(PQgetvalue(res, 0, 0));
	for (i = 0; i < x->ncells; i++)
		x->widths[i] = (size_t)atol(PQgetvalue(res, 0, (int)i + 1));
	PQclear(res);
	strbuf_reset(&sql);
	strbuf_printf(&sql, "DECLARE export_rows NO SCROLL CURSOR FOR %s", strbuf_str(&sel));
	if (sql.len == 0) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = db_exec(c, strbuf_str(&sql), 0, NULL, NULL)) < 0)
		goto out;
	*out = x;
	x = NULL;
	r = 0;
out:
	strbuf_done(&sel);
	strbuf_done(&sql);
	db_export_rows_free(x);   /* an open transaction makes db_release close the connection */
	return r;
}

long db_export_rows_count(const struct db_export_rows *x)
{
	return x->count;
}

size_t db_export_rows_width(const struct db_export_rows *x, size_t cell)
{
	return cell < x->ncells ? x->widths[cell] : 0;
}

int db_export_rows_next(struct db_export_rows *x, const char *const **cells)
{
	size_t i;
	int r;

	if (x->done)
		return 0;
	if (!x->batch || x->next >= PQntuples(x->batch)) {
		PQclear(x->batch);
		x->batch = NULL;
		if ((r = db_exec(x->c, FETCH_SQL, 0, NULL, &x->batch)) < 0)
			return r;
		x->next = 0;
		if (PQntuples(x->batch) == 0) {
			x->done = true;
			return db_exec(x->c, "COMMIT", 0, NULL, NULL);
		}
	}
	for (i = 0; i < x->ncells; i++)
		x->cells[i] = PQgetisnull(x->batch, x->next, (int)i) ? NULL : PQgetvalue(x->batch, x->next, (int)i);
	x->next++;
	*cells = x->cells;
	return 1;
}

void db_export_rows_free(struct db_export_rows *x)
{
	if (!x)
		return;
	PQclear(x->batch);
	free(x->widths);
	free(x->cells);
	free(x);
}
