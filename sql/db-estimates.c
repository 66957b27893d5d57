/* db-estimates.c - the kept aggregates: queue, cells, counts (see db-estimates.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-estimates.h"
#include "db-internal.h"

#define LOCK_CLASS "20260600"     /* the first key of the fold's advisory lock */

#define ROW_COLUMNS "r.id, r.agency_id, r.stratum, r.psu, r.weight, r.fpc, r.channel, r.codes"

int db_est_trylock(struct db_conn *c, int survey_id)
{
	PGresult *res = NULL;
	char sid[DB_INT_LEN];
	int r;

	db_int_param(survey_id, sid);
	r = db_exec(c, "SELECT pg_try_advisory_lock(" LOCK_CLASS ", $1::int)", 1, (const char *[]){ sid }, &res);
	if (r < 0)
		return r;
	r = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return r;
}

int db_est_xact_trylock(struct db_conn *c, int survey_id)
{
	PGresult *res = NULL;
	char sid[DB_INT_LEN];
	int r;

	db_int_param(survey_id, sid);
	r = db_exec(c, "SELECT pg_try_advisory_xact_lock(" LOCK_CLASS ", $1::int)", 1, (const char *[]){ sid }, &res);
	if (r < 0)
		return r;
	r = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return r;
}

int db_est_queue_upload(struct db_conn *c, int survey_id, long long upload_id)
{
	char sid[DB_INT_LEN], uid[DB_INT_LEN];

	db_int_param(survey_id, sid);
	db_int_param(upload_id, uid);
	/* the upload's responses lie within its range of ids (011_upload_range.sql) */
	return db_exec(c, "INSERT INTO est_pending (survey_id, response_id) SELECT r.survey_id, r.id"
			  " FROM uploads u JOIN responses r ON r.id BETWEEN u.first_response AND u.last_response"
			  " AND r.upload_id = u.id WHERE u.id = $2 AND r.survey_id = $1 AND NOT r.withdrawn", 2,
		       (const char *[]){ sid, uid }, NULL);
}

int db_est_unlock(struct db_conn *c, int survey_id)
{
	char sid[DB_INT_LEN];

	db_int_param(survey_id, sid);
	return db_exec(c, "SELECT pg_advisory_unlock(" LOCK_CLASS ", $1::int)", 1, (const char *[]){ sid }, NULL);
}

int db_est_state(struct db_conn *c, int survey_id, bool *stale, bool *pending)
{
	PGresult *res = NULL;
	char sid[DB_INT_LEN];
	int r;

	db_int_param(survey_id, sid);
	r = db_exec(c, "SELECT coalesce((SELECT stale FROM est_state WHERE survey_id = $1), true),"
		       " EXISTS (SELECT 1 FROM est_pending WHERE survey_id = $1)", 1, (const char *[]){ sid }, &res);
	if (r < 0)
		return r;
	*stale = PQgetvalue(res, 0, 0)[0] == 't';
	*pending = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	return 0;
}

int db_est_due(struct db_conn *c, int (*fn)(void *ud, const char *code), void *ud)
{
	PGresult *res = NULL;
	int r, i, n;

	r = db_exec(c, "SELECT s.code FROM surveys s JOIN est_state e ON e.survey_id = s.id"
		       " WHERE e.stale OR EXISTS (SELECT 1 FROM est_pending p WHERE p.survey_id = s.id)"
		       " ORDER BY s.id", 0, NULL, &res);
	if (r < 0)
		return r;
	n = PQntuples(res);
	for (i = 0; i < n && r >= 0; i++)
		r = fn(ud, PQgetvalue(res, i, 0));
	PQclear(res);
	return r < 0 ? r : n;
}

int db_est_rebuild_begin(struct db_conn *c, int survey_id)
{
	static const char *const sql[] = {
		"DELETE FROM est_cells WHERE survey_id = $1",
		"DELETE FROM est_psus WHERE survey_id = $1",
		"DELETE FROM est_counts WHERE survey_id = $1",
		"DELETE FROM est_pending WHERE survey_id = $1",
		"INSERT INTO est_state (survey_id) VALUES ($1) ON CONFLICT DO NOTHING",
		"UPDATE est_state SET folded = 0, watermark = 0 WHERE survey_id = $1",
	};
	char sid[DB_INT_LEN];
	size_t i;
	int r;

	db_int_param(survey_id, sid);
	if ((r = db_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL, NULL)) < 0)
		return r;
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++)
		if ((r = db_exec(c, sql[i], 1, (const char *[]){ sid }, NULL)) < 0) {
			db_rollback(c);
			return r;
		}
	return 0;
}

static uint32_t be32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static uint64_t be64(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | u[i];
	return v;
}

/* A binary float8 column (NAN when NULL). */
static double bin_double(const PGresult *res, int i, int col)
{
	uint64_t bits;
	double v;

	if (PQgetisnull(res, i, col) || PQgetlength(res, i, col) != 8)
		return NAN;
	bits = be64(PQgetvalue(res, i, col));
	memcpy(&v, &bits, sizeof v);
	return v;
}

/* Calls fn for each row of res (columns ROW_COLUMNS in binary: libpq ends every value with a
 * NUL, so the text columns read as strings). */
static long long each_row(PGresult *res, size_t ncodes, int16_t *codes, db_est_row_fn fn, void *ud)
{
	int i, n = PQntuples(res), r;

	for (i = 0; i < n; i++) {
		struct db_est_row row;

		if (PQgetisnull(res, i, 0) || PQgetlength(res, i, 0) != 8 || PQgetlength(res, i, 1) != 4)
			return -EIO;
		row.id = (long long)be64(PQgetvalue(res, i, 0));
		row.agency_id = (int)be32(PQgetvalue(res, i, 1));
		row.stratum = PQgetvalue(res, i, 2);
		row.psu = PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3);
		row.weight = bin_double(res, i, 4);
		row.fpc = bin_double(res, i, 5);
		row.channel = PQgetvalue(res, i, 6);
		if (db_codes_bin(PQgetvalue(res, i, 7), (size_t)PQgetlength(res, i, 7), codes, ncodes) < 0)
			return -EIO;
		row.codes = codes;
		if ((r = fn(ud, &row)) < 0)
			return r;
	}
	return n;
}

/* Sends sql (no parameters; rows in binary) without waiting for its result; returns 0 or a
 * negative errno. */
static int send_fetch(struct db_conn *c, const char *sql)
{
	return PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 1) == 1 ? 0 : db_error(c, NULL);
}

/* The result of the statement sent last (NULL on failure, c->error set; *err its errno), its
 * connection drained. */
static PGresult *fetched(struct db_conn *c, int *err)
{
	PGresult *res = NULL, *more;

	while ((more = PQgetResult(c->pg)) != NULL) {
		if (res)
			PQclear(more);
		else
			res = more;
	}
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		*err = db_error(c, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* Declares cursor name for query (with the round as $1), calls fn for every row fetched,
 * DB_EST_BATCH at a time, and closes it. The next batch is asked for before fn reads the
 * current one, so the database and the fold work at the same time. Returns the count, fn's
 * negative return or a negative errno. */
static long long scan(struct db_conn *c, const char *name, const char *query, int survey_id, size_t ncodes,
		      db_est_row_fn fn, void *ud)
{
	PGresult *res = NULL;
	int16_t *codes = NULL;
	long long total = 0, got;
	char sid[DB_INT_LEN], sql[64];
	struct strbuf decl;
	int r;

	db_int_param(survey_id, sid);
	strbuf_init(&decl, 0);
	codes = calloc(ncodes ? ncodes : 1, sizeof *codes);
	if (!codes || strbuf_printf(&decl, "DECLARE %s NO SCROLL CURSOR FOR %s", name, query) < 0) {
		r = -ENOMEM;
		goto out;
	}
	/* every row is read: plan for all of them, not for a fast first tenth (a nested loop of
	 * index lookups, a random read per response of a large queue) */
	if ((r = db_exec(c, "SET LOCAL cursor_tuple_fraction = 1", 0, NULL, NULL)) < 0 ||
	    (r = db_exec(c, strbuf_str(&decl), 1, (const char *[]){ sid }, NULL)) < 0)
		goto out;
	snprintf(sql, sizeof sql, "FETCH %d FROM %s", DB_EST_BATCH, name);
	if ((r = send_fetch(c, sql)) < 0)
		goto out;
	for (;;) {
		if (!(res = fetched(c, &r)))
			goto out;
		if (PQntuples(res) == 0)
			break;
		if ((r = send_fetch(c, sql)) < 0)
			goto out;
		got = each_row(res, ncodes, codes, fn, ud);
		PQclear(res);
		res = NULL;
		if (got < 0) {
			PQclear(fetched(c, &r));      /* the batch asked for */
			r = (int)got;
			goto out;
		}
		total += got;
	}
	PQclear(res);
	res = NULL;
	snprintf(sql, sizeof sql, "CLOSE %s", name);
	r = db_exec(c, sql, 0, NULL, NULL);
out:
	PQclear(res);
	strbuf_done(&decl);
	free(codes);
	return r < 0 ? r : total;
}

long long db_est_scan(struct db_conn *c, int survey_id, size_t ncodes, db_est_row_fn fn, void *ud)
{
	return scan(c, "est_scan", "SELECT " ROW_COLUMNS " FROM responses r WHERE r.survey_id = $1 AND NOT r.withdrawn"
		    " ORDER BY r.id", survey_id, ncodes, fn, ud);
}

int db_est_pending_begin(struct db_conn *c)
{
	return db_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL, NULL);
}

long long db_est_take_pending(struct db_conn *c, int survey_id, size_t ncodes, db_est_row_fn fn, void *ud)
{
	char sid[DB_INT_LEN];
	long long got;
	int r;

	/* one pass over the queue as the snapshot sees it, then exactly those rows out of it: a
	 * response queued since stays for the next fold */
	got = scan(c, "est_pend", "SELECT " ROW_COLUMNS " FROM est_pending p JOIN responses r ON r.id = p.response_id"
		   " WHERE p.survey_id = $1 AND NOT r.withdrawn", survey_id, ncodes, fn, ud);
	if (got < 0)
		return got;
	db_int_param(survey_id, sid);
	r = db_exec(c, "DELETE FROM est_pending WHERE survey_id = $1", 1, (const char *[]){ sid }, NULL);
	return r < 0 ? r : got;
}


long long db_est_cells_load(struct db_conn *c, int survey_id, const char *grouping, const char *keys_json,
			    bool psus, db_est_cell_fn fn, void *ud)
{
	static const char *const sel[2][2] = {
		/* in key order: the merge's floating-point sums, and so the replies' last digits, must
		 * not depend on where a fold left the rows */
		{ "SELECT grouping, agency_id, code, stratum, NULL::text, cell FROM est_cells"
		  " WHERE survey_id = $1::int AND grouping = $2 ORDER BY agency_id, code, stratum",
		  "SELECT grouping, agency_id, code, stratum, psu, totals FROM est_psus"
		  " WHERE survey_id = $1::int AND grouping = $2 ORDER BY agency_id, code, stratum, psu" },
		{ "SELECT c.grouping, c.agency_id, c.code, c.stratum, NULL::text, c.cell FROM est_cells c"
		  " JOIN jsonb_to_recordset($2::jsonb) AS k(g text, a int, k int, s text)"
		  " ON c.grouping = k.g AND c.agency_id = k.a AND c.code = k.k AND c.stratum = k.s"
		  " WHERE c.survey_id = $1::int",
		  "SELECT c.grouping, c.agency_id, c.code, c.stratum, c.psu, c.totals FROM est_psus c"
		  " JOIN jsonb_to_recordset($2::jsonb) AS k(g text, a int, k int, s text)"
		  " ON c.grouping = k.g AND c.agency_id = k.a AND c.code = k.k AND c.stratum = k.s"
		  " WHERE c.survey_id = $1::int" },
	};
	char sid[DB_INT_LEN];
	const char *p[2] = { sid, grouping ? grouping : keys_json };
	long long total = 0;
	int pass, r = 0;

	db_int_param(survey_id, sid);
	if (!c->pg)
		return db_error(c, NULL);
	for (pass = 0; pass < (psus ? 2 : 1) && r >= 0; pass++) {
		PGresult *res = PQexecParams(c->pg, sel[grouping ? 0 : 1][pass], 2, NULL, p, NULL, NULL, 1);
		int i, n;

		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			r = db_error(c, res);
			PQclear(res);
			return r;
		}
		n = PQntuples(res);
		for (i = 0; i < n && r >= 0; i++) {
			struct db_est_cell cell;
			char *g = PQgetvalue(res, i, 0), *s = PQgetvalue(res, i, 3);

			if (PQgetlength(res, i, 1) != 4 || PQgetlength(res, i, 2) != 4) {
				r = -EIO;
				break;
			}
			cell.grouping = g;
			cell.agency_id = (int)be32(PQgetvalue(res, i, 1));
			cell.code = (int)be32(PQgetvalue(res, i, 2));
			cell.stratum = s;
			cell.psu = PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4);
			cell.data = PQgetvalue(res, i, 5);
			cell.len = (size_t)PQgetlength(res, i, 5);
			r = fn(ud, &cell);
			total++;
		}
		PQclear(res);
	}
	return r < 0 ? r : total;
}

int db_est_cell_put(struct db_conn *c, int survey_id, const struct db_est_cell *cell)
{
	char sid[DB_INT_LEN], aid[DB_INT_LEN], code[DB_INT_LEN];
	const char *p[6] = { sid, cell->grouping, aid, code, cell->stratum, NULL };
	int len[6] = { 0, 0, 0, 0, 0, 0 }, fmt[6] = { 0, 0, 0, 0, 0, 1 };

	db_int_param(survey_id, sid);
	db_int_param(cell->agency_id, aid);
	db_int_param(cell->code, code);
	if (!cell->psu) {
		p[5] = cell->data;
		len[5] = (int)cell->len;
		return db_execb(c, "INSERT INTO est_cells (survey_id, grouping, agency_id, code, stratum, cell)"
				   " VALUES ($1, $2, $3, $4, $5, $6)"
				   " ON CONFLICT (survey_id, grouping, agency_id, code, stratum)"
				   " DO UPDATE SET cell = EXCLUDED.cell", 6, p, len, fmt, NULL);
	}
	{
		const char *q[7] = { sid, cell->grouping, aid, code, cell->stratum, cell->psu, cell->data };
		int ql[7] = { 0, 0, 0, 0, 0, 0, (int)cell->len }, qf[7] = { 0, 0, 0, 0, 0, 0, 1 };

		return db_execb(c, "INSERT INTO est_psus (survey_id, grouping, agency_id, code, stratum, psu, totals)"
				   " VALUES ($1, $2, $3, $4, $5, $6, $7)"
				   " ON CONFLICT (survey_id, grouping, agency_id, code, stratum, psu)"
				   " DO UPDATE SET totals = EXCLUDED.totals", 7, q, ql, qf, NULL);
	}
}

int db_est_count_add(struct db_conn *c, int survey_id, int agency_id, const char *stratum,
		     const char *channel, long long n)
{
	char sid[DB_INT_LEN], aid[DB_INT_LEN], cnt[DB_INT_LEN];

	db_int_param(survey_id, sid);
	db_int_param(agency_id, aid);
	db_int_param(n, cnt);
	return db_exec(c, "INSERT INTO est_counts (survey_id, agency_id, stratum, channel, n)"
			  " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (survey_id, agency_id, stratum, channel)"
			  " DO UPDATE SET n = est_counts.n + EXCLUDED.n", 5,
		       (const char *[]){ sid, aid, stratum, channel, cnt }, NULL);
}

int db_est_state_set(struct db_conn *c, int survey_id, long long nrows, long long max_id)
{
	char sid[DB_INT_LEN], n[DB_INT_LEN], m[DB_INT_LEN];

	db_int_param(survey_id, sid);
	db_int_param(nrows, n);
	db_int_param(max_id, m);
	return db_exec(c, "INSERT INTO est_state (survey_id, stale, folded, watermark) VALUES ($1, false, $2, $3)"
			  " ON CONFLICT (survey_id) DO UPDATE SET stale = false, folded = est_state.folded + $2,"
			  " watermark = greatest(est_state.watermark, $3), updated_at = now()", 3,
		       (const char *[]){ sid, n, m }, NULL);
}

int db_est_frame_each(struct db_conn *c, int survey_id,
	int (*fn)(void *ud, const char *stratum, long long population, long long target, const char *agency),
	void *ud)
{
	PGresult *res = NULL;
	char sid[DB_INT_LEN];
	int r, i, n;

	db_int_param(survey_id, sid);
	r = db_exec(c, "SELECT s.stratum, s.population, s.target, a.code FROM strata s"
		       " LEFT JOIN agencies a ON a.id = s.agency_id WHERE s.survey_id = $1 ORDER BY s.stratum",
		    1, (const char *[]){ sid }, &res);
	if (r < 0)
		return r;
	n = PQntuples(res);
	for (i = 0; i < n && r >= 0; i++)
		r = fn(ud, PQgetvalue(res, i, 0), strtoll(PQgetvalue(res, i, 1), NULL, 10),
		       PQgetisnull(res, i, 2) ? -1 : strtoll(PQgetvalue(res, i, 2), NULL, 10),
		       PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3));
	PQclear(res);
	return r < 0 ? r : n;
}

int db_est_agencies_each(struct db_conn *c,
	int (*fn)(void *ud, int id, const char *code, const char *name, const char *level), void *ud)
{
	PGresult *res = NULL;
	int r, i, n;

	r = db_exec(c, "SELECT id, code, name, level FROM agencies ORDER BY code", 0, NULL, &res);
	if (r < 0)
		return r;
	n = PQntuples(res);
	for (i = 0; i < n && r >= 0; i++)
		r = fn(ud, atoi(PQgetvalue(res, i, 0)), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		       PQgetvalue(res, i, 3));
	PQclear(res);
	return r < 0 ? r : n;
}

int db_progress_each(struct db_conn *c, int survey_id, const struct db_progress_fns *fns, void *ud)
{
	PGresult *res = NULL;
	char sid[DB_INT_LEN];
	int r, i, n;

	db_int_param(survey_id, sid);
	/* kind 0: a stratum (population, target); 1: a count (n); 2: an agency's invitations
	 * (invited, used) */
	r = db_exec(c, "SELECT 0 AS kind, s.stratum, a.code, NULL AS channel, s.population AS x, s.target AS y"
		       " FROM strata s LEFT JOIN agencies a ON a.id = s.agency_id WHERE s.survey_id = $1"
		       " UNION ALL SELECT 1, k.stratum, a.code, k.channel, k.n, NULL FROM est_counts k"
		       " JOIN agencies a ON a.id = k.agency_id WHERE k.survey_id = $1 AND k.n > 0"
		       " UNION ALL SELECT 2, NULL, a.code, NULL, count(*), count(i.used_at) FROM invites i"
		       " JOIN agencies a ON a.id = i.agency_id WHERE i.survey_id = $1 GROUP BY a.code"
		       " ORDER BY kind, stratum, code, channel", 1, (const char *[]){ sid }, &res);
	if (r < 0)
		return r;
	n = PQntuples(res);
	for (i = 0; i < n && r >= 0; i++) {
		const char *stratum = PQgetvalue(res, i, 1), *agency = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
		long long x = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		long long y = PQgetisnull(res, i, 5) ? -1 : strtoll(PQgetvalue(res, i, 5), NULL, 10);

		switch (PQgetvalue(res, i, 0)[0]) {
		case '0':
			r = fns->frame(ud, stratum, x, y, agency);
			break;
		case '1':
			r = agency ? fns->count(ud, stratum, agency, PQgetvalue(res, i, 3), x) : 0;
			break;
		default:
			r = agency ? fns->invites(ud, agency, x, y) : 0;
			break;
		}
	}
	PQclear(res);
	return r < 0 ? r : 0;
}

int db_est_baseline(struct db_conn *c, int survey_id, bool *has, double *value, char *label, size_t len)
{
	PGresult *res = NULL;
	char sid[DB_INT_LEN];
	int r;

	db_int_param(survey_id, sid);
	r = db_exec(c, "SELECT baseline, coalesce(baseline_label, '') FROM surveys WHERE id = $1", 1,
		    (const char *[]){ sid }, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	*has = !PQgetisnull(res, 0, 0);
	*value = *has ? strtod(PQgetvalue(res, 0, 0), NULL) : NAN;
	snprintf(label, len, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

int db_est_version(struct db_conn *c, int survey_id, char *buf, size_t len)
{
	PGresult *res = NULL;
	char sid[DB_INT_LEN];
	int r;

	db_int_param(survey_id, sid);
	r = db_exec(c, "SELECT e.folded || ':' || e.watermark || ':' || e.stale || ':' || extract(epoch FROM e.updated_at)"
		       " || ':' || coalesce((SELECT extract(epoch FROM max(updated_at)) FROM agencies), 0)"
		       " FROM est_state e WHERE e.survey_id = $1", 1, (const char *[]){ sid }, &res);
	if (r < 0)
		return r;
	snprintf(buf, len, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "none");
	PQclear(res);
	return 0;
}
