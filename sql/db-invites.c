/* db-invites.c - invitation codes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-auth.h"
#include "db-internal.h"
#include "db-invites.h"

int db_invites_add(struct db_conn *c, const char *survey_code, const char *agency_code,
		   const uint8_t (*hashes)[32], size_t n)
{
	char sid[DB_INT_LEN], aid[16], hex[68], detail[96];
	PGresult *res = NULL;
	size_t i;
	int r;

	if ((r = db_begin(c)) < 0)
		return r;
	r = db_exec(c, "SELECT s.id, a.id, NOT EXISTS (SELECT 1 FROM survey_agencies WHERE survey_id = s.id)"
		       " OR EXISTS (SELECT 1 FROM survey_agencies WHERE survey_id = s.id AND agency_id = a.id)"
		       " FROM (SELECT 1) one LEFT JOIN surveys s ON s.code = $1 LEFT JOIN agencies a ON a.code = $2",
		    2, (const char *[]){ survey_code, agency_code }, &res);
	if (r < 0)
		goto out;
	if (PQgetisnull(res, 0, 0) || PQgetisnull(res, 0, 1)) {
		snprintf(c->error, sizeof c->error, PQgetisnull(res, 0, 0) ? "--survey: no round '%s'" :
			 "--agency: unknown agency '%s'", PQgetisnull(res, 0, 0) ? survey_code : agency_code);
		r = -ENOENT;
		goto out;
	}
	if (PQgetvalue(res, 0, 2)[0] != 't') {
		snprintf(c->error, sizeof c->error, "--agency: round '%s' does not cover agency '%s'",
			 survey_code, agency_code);
		r = -EINVAL;
		goto out;
	}
	snprintf(sid, sizeof sid, "%s", PQgetvalue(res, 0, 0));
	snprintf(aid, sizeof aid, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	res = NULL;
	for (i = 0; i < n; i++) {
		db_hash_param(hashes[i], hex);
		r = db_exec(c, "INSERT INTO invites (code_hash, survey_id, agency_id) VALUES ($1::bytea, $2, $3)",
			    3, (const char *[]){ hex, sid, aid }, NULL);
		if (r < 0)
			goto out;
	}
	snprintf(detail, sizeof detail, "{\"agency_id\":%s,\"count\":%zu}", aid, n);
	if ((r = db_audit(c, 0, "cli", "invites.create", atoi(sid), detail)) < 0)
		goto out;
	if ((r = db_commit(c)) == 0)
		r = (int)n;
out:
	if (r < 0)
		db_rollback(c);
	PQclear(res);
	return r;
}

int db_invite_peek(struct db_conn *c, int survey_id, const uint8_t hash[32],
		   char *agency, size_t agency_len, char *name, size_t name_len)
{
	char sid[DB_INT_LEN], hex[68];
	PGresult *res = NULL;
	int r;

	db_int_param(survey_id, sid);
	db_hash_param(hash, hex);
	r = db_exec(c, "SELECT i.used_at IS NOT NULL, a.code, a.name FROM invites i JOIN agencies a"
		       " ON a.id = i.agency_id WHERE i.code_hash = $1::bytea AND i.survey_id = $2",
		    2, (const char *[]){ hex, sid }, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0)
		r = -ENOENT;
	else if (PQgetvalue(res, 0, 0)[0] == 't')
		r = -EALREADY;
	else {
		snprintf(agency, agency_len, "%s", PQgetvalue(res, 0, 1));
		snprintf(name, name_len, "%s", PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	return r;
}
