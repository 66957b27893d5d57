/* db-responses.c - one response per call; the unique (survey_id, client_id) index and the
 * content hash make resends idempotent; the invitation is spent in the same transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "db-responses.h"
#include "strbuf.h"

#define INSERT_SQL \
	"INSERT INTO responses (survey_id, client_id, agency_id, channel, stratum, codes, answers, content_hash)" \
	" SELECT s.id, $2::uuid, a.id, $4, a.code, $5::bytea, $6::jsonb, $7::bytea" \
	" FROM surveys s JOIN agencies a ON a.code = $3" \
	" WHERE s.id = $1 AND s.status = 'open'" \
	" AND (NOT EXISTS (SELECT 1 FROM survey_agencies sa WHERE sa.survey_id = s.id)" \
	"      OR EXISTS (SELECT 1 FROM survey_agencies sa WHERE sa.survey_id = s.id AND sa.agency_id = a.id))" \
	" ON CONFLICT (survey_id, client_id) WHERE client_id IS NOT NULL DO NOTHING RETURNING id"

/* Why did nothing get stored? Checks in the order a client needs to hear: a replay first. */
#define DIAGNOSE_SQL \
	"SELECT s.status = 'open'," \
	" (SELECT r.content_hash = $4::bytea FROM responses r WHERE r.survey_id = s.id AND r.client_id = $2::uuid)," \
	" a.id IS NOT NULL AND (NOT EXISTS (SELECT 1 FROM survey_agencies sa WHERE sa.survey_id = s.id)" \
	"      OR EXISTS (SELECT 1 FROM survey_agencies sa WHERE sa.survey_id = s.id AND sa.agency_id = a.id))" \
	" FROM surveys s LEFT JOIN agencies a ON a.code = $3 WHERE s.id = $1"

/* Explains an insert that stored nothing; returns REPLAY or a negative errno. */
static int diagnose(struct db_conn *c, const char *sid, const struct db_response *r,
		    const char *agency, const char *hash)
{
	PGresult *res = NULL;
	int ret;

	ret = db_exec(c, DIAGNOSE_SQL, 4, (const char *[]){ sid, r->client_id, agency, hash }, &res);
	if (ret < 0)
		return ret;
	if (PQntuples(res) == 0)
		ret = -ENOENT;
	else if (!PQgetisnull(res, 0, 1))
		ret = PQgetvalue(res, 0, 1)[0] == 't' ? DB_RESPONSE_REPLAY : -EEXIST;
	else if (PQgetvalue(res, 0, 0)[0] != 't')
		ret = -ESHUTDOWN;
	else if (PQgetvalue(res, 0, 2)[0] != 't')
		ret = -ENXIO;
	else
		ret = -EIO;     /* a concurrent change: let the client retry */
	PQclear(res);
	return ret;
}

/* The plain case: one autocommitted statement. */
static int insert_open(struct db_conn *c, const struct db_response *r, const char *const p[7])
{
	long long id;
	int ret = db_exec_id(c, INSERT_SQL, 7, p, &id);

	if (ret == -ENOENT)     /* nothing stored: say why */
		return diagnose(c, p[0], r, p[2], p[6]);
	return ret < 0 ? ret : DB_RESPONSE_CREATED;
}

/* With an invitation: spend it, insert, commit; all or nothing. */
static int insert_invited(struct db_conn *c, const struct db_response *r, const char *p[7])
{
	char ihash[68], agency[40];
	PGresult *res = NULL;
	long long id;
	int ret;

	db_hash_param(r->invite, ihash);
	if ((ret = db_begin(c)) < 0)
		return ret;
	/* a resend of a stored response is answered before the invitation is looked at */
	ret = db_exec(c, "SELECT content_hash = $3::bytea FROM responses WHERE survey_id = $1 AND client_id = $2::uuid",
		      3, (const char *[]){ p[0], p[1], p[6] }, &res);
	if (ret < 0)
		goto out;
	if (PQntuples(res) == 1) {
		ret = PQgetvalue(res, 0, 0)[0] == 't' ? DB_RESPONSE_REPLAY : -EEXIST;
		goto out;
	}
	PQclear(res);
	res = NULL;
	ret = db_exec(c, "UPDATE invites i SET used_at = now() FROM agencies a"
			 " WHERE i.code_hash = $1::bytea AND i.survey_id = $2 AND i.used_at IS NULL"
			 " AND a.id = i.agency_id RETURNING a.code",
		      2, (const char *[]){ ihash, p[0] }, &res);
	if (ret < 0)
		goto out;
	if (PQntuples(res) == 0) {
		PQclear(res);
		res = NULL;
		/* used (perhaps just now, by this same response resent concurrently) or unknown */
		ret = db_exec(c, "SELECT (SELECT content_hash = $4::bytea FROM responses WHERE survey_id = $2"
				 " AND client_id = $3::uuid), used_at IS NOT NULL FROM invites"
				 " WHERE code_hash = $1::bytea AND survey_id = $2",
			      4, (const char *[]){ ihash, p[0], p[1], p[6] }, &res);
		if (ret < 0)
			goto out;
		if (PQntuples(res) == 0)
			ret = -EACCES;
		else if (!PQgetisnull(res, 0, 0))
			ret = PQgetvalue(res, 0, 0)[0] == 't' ? DB_RESPONSE_REPLAY : -EEXIST;
		else
			ret = -EALREADY;
		goto out;
	}
	snprintf(agency, sizeof agency, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	if (p[2] && strcmp(p[2], agency) != 0) {
		ret = -EACCES;
		goto out;
	}
	p[2] = agency;
	ret = db_exec_id(c, INSERT_SQL, 7, p, &id);
	if (ret == -ENOENT) {
		db_rollback(c);
		ret = diagnose(c, p[0], r, p[2], p[6]);
		goto out;
	}
	if (ret < 0)
		goto out;
	/* nothing links the response to the invitation: it only knows it was used (that day) */
	if ((ret = db_commit(c)) == 0)
		ret = DB_RESPONSE_CREATED;
out:
	if (ret != DB_RESPONSE_CREATED)
		db_rollback(c);
	PQclear(res);
	return ret;
}

int db_response_insert(struct db_conn *c, const struct db_response *r)
{
	struct strbuf codes;
	char sid[DB_INT_LEN], hash[68];
	const char *p[7];
	int ret;

	strbuf_init(&codes, 0);
	if ((ret = db_codes_put(&codes, r->codes, r->ncodes, false)) < 0)
		goto out;
	db_int_param(r->survey_id, sid);
	db_hash_param(r->content_hash, hash);
	p[0] = sid;
	p[1] = r->client_id;
	p[2] = r->agency;
	p[3] = r->channel;
	p[4] = strbuf_str(&codes);
	p[5] = r->answers;
	p[6] = hash;
	if (r->invite)
		ret = insert_invited(c, r, p);
	else if (!r->agency)
		ret = -ENXIO;
	else
		ret = insert_open(c, r, p);
out:
	strbuf_done(&codes);
	return ret;
}

#define BATCH_STMT "sipas_response_batch"
#define BATCH_SQL \
	"INSERT INTO responses (survey_id, client_id, agency_id, channel, stratum, codes, answers, content_hash)" \
	" SELECT s.id, v.client_id, a.id, v.channel, a.code, v.codes::bytea, v.answers::jsonb, v.hash" \
	" FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])" \
	"  AS v(survey_id, client_id, agency, channel, codes, answers, hash)" \
	" JOIN surveys s ON s.id = v.survey_id AND s.status = 'open' JOIN agencies a ON a.code = v.agency" \
	" WHERE NOT EXISTS (SELECT 1 FROM survey_agencies sa WHERE sa.survey_id = s.id)" \
	"  OR EXISTS (SELECT 1 FROM survey_agencies sa WHERE sa.survey_id = s.id AND sa.agency_id = a.id)" \
	" ON CONFLICT (survey_id, client_id) WHERE client_id IS NOT NULL DO NOTHING" \
	" RETURNING survey_id, client_id"

/* Appends s as a quoted element of an array literal (NULL: a NULL element). */
static int array_elem(struct strbuf *sb, const char *s)
{
	const char *run = s;
	int r;

	if (!s)
		return strbuf_puts(sb, "NULL");
	r = strbuf_putc(sb, '"');

	for (; r == 0 && *s; s++) {
		if (*s != '"' && *s != '\\')
			continue;
		if ((r = strbuf_append(sb, run, (size_t)(s - run))) == 0)
			r = strbuf_putc(sb, '\\');
		run = s;
	}
	if (r == 0)
		r = strbuf_puts(sb, run);
	return r ? r : strbuf_putc(sb, '"');
}

/* Runs the batch statement, preparing it on this connection the first time. */
static int exec_batch(struct db_conn *c, const char *const p[7], PGresult **out)
{
	PGresult *res;
	const char *state;
	int tries;

	if (!c->pg)
		return db_error(c, NULL);
	for (tries = 0; tries < 2; tries++) {
		res = PQexecPrepared(c->pg, BATCH_STMT, 7, p, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			*out = res;
			return 0;
		}
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (tries > 0 || !state || strcmp(state, "26000") != 0)
			break;                      /* 26000: not prepared on this connection yet */
		PQclear(res);
		res = PQprepare(c->pg, BATCH_STMT, BATCH_SQL, 7, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			break;
		PQclear(res);
	}
	tries = db_error(c, res);
	PQclear(res);
	return tries;
}

int db_responses_insert_batch(struct db_conn *c, const struct db_response *const *rows, size_t n,
			      bool *inserted)
{
	struct strbuf a[7];
	const char *p[7];
	PGresult *res = NULL;
	char hex[68];
	size_t i, k;
	int r = 0, nr;

	if (n == 0 || n > DB_RESPONSE_BATCH_MAX)
		return -EINVAL;
	for (k = 0; k < 7; k++) {
		strbuf_init(&a[k], 0);
		strbuf_putc(&a[k], '{');
	}
	for (i = 0; i < n && r == 0; i++) {
		const struct db_response *row = rows[i];
		struct strbuf codes = STRBUF_INIT;

		if (i)
			for (k = 0; k < 7; k++)
				strbuf_putc(&a[k], ',');
		strbuf_init(&codes, 0);
		db_hash_param(row->content_hash, hex);
		strbuf_printf(&a[0], "%d", row->survey_id);
		strbuf_puts(&a[1], row->client_id);
		array_elem(&a[2], row->agency);
		array_elem(&a[3], row->channel);
		db_codes_put(&codes, row->codes, row->ncodes, false);
		array_elem(&a[4], strbuf_str(&codes));
		array_elem(&a[5], row->answers);
		r = array_elem(&a[6], hex);
		strbuf_done(&codes);
	}
	for (k = 0; k < 7 && r == 0; k++)
		r = strbuf_putc(&a[k], '}');
	if (r < 0)
		goto out;
	for (k = 0; k < 7; k++)
		p[k] = strbuf_str(&a[k]);
	if ((r = exec_batch(c, p, &res)) < 0)
		goto out;
	memset(inserted, 0, n * sizeof *inserted);
	nr = PQntuples(res);
	for (k = 0; k < (size_t)nr; k++) {
		int s_id = atoi(PQgetvalue(res, (int)k, 0));
		const char *cid = PQgetvalue(res, (int)k, 1);

		for (i = 0; i < n; i++)
			if (!inserted[i] && rows[i]->survey_id == s_id && strcmp(rows[i]->client_id, cid) == 0) {
				inserted[i] = true;
				break;
			}
	}
out:
	PQclear(res);
	for (k = 0; k < 7; k++)
		strbuf_done(&a[k]);
	return r;
}
