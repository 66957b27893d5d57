/* db-report.c - the report's reads besides the estimates (see db-report.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "db-internal.h"
#include "db-report.h"

int db_report_dates(struct db_conn *c, int survey_id, char first[DB_REPORT_DATE_LEN],
		    char last[DB_REPORT_DATE_LEN], char created[DB_REPORT_DATE_LEN])
{
	char idbuf[DB_INT_LEN];
	PGresult *res = NULL;
	int r;

	db_int_param(survey_id, idbuf);
	/* min and max in one pass over the round's responses (no index on submitted_at: every stored
	 * response would pay for it, 010_upload_lean.sql); dates in the session's time zone
	 * (Asia/Ho_Chi_Minh, db-conn.c) */
	r = db_exec(c, "SELECT coalesce(to_char(p.first, 'YYYY-MM-DD'), ''), coalesce(to_char(p.last, 'YYYY-MM-DD'), ''),"
		       " to_char(s.created_at, 'YYYY-MM-DD') FROM surveys s,"
		       " (SELECT min(submitted_at) AS first, max(submitted_at) AS last FROM responses"
		       "  WHERE survey_id = $1 AND NOT withdrawn) p WHERE s.id = $1", 1,
		    (const char *[]){ idbuf }, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	snprintf(first, DB_REPORT_DATE_LEN, "%s", PQgetvalue(res, 0, 0));
	snprintf(last, DB_REPORT_DATE_LEN, "%s", PQgetvalue(res, 0, 1));
	snprintf(created, DB_REPORT_DATE_LEN, "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	return 0;
}

int db_report_invites_each(struct db_conn *c, int survey_id,
			   int (*fn)(void *ud, const char *agency, long long invited, long long used), void *ud)
{
	char idbuf[DB_INT_LEN];
	PGresult *res = NULL;
	int r, i, n;

	db_int_param(survey_id, idbuf);
	r = db_exec(c, "SELECT a.code, count(*), count(i.used_at) FROM invites i JOIN agencies a ON a.id = i.agency_id"
		       " WHERE i.survey_id = $1 GROUP BY a.code ORDER BY a.code", 1, (const char *[]){ idbuf }, &res);
	if (r < 0)
		return r;
	n = PQntuples(res);
	for (i = 0; i < n; i++)
		if ((r = fn(ud, PQgetvalue(res, i, 0), atoll(PQgetvalue(res, i, 1)), atoll(PQgetvalue(res, i, 2)))) < 0)
			break;
	PQclear(res);
	return r < 0 ? r : n;
}
