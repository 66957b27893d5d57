/* db-auth.c - tokens, sessions and the audit log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-auth.h"
#include "db-internal.h"
#include "jsonw.h"
#include "strbuf.h"

int db_token_create(struct db_conn *c, const char *role, const char *name,
		    const uint8_t secret_hash[32], const char *const *agencies, size_t nagencies)
{
	char hex[68], idbuf[DB_INT_LEN];
	const char *p[3] = { db_hash_param(secret_hash, hex), role, name };
	struct strbuf detail = STRBUF_INIT;
	long long id = 0;
	size_t i;
	int r;

	if (strcmp(role, "admin") && strcmp(role, "team") && strcmp(role, "analyst"))
		return -EINVAL;
	if (nagencies > DB_TOKEN_MAX_AGENCIES)
		return -E2BIG;
	strbuf_init(&detail, 0);
	if ((r = db_begin(c)) < 0)
		goto out;
	r = db_exec_id(c, "INSERT INTO tokens (secret_hash, role, name) VALUES ($1::bytea, $2, $3) RETURNING id",
		       3, p, &id);
	if (r < 0)
		goto out;
	db_int_param(id, idbuf);
	for (i = 0; i < nagencies; i++) {
		const char *q[2] = { idbuf, agencies[i] };
		PGresult *ar = NULL;
		int found;

		r = db_exec(c, "WITH a AS (SELECT id FROM agencies WHERE code = $2),"
			       " ins AS (INSERT INTO token_agencies (token_id, agency_id) SELECT $1, id FROM a"
			       " ON CONFLICT DO NOTHING) SELECT count(*) FROM a", 2, q, &ar);
		if (r < 0)
			goto out;
		found = atoi(PQgetvalue(ar, 0, 0));
		PQclear(ar);
		if (!found)
			goto unknown;
	}
	strbuf_putc(&detail, '{');
	jsonw_member_int(&detail, "token", id);
	jsonw_member_str(&detail, "role", role);
	strbuf_putc(&detail, '}');
	if ((r = db_audit(c, (int)id, name, "token.create", 0, strbuf_str(&detail))) < 0)
		goto out;
	if ((r = db_commit(c)) < 0)
		goto out;
	r = (int)id;
	goto out;
unknown:
	snprintf(c->error, sizeof c->error, "%s", agencies[i]);
	r = -ENOENT;
out:
	if (r < 0)
		db_rollback(c);
	strbuf_done(&detail);
	return r;
}

int db_token_get(struct db_conn *c, int id, struct db_token *out)
{
	char idbuf[DB_INT_LEN];
	const char *p[1] = { db_int_param(id, idbuf) };
	PGresult *res = NULL;
	int r, i;

	r = db_exec(c, "SELECT t.role, t.name, encode(t.secret_hash, 'hex'), t.revoked_at IS NOT NULL,"
		       " a.code FROM tokens t LEFT JOIN token_agencies ta ON ta.token_id = t.id"
		       " LEFT JOIN agencies a ON a.id = ta.agency_id WHERE t.id = $1 ORDER BY a.code",
		    1, p, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	memset(out, 0, sizeof *out);
	out->id = id;
	snprintf(out->role, sizeof out->role, "%s", PQgetvalue(res, 0, 0));
	snprintf(out->name, sizeof out->name, "%s", PQgetvalue(res, 0, 1));
	for (i = 0; i < 32; i++) {
		unsigned v;

		sscanf(PQgetvalue(res, 0, 2) + 2 * i, "%2x", &v);
		out->secret_hash[i] = (uint8_t)v;
	}
	out->revoked = PQgetvalue(res, 0, 3)[0] == 't';
	for (i = 0; i < PQntuples(res) && out->nagencies < DB_TOKEN_MAX_AGENCIES; i++)
		if (!PQgetisnull(res, i, 4))
			snprintf(out->agencies[out->nagencies++], DB_CODE_MAX, "%s", PQgetvalue(res, i, 4));
	PQclear(res);
	return 0;
}

int db_token_revoke(struct db_conn *c, int id, const char *actor)
{
	char idbuf[DB_INT_LEN], detail[48];
	const char *p[1] = { db_int_param(id, idbuf) };
	long long revoked;
	int r;

	if ((r = db_begin(c)) < 0)
		return r;
	r = db_exec_id(c, "UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id",
		       1, p, &revoked);
	if (r < 0)
		goto out;
	snprintf(detail, sizeof detail, "{\"token\":%d}", id);
	if ((r = db_audit(c, 0, actor, "token.revoke", 0, detail)) < 0)
		goto out;
	r = db_commit(c);
out:
	if (r < 0)
		db_rollback(c);
	return r;
}

int db_audit(struct db_conn *c, int token_id, const char *actor, const char *action,
	     int survey_id, const char *detail_json)
{
	char tid[DB_INT_LEN], sid[DB_INT_LEN];
	const char *p[5] = { token_id > 0 ? tid : NULL, actor, action, survey_id > 0 ? sid : NULL,
			     detail_json ? detail_json : "{}" };

	db_int_param(token_id, tid);
	db_int_param(survey_id, sid);
	return db_exec(c, "INSERT INTO audit_log (token_id, actor, action, survey_id, detail)"
			  " VALUES ($1, $2, $3, $4, $5::jsonb)", 5, p, NULL);
}

int db_session_create(struct db_conn *c, const uint8_t id_hash[32], int token_id,
		      const char *csrf, int ttl_s)
{
	char hex[68], tid[DB_INT_LEN], ttl[DB_INT_LEN];
	const char *p[4] = { db_hash_param(id_hash, hex), tid, csrf, ttl };

	db_int_param(token_id, tid);
	db_int_param(ttl_s, ttl);
	return db_exec(c, "INSERT INTO sessions (id_hash, token_id, csrf, expires_at)"
			  " VALUES ($1::bytea, $2, $3, now() + make_interval(secs => $4::int))", 4, p, NULL);
}

int db_session_get(struct db_conn *c, const uint8_t id_hash[32], int *token_id, char *csrf, size_t csrf_len)
{
	char hex[68];
	const char *p[1] = { db_hash_param(id_hash, hex) };
	PGresult *res = NULL;
	int r;

	r = db_exec(c, "SELECT token_id, csrf FROM sessions WHERE id_hash = $1::bytea AND expires_at > now()",
		    1, p, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	*token_id = atoi(PQgetvalue(res, 0, 0));
	snprintf(csrf, csrf_len, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

int db_session_delete(struct db_conn *c, const uint8_t id_hash[32])
{
	char hex[68];
	const char *p[1] = { db_hash_param(id_hash, hex) };

	return db_exec(c, "DELETE FROM sessions WHERE id_hash = $1::bytea", 1, p, NULL);
}
