/* db-sample.c - drawn samples, their invitations and the contacts of the drawn people. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-auth.h"
#include "db-internal.h"
#include "db-sample.h"
#include "jsonw.h"

#define COPY_FLUSH_BYTES (256u << 10)

int db_sample_survey_id(struct db_conn *c, const char *code)
{
	long long id;
	int r = db_exec_id(c, "SELECT id FROM surveys WHERE code = $1", 1, (const char *[]){ code }, &id);

	return r < 0 ? r : (int)id;
}

int db_survey_brief(struct db_conn *c, const char *code, struct db_survey_brief *out)
{
	PGresult *res = NULL;
	int r = db_exec(c, "SELECT id, code, title FROM surveys WHERE code = $1", 1, (const char *[]){ code }, &res);

	if (r < 0)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	out->id = atoi(PQgetvalue(res, 0, 0));
	snprintf(out->code, sizeof out->code, "%s", PQgetvalue(res, 0, 1));
	snprintf(out->title, sizeof out->title, "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	return 0;
}

/* Sends sb's COPY text when it is large (or when force), then empties it. */
static int copy_flush(struct db_conn *c, struct strbuf *sb, bool force)
{
	if (sb->len == 0 || (!force && sb->len < COPY_FLUSH_BYTES))
		return 0;
	if (PQputCopyData(c->pg, sb->buf, (int)sb->len) != 1)
		return db_error(c, NULL);
	strbuf_reset(sb);
	return 0;
}

/* Ends a COPY (aborting it when failed) and drains its results. */
static int copy_end(struct db_conn *c, struct strbuf *sb, int failed)
{
	PGresult *res;
	int r = failed;

	if (r == 0)
		r = copy_flush(c, sb, true);
	if (PQputCopyEnd(c->pg, r < 0 ? "failed" : NULL) != 1 && r == 0)
		r = db_error(c, NULL);
	while ((res = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && r == 0)
			r = db_error(c, res);
		PQclear(res);
	}
	return r;
}

static int copy_begin(struct db_conn *c, const char *sql)
{
	PGresult *res = PQexec(c->pg, sql);
	int r = PQresultStatus(res) == PGRES_COPY_IN ? 0 : db_error(c, res);

	PQclear(res);
	return r;
}

static void copy_hash(struct strbuf *sb, const uint8_t h[32])
{
	char hex[68];

	db_hash_param(h, hex);          /* "\\x..." : in COPY text the backslash is doubled */
	strbuf_puts(sb, "\\\\");
	strbuf_puts(sb, hex + 1);
}

/* The agency ids of the draw's strata, in the strata's order. */
static int agency_ids(struct db_conn *c, const struct db_sample *s, long long *ids)
{
	size_t i;
	int r;

	for (i = 0; i < s->nstrata; i++) {
		r = db_exec_id(c, "SELECT id FROM agencies WHERE code = $1", 1,
			       (const char *[]){ s->strata[i].agency }, &ids[i]);
		if (r == -ENOENT)
			snprintf(c->error, sizeof c->error, "unknown agency '%s'", s->strata[i].agency);
		if (r < 0)
			return r;
	}
	return 0;
}

static long long agency_id_of(const struct db_sample *s, const long long *ids, const char *agency)
{
	size_t i;

	for (i = 0; i < s->nstrata; i++)
		if (!strcmp(s->strata[i].agency, agency))
			return ids[i];
	return -1;
}

static int store_invites(struct db_conn *c, const struct db_sample *s, const long long *ids, const char *sid)
{
	struct strbuf sb;
	size_t i;
	int r;

	strbuf_init(&sb, 0);
	if ((r = copy_begin(c, "COPY invites (code_hash, survey_id, agency_id, drawn) FROM STDIN")) < 0)
		goto out;
	for (i = 0; i < s->ninvites && r == 0; i++) {
		long long aid = agency_id_of(s, ids, s->invites[i].agency);

		if (aid < 0) {
			snprintf(c->error, sizeof c->error, "an invitation of agency '%s' outside the frame",
				 s->invites[i].agency);
			r = -EINVAL;
			break;
		}
		copy_hash(&sb, s->invites[i].hash);
		strbuf_printf(&sb, "\t%s\t%lld\tt\n", sid, aid);
		r = copy_flush(c, &sb, false);
	}
	if ((r = copy_end(c, &sb, r)) < 0)
		goto out;
	if ((r = copy_begin(c, "COPY contacts.invite_contacts (code_hash, survey_id, code, dossier, name, phone,"
			       " email, address) FROM STDIN")) < 0)
		goto out;
	for (i = 0; i < s->ninvites && r == 0; i++) {
		const struct db_sample_invite *v = &s->invites[i];

		copy_hash(&sb, v->hash);
		strbuf_printf(&sb, "\t%s\t", sid);
		db_copy_opt(&sb, v->code);
		strbuf_putc(&sb, '\t');
		db_copy_opt(&sb, v->dossier);
		strbuf_putc(&sb, '\t');
		db_copy_opt(&sb, v->name);
		strbuf_putc(&sb, '\t');
		db_copy_opt(&sb, v->phone);
		strbuf_putc(&sb, '\t');
		db_copy_opt(&sb, v->email);
		strbuf_putc(&sb, '\t');
		db_copy_opt(&sb, v->address);
		strbuf_putc(&sb, '\n');
		r = copy_flush(c, &sb, false);
	}
	r = copy_end(c, &sb, r);
out:
	strbuf_done(&sb);
	return r;
}

static int store_draw(struct db_conn *c, const struct db_sample *s, const char *sid)
{
	char rows[DB_INT_LEN], num[6][32], seed[32], sha[68];
	const char *p[13];

	snprintf(num[0], sizeof num[0], "%.17g", s->margin);
	snprintf(num[1], sizeof num[1], "%.17g", s->confidence);
	snprintf(num[2], sizeof num[2], "%.17g", s->p);
	snprintf(num[3], sizeof num[3], "%.17g", s->deff);
	snprintf(num[4], sizeof num[4], "%lld", s->min);
	snprintf(num[5], sizeof num[5], "%.17g", s->response_rate);
	snprintf(seed, sizeof seed, "%llu", s->seed);
	p[0] = sid;
	p[1] = db_hash_param(s->registry_sha256, sha);
	p[2] = db_int_param(s->registry_rows, rows);
	p[3] = s->from;
	p[4] = s->to;
	p[5] = num[0];
	p[6] = num[1];
	p[7] = num[2];
	p[8] = num[3];
	p[9] = num[4];
	p[10] = num[5];
	p[11] = seed;
	return db_exec(c, "INSERT INTO sample_draws (survey_id, registry_sha256, registry_rows, period_from,"
			  " period_to, margin, confidence, p, deff, min_per_agency, response_rate, seed)"
			  " VALUES ($1, $2::bytea, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
			  " ON CONFLICT (survey_id) DO UPDATE SET registry_sha256 = EXCLUDED.registry_sha256,"
			  " registry_rows = EXCLUDED.registry_rows, period_from = EXCLUDED.period_from,"
			  " period_to = EXCLUDED.period_to, margin = EXCLUDED.margin, confidence = EXCLUDED.confidence,"
			  " p = EXCLUDED.p, deff = EXCLUDED.deff, min_per_agency = EXCLUDED.min_per_agency,"
			  " response_rate = EXCLUDED.response_rate, seed = EXCLUDED.seed, drawn_at = now()",
		       12, p, NULL);
}

int db_sample_store(struct db_conn *c, const struct db_sample *s)
{
	char sid[DB_INT_LEN];
	long long *ids = NULL;
	struct strbuf detail;
	PGresult *res = NULL;
	size_t i;
	int r;

	strbuf_init(&detail, 0);
	db_int_param(s->survey_id, sid);
	if (!(ids = calloc(s->nstrata ? s->nstrata : 1, sizeof *ids)))
		return -ENOMEM;
	if ((r = db_begin(c)) < 0)
		goto out;
	r = db_exec(c, "SELECT EXISTS (SELECT 1 FROM responses WHERE survey_id = s.id)"
		       " OR EXISTS (SELECT 1 FROM invites WHERE survey_id = s.id AND used_at IS NOT NULL),"
		       " s.access = 'invite' FROM surveys s WHERE s.id = $1 FOR UPDATE", 1, (const char *[]){ sid }, &res);
	if (r < 0)
		goto out;
	if (PQntuples(res) == 0) {
		r = -ENOENT;
		goto out;
	}
	if (PQgetvalue(res, 0, 1)[0] != 't') {
		snprintf(c->error, sizeof c->error, "the round is open to everyone: a drawn sample needs a round"
			 " created with --access invite");
		r = -EPERM;
		goto out;
	}
	if (PQgetvalue(res, 0, 0)[0] == 't') {
		snprintf(c->error, sizeof c->error, "the round has responses: its sample can no longer change");
		r = -EBUSY;
		goto out;
	}
	if ((r = agency_ids(c, s, ids)) < 0)
		goto out;
	if ((r = db_exec(c, "DELETE FROM invites WHERE survey_id = $1 AND drawn", 1, (const char *[]){ sid }, NULL)) < 0 ||
	    (r = db_exec(c, "DELETE FROM strata WHERE survey_id = $1", 1, (const char *[]){ sid }, NULL)) < 0)
		goto out;
	for (i = 0; i < s->nstrata; i++) {
		char aid[DB_INT_LEN], pop[DB_INT_LEN], tgt[DB_INT_LEN];

		r = db_exec(c, "INSERT INTO strata (survey_id, stratum, agency_id, population, target)"
			       " VALUES ($1, $2, $3, $4, $5)", 5,
			    (const char *[]){ sid, s->strata[i].agency, db_int_param(ids[i], aid),
					      db_int_param(s->strata[i].population, pop),
					      db_int_param(s->strata[i].target, tgt) }, NULL);
		if (r < 0)
			goto out;
	}
	if ((r = store_invites(c, s, ids, sid)) < 0 || (r = store_draw(c, s, sid)) < 0)
		goto out;
	strbuf_putc(&detail, '{');
	jsonw_member_int(&detail, "strata", (long long)s->nstrata);
	jsonw_member_int(&detail, "invitations", (long long)s->ninvites);
	jsonw_member_int(&detail, "registry_rows", s->registry_rows);
	strbuf_putc(&detail, '}');
	if ((r = db_audit(c, 0, s->actor, "sample.draw", s->survey_id, strbuf_str(&detail))) < 0)
		goto out;
	r = db_commit(c);
out:
	if (r < 0)
		db_rollback(c);
	PQclear(res);
	strbuf_done(&detail);
	free(ids);
	return r;
}

int db_invites_export(struct db_conn *c, int survey_id, const char *agency, bool unused_only, int token_id,
		      const char *actor, const char *format, db_invite_row_fn fn, void *ud)
{
	char sid[DB_INT_LEN];
	struct strbuf detail;
	PGresult *res = NULL;
	int r, i, n = 0;

	strbuf_init(&detail, 0);
	db_int_param(survey_id, sid);
	strbuf_putc(&detail, '{');
	jsonw_member_str(&detail, "export", "invites");
	jsonw_member_str(&detail, "format", format);
	if (agency)
		jsonw_member_str(&detail, "agency", agency);
	jsonw_member_bool(&detail, "unused", unused_only);
	strbuf_putc(&detail, '}');
	if ((r = db_begin(c)) < 0)
		goto out;
	if ((r = db_audit(c, token_id, actor, "export", survey_id, strbuf_str(&detail))) < 0)
		goto out;
	r = db_exec(c, "SELECT k.code, a.code, a.name, coalesce(k.dossier, ''), coalesce(k.name, ''),"
		       " coalesce(k.phone, ''), coalesce(k.email, ''), coalesce(k.address, ''), i.used_at IS NOT NULL"
		       " FROM contacts.invite_contacts k JOIN invites i ON i.code_hash = k.code_hash"
		       " JOIN agencies a ON a.id = i.agency_id"
		       " WHERE k.survey_id = $1 AND ($2::text IS NULL OR a.code = $2)"
		       " AND (NOT $3::boolean OR i.used_at IS NULL)"
		       " ORDER BY a.code, k.code", 3,
		    (const char *[]){ sid, agency, unused_only ? "t" : "f" }, &res);
	if (r < 0)
		goto out;
	if ((r = db_commit(c)) < 0)
		goto out;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		struct db_invite_row row = {
			PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 6), PQgetvalue(res, i, 7),
			PQgetvalue(res, i, 8)[0] == 't',
		};

		if ((r = fn(ud, &row)) < 0)
			goto out;
	}
	r = n;
out:
	if (r < 0)
		db_rollback(c);
	PQclear(res);
	strbuf_done(&detail);
	return r;
}

int db_invites_purge(struct db_conn *c, int survey_id, const char *actor)
{
	char sid[DB_INT_LEN], detail[64];
	PGresult *res = NULL;
	int r, n;

	db_int_param(survey_id, sid);
	if ((r = db_begin(c)) < 0)
		return r;
	r = db_exec(c, "UPDATE contacts.invite_contacts SET dossier = NULL, name = NULL, phone = NULL,"
		       " email = NULL, address = NULL, purged_at = coalesce(purged_at, now())"
		       " WHERE survey_id = $1 RETURNING 1", 1, (const char *[]){ sid }, &res);
	if (r < 0)
		goto out;
	n = PQntuples(res);
	snprintf(detail, sizeof detail, "{\"invitations\":%d}", n);
	if ((r = db_audit(c, 0, actor, "invites.purge", survey_id, detail)) < 0)
		goto out;
	if ((r = db_commit(c)) == 0)
		r = n;
out:
	if (r < 0)
		db_rollback(c);
	PQclear(res);
	return r;
}

