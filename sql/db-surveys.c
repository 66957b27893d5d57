/* db-surveys.c - survey rounds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-auth.h"
#include "db-internal.h"
#include "db-surveys.h"
#include "jsonw.h"
#include "strbuf.h"

int db_survey_create(struct db_conn *c, const struct db_survey_spec *s)
{
	char form[DB_INT_LEN], base[32], idbuf[DB_INT_LEN];
	const char *p[6] = { s->code, db_int_param(s->form_id, form), s->title, s->has_baseline ? base : NULL,
			     s->baseline_label, s->access };
	struct strbuf detail = STRBUF_INIT;
	PGresult *res = NULL;
	long long id = 0;
	size_t i;
	int r;

	snprintf(base, sizeof base, "%.17g", s->baseline);
	strbuf_init(&detail, 0);
	if ((r = db_begin(c)) < 0)
		return r;
	r = db_exec_id(c, "INSERT INTO surveys (code, form_id, title, baseline, baseline_label, access)"
			  " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", 6, p, &id);
	if (r < 0)
		goto out;
	db_int_param(id, idbuf);
	for (i = 0; i < s->nagencies; i++) {
		r = db_exec(c, "INSERT INTO survey_agencies (survey_id, agency_id)"
			       " SELECT $1, id FROM agencies WHERE code = $2 ON CONFLICT DO NOTHING RETURNING 1",
			    2, (const char *[]){ idbuf, s->agencies[i] }, &res);
		if (r < 0)
			goto out;
		if (PQntuples(res) == 0) {
			PQclear(res);
			res = NULL;
			r = db_exec(c, "SELECT 1 FROM agencies WHERE code = $1", 1,
				    (const char *[]){ s->agencies[i] }, &res);
			if (r < 0)
				goto out;
			if (PQntuples(res) == 0) {
				snprintf(c->error, sizeof c->error, "%s", s->agencies[i]);
				r = -ENOENT;
				goto out;
			}
		}
		PQclear(res);
		res = NULL;
	}
	for (i = 0; i < s->nstrata; i++) {
		char pop[DB_INT_LEN], tgt[DB_INT_LEN];
		const char *q[4] = { idbuf, s->strata[i].stratum, db_int_param(s->strata[i].population, pop),
				     s->strata[i].target >= 0 ? db_int_param(s->strata[i].target, tgt) : NULL };

		r = db_exec(c, "INSERT INTO strata (survey_id, stratum, agency_id, population, target)"
			       " VALUES ($1, $2, (SELECT id FROM agencies WHERE code = $2), $3, $4)", 4, q, NULL);
		if (r < 0)
			goto out;
	}
	strbuf_putc(&detail, '{');
	jsonw_member_str(&detail, "survey", s->code);
	jsonw_member_int(&detail, "form_id", s->form_id);
	jsonw_member_int(&detail, "strata", (long long)s->nstrata);
	strbuf_putc(&detail, '}');
	if ((r = db_audit(c, 0, "cli", "survey.create", (int)id, strbuf_str(&detail))) < 0)
		goto out;
	if ((r = db_commit(c)) == 0)
		r = (int)id;
out:
	if (r < 0)
		db_rollback(c);
	PQclear(res);
	strbuf_done(&detail);
	return r;
}

/* Runs sql (an UPDATE of round $1 setting $2, RETURNING id) and audits action, in one transaction. */
static int survey_update(struct db_conn *c, const char *sql, const char *code, const char *value, const char *action)
{
	long long id;
	int r;

	if ((r = db_begin(c)) < 0)
		return r;
	r = db_exec_id(c, sql, 2, (const char *[]){ code, value }, &id);
	if (r < 0)
		goto out;
	if ((r = db_audit(c, 0, "cli", action, (int)id, NULL)) < 0)
		goto out;
	r = db_commit(c);
out:
	if (r < 0)
		db_rollback(c);
	return r;
}

int db_survey_set_open(struct db_conn *c, const char *code, bool open)
{
	return survey_update(c, "UPDATE surveys SET status = $2 WHERE code = $1 RETURNING id", code,
			     open ? "open" : "closed", open ? "survey.open" : "survey.close");
}

int db_survey_set_published(struct db_conn *c, const char *code, bool published)
{
	return survey_update(c, "UPDATE surveys SET published = $2 WHERE code = $1 RETURNING id", code,
			     published ? "true" : "false", published ? "survey.publish" : "survey.unpublish");
}

int db_survey_get(struct db_conn *c, const char *code, struct db_survey *out, char **definition, size_t *deflen)
{
	PGresult *res = NULL;
	char *def;
	int r;

	r = db_exec(c, "SELECT s.id, s.form_id, s.title, s.access = 'invite', s.status = 'open', f.definition"
		       " FROM surveys s JOIN forms f ON f.id = s.form_id WHERE s.code = $1", 1,
		    (const char *[]){ code }, &res);
	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	def = strdup(PQgetvalue(res, 0, 5));
	if (!def) {
		PQclear(res);
		return -ENOMEM;
	}
	memset(out, 0, sizeof *out);
	out->id = atoi(PQgetvalue(res, 0, 0));
	out->form_id = atoi(PQgetvalue(res, 0, 1));
	snprintf(out->code, sizeof out->code, "%s", code);
	snprintf(out->title, sizeof out->title, "%s", PQgetvalue(res, 0, 2));
	out->invite_only = PQgetvalue(res, 0, 3)[0] == 't';
	out->open = PQgetvalue(res, 0, 4)[0] == 't';
	*deflen = (size_t)PQgetlength(res, 0, 5);
	*definition = def;
	PQclear(res);
	return 0;
}

int db_survey_is_open(struct db_conn *c, int survey_id)
{
	char idbuf[DB_INT_LEN];
	PGresult *res = NULL;
	int r;

	db_int_param(survey_id, idbuf);
	r = db_exec(c, "SELECT status = 'open' FROM surveys WHERE id = $1", 1, (const char *[]){ idbuf }, &res);
	if (r < 0)
		return r;
	r = PQntuples(res) == 0 ? -ENOENT : PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return r;
}

int db_survey_is_published(struct db_conn *c, int survey_id)
{
	char idbuf[DB_INT_LEN];
	PGresult *res = NULL;
	int r;

	db_int_param(survey_id, idbuf);
	r = db_exec(c, "SELECT published FROM surveys WHERE id = $1", 1, (const char *[]){ idbuf }, &res);
	if (r < 0)
		return r;
	r = PQntuples(res) == 0 ? -ENOENT : PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return r;
}

/* Calls fn with the two columns of every row of res, then frees res; returns the row count or
 * fn's negative return. */
static int each_pair(PGresult *res, int (*fn)(void *ud, const char *a, const char *b), void *ud)
{
	int i, n = PQntuples(res), r = 0;

	for (i = 0; i < n; i++)
		if ((r = fn(ud, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1))) < 0)
			break;
	PQclear(res);
	return r < 0 ? r : n;
}

int db_survey_agencies_each(struct db_conn *c, int survey_id,
			    int (*fn)(void *ud, const char *code, const char *name), void *ud)
{
	char idbuf[DB_INT_LEN];
	PGresult *res = NULL;
	int r;

	db_int_param(survey_id, idbuf);
	r = db_exec(c, "SELECT a.code, a.name FROM agencies a WHERE"
		       " NOT EXISTS (SELECT 1 FROM survey_agencies WHERE survey_id = $1)"
		       " OR a.id IN (SELECT agency_id FROM survey_agencies WHERE survey_id = $1)"
		       " ORDER BY a.level <> 'province', a.level <> 'department', a.name, a.code", 1,
		    (const char *[]){ idbuf }, &res);
	if (r < 0)
		return r;
	return each_pair(res, fn, ud);
}

int db_survey_rounds_each(struct db_conn *c, int survey_id,
			  int (*fn)(void *ud, const char *code, const char *title), void *ud)
{
	char idbuf[DB_INT_LEN], lim[DB_INT_LEN];
	PGresult *res = NULL;
	int r;

	db_int_param(survey_id, idbuf);
	db_int_param(DB_SURVEY_ROUNDS_MAX, lim);
	/* the latest DB_SURVEY_ROUNDS_MAX rounds, oldest first */
	r = db_exec(c, "SELECT code, title FROM (SELECT s.code, s.title, s.created_at, s.id FROM surveys s"
		       " JOIN forms f ON f.id = s.form_id WHERE f.form_key = (SELECT f2.form_key FROM surveys s2"
		       " JOIN forms f2 ON f2.id = s2.form_id WHERE s2.id = $1)"
		       " ORDER BY s.created_at DESC, s.id DESC LIMIT $2) t ORDER BY created_at, id", 2,
		    (const char *[]){ idbuf, lim }, &res);
	if (r < 0)
		return r;
	return each_pair(res, fn, ud);
}
