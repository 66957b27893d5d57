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

int db_export_begin(struct db_conn *c, int survey_id, const struct db_export_column *cols, size_t ncols,
		    struct db_export **out)
{
	struct db_export *x = NULL;
	struct strbuf sql;
	PGresult *res;
	size_t i;
	int r;

	if (!c->pg)
		return db_error(c, NULL);
	strbuf_init(&sql, 0);
	/* COPY takes no parameters: the round is a number, question ids match the id grammar */
	strbuf_puts(&sql, "COPY (SELECT r.serial, a.code, r.channel, r.stratum, r.psu, r.weight, r.fpc,"
		    " to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
	for (i = 0; i < ncols; i++) {
		const char *id = cols[i].id;

		if (!form_id_valid(id, strlen(id))) {
			strbuf_done(&sql);
			return -EINVAL;
		}
		if (cols[i].kind == DB_EXPORT_MULTI)
			strbuf_printf(&sql, ", NULLIF(array_to_string(ARRAY(SELECT jsonb_array_elements_text("
				      "CASE WHEN jsonb_typeof(r.answers->'%s') = 'array' THEN r.answers->'%s' END)), ';'), '')",
				      id, id);
		else if (cols[i].kind == DB_EXPORT_CODE && cols[i].slot >= 0)
			strbuf_printf(&sql, ", r.codes[%d]", cols[i].slot + 1);
		else
			strbuf_printf(&sql, ", r.answers->>'%s'", id);
	}
	strbuf_printf(&sql, " FROM responses r JOIN agencies a ON a.id = r.agency_id"
		      " WHERE r.survey_id = %d AND NOT r.withdrawn ORDER BY r.id) TO STDOUT (FORMAT csv)", survey_id);
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
