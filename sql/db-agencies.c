/* db-agencies.c - agencies. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "db-agencies.h"
#include "db-auth.h"
#include "db-internal.h"

int db_agencies_upsert(struct db_conn *c, const struct db_agency *rows, size_t n, const char *actor,
		       size_t *bad)
{
	PGresult *res = NULL;
	char detail[64];
	size_t i;
	int r;

	if ((r = db_begin(c)) < 0)
		return r;
	for (i = 0; i < n; i++) {
		const char *p[3] = { rows[i].code, rows[i].name, rows[i].level };

		r = db_exec(c, "INSERT INTO agencies (code, name, level) VALUES ($1, $2, $3)"
			       " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,"
			       " level = EXCLUDED.level, updated_at = now()", 3, p, NULL);
		if (r < 0)
			goto fail;
	}
	/* second pass: parents may be rows that come later in the batch */
	for (i = 0; i < n; i++) {
		const char *p[2] = { rows[i].code, rows[i].parent && *rows[i].parent ? rows[i].parent : NULL };

		r = db_exec(c, "UPDATE agencies SET parent_id = (SELECT id FROM agencies WHERE code = $2)"
			       " WHERE code = $1 AND ($2::text IS NULL OR EXISTS"
			       " (SELECT 1 FROM agencies WHERE code = $2 AND code <> $1)) RETURNING id",
			    2, p, &res);
		if (r < 0)
			goto fail;
		if (PQntuples(res) == 0) {
			snprintf(c->error, sizeof c->error, "unknown parent agency '%s'", p[1]);
			r = -ENOENT;
			goto fail;
		}
		PQclear(res);
		res = NULL;
	}
	snprintf(detail, sizeof detail, "{\"rows\":%zu}", n);
	if ((r = db_audit(c, 0, actor, "agencies.import", 0, detail)) < 0)
		goto fail;
	if ((r = db_commit(c)) < 0)
		goto fail;
	return (int)n;
fail:
	PQclear(res);
	db_rollback(c);
	*bad = i;
	return r;
}

int db_agencies_each(struct db_conn *c, int (*fn)(void *ud, const struct db_agency *a), void *ud)
{
	PGresult *res = NULL;
	int r, i;

	r = db_exec(c, "SELECT a.code, a.name, a.level, p.code FROM agencies a"
		       " LEFT JOIN agencies p ON p.id = a.parent_id ORDER BY a.code", 0, NULL, &res);
	if (r < 0)
		return r;
	for (i = 0; i < PQntuples(res); i++) {
		struct db_agency a = {
			PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3),
		};

		if ((r = fn(ud, &a)) < 0)
			break;
	}
	if (r >= 0)
		r = i;
	PQclear(res);
	return r;
}
