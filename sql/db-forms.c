/* db-forms.c - form versions: registering and finding them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-forms.h"
#include "db-internal.h"

int db_form_register(struct db_conn *c, const char *key, int version, const char *title,
		     const char *definition, size_t len, const uint8_t sha[32])
{
	char ver[DB_INT_LEN], hex[68], idbuf[16];
	const char *p[5] = { key, ver, title, definition, hex };
	int lens[5] = { 0, 0, 0, (int)len, 0 };
	PGresult *res = NULL;
	int r;

	if (len > (1u << 30))
		return -E2BIG;
	db_int_param(version, ver);
	db_hash_param(sha, hex);
	if ((r = db_begin(c)) < 0)
		return r;
	r = db_exec(c, "SELECT id, sha256 = $3::bytea FROM forms WHERE form_key = $1 AND version = $2 FOR UPDATE",
		    3, (const char *[]){ key, ver, hex }, &res);
	if (r < 0)
		goto out;
	if (PQntuples(res) == 0) {
		r = db_execb(c, "INSERT INTO forms (form_key, version, title, definition, sha256)"
				" VALUES ($1, $2, $3, $4, $5::bytea)", 5, p, lens, NULL, NULL);
		if (r == 0 && (r = db_commit(c)) == 0)
			r = DB_FORM_NEW;
		goto out;
	}
	if (PQgetvalue(res, 0, 1)[0] == 't') {
		r = db_commit(c);
		if (r == 0)
			r = DB_FORM_SAME;
		goto out;
	}
	snprintf(idbuf, sizeof idbuf, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	r = db_exec(c, "SELECT code FROM surveys WHERE form_id = $1 ORDER BY id LIMIT 1", 1,
		    (const char *[]){ idbuf }, &res);
	if (r < 0)
		goto out;
	if (PQntuples(res) > 0) {
		snprintf(c->error, sizeof c->error, "%s", PQgetvalue(res, 0, 0));
		r = -EBUSY;
		goto out;
	}
	r = db_execb(c, "UPDATE forms SET title = $3, definition = $4, sha256 = $5::bytea, loaded_at = now()"
			" WHERE form_key = $1 AND version = $2", 5, p, lens, NULL, NULL);
	if (r == 0 && (r = db_commit(c)) == 0)
		r = DB_FORM_UPDATED;
out:
	if (r < 0)
		db_rollback(c);   /* keeps the message */
	PQclear(res);
	return r;
}

int db_form_find(struct db_conn *c, const char *key, int version)
{
	char ver[DB_INT_LEN];
	long long id;
	int r;

	r = db_exec_id(c, "SELECT id FROM forms WHERE form_key = $1 AND ($2::int = 0 OR version = $2::int)"
			  " ORDER BY version DESC LIMIT 1", 2, (const char *[]){ key, db_int_param(version, ver) }, &id);
	return r < 0 ? r : (int)id;
}
