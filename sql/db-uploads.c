/* db-uploads.c - paper-result uploads: COPY straight into responses inside one transaction
 * (or through a temporary table when the round has serials to check against); history;
 * withdrawal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-auth.h"
#include "db-internal.h"
#include "db-uploads.h"
#include "jsonw.h"
#include "sha256.h"
#include "strbuf.h"

#define COPY_FLUSH_BYTES (256u << 10)    /* rows are sent to the server in batches this big */
#define UPLOAD_LOCK_CLASS "20260404"     /* pg_advisory_xact_lock(class, survey id): one check at a time per round */
#define RESPONSES_SEQ "pg_get_serial_sequence('responses', 'id')"

/* Where the rows go: straight into responses when the round has no stored serial (nothing to
 * check them against: no serial can conflict); else into a temporary table, checked against
 * the stored serials, then moved; nowhere in a dry run that has nothing to check. */
enum upload_mode { UPLOAD_DIRECT, UPLOAD_STAGED, UPLOAD_NONE };

struct db_upload {
	struct db_conn *c;
	struct strbuf buf;       /* COPY text not yet sent */
	enum upload_mode mode;
	bool in_copy;
	long nrows;
	long long id;            /* UPLOAD_DIRECT: the uploads row made at the start */
	char sid[DB_INT_LEN];    /* the round, as COPY text */
	char uid[DB_INT_LEN];    /* the upload id, as COPY text */
	char before[DB_INT_LEN]; /* the responses' id sequence before the first row (this session's) */
	char now[48];            /* the transaction's now(), for rows without a date */
};


/* Appends s (n bytes) escaped for COPY's text format. */
void db_copy_text(struct strbuf *sb, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		char e = 0;

		switch (s[i]) {
		case '\\': e = '\\'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		case '\t': e = 't'; break;
		default: continue;
		}
		strbuf_append(sb, s + run, i - run);
		strbuf_putc(sb, '\\');
		strbuf_putc(sb, e);
		run = i + 1;
	}
	strbuf_append(sb, s + run, n - run);
}

void db_copy_opt(struct strbuf *sb, const char *s)
{
	if (s && *s)
		db_copy_text(sb, s, strlen(s));
	else
		strbuf_puts(sb, "\\N");
}

static void copy_double(struct strbuf *sb, double v)
{
	if (v > 0)
		strbuf_printf(sb, "%.17g", v);
	else
		strbuf_puts(sb, "\\N");
}

/* Appends a non-negative integer and a tab (snprintf is too slow for every row). */
static void copy_int(struct strbuf *sb, long long v)
{
	char tmp[24];
	size_t n = sizeof tmp;

	tmp[--n] = '\t';
	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n > 0);
	strbuf_append(sb, tmp + n, sizeof tmp - n);
}

static int copy_send(struct db_upload *u)
{
	if (u->buf.len == 0)
		return 0;
	if (PQputCopyData(u->c->pg, u->buf.buf, (int)u->buf.len) != 1)
		return db_error(u->c, NULL);
	strbuf_reset(&u->buf);
	return 0;
}

static int copy_start(struct db_upload *u, const char *sql)
{
	PGresult *res = PQexec(u->c->pg, sql);
	int r = 0;

	if (PQresultStatus(res) != PGRES_COPY_IN)
		r = db_error(u->c, res);
	else
		u->in_copy = true;
	PQclear(res);
	return r;
}

/* The text of the first column of the first row of sql (with sid as $1 unless NULL) into out. */
static int query_text(struct db_conn *c, const char *sql, const char *sid, char *out, size_t size)
{
	PGresult *res = NULL;
	int r = db_exec(c, sql, sid ? 1 : 0, (const char *[]){ sid }, &res);

	if (r == 0)
		snprintf(out, size, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return r;
}

int db_upload_begin(struct db_conn *c, const struct db_upload_meta *m, bool dry_run, struct db_upload **out)
{
	char tid[DB_INT_LEN], serials[8], locked[8] = "f";
	struct db_upload *u;
	int r;

	if (!c->pg)
		return db_error(c, NULL);
	u = calloc(1, sizeof *u);
	if (!u)
		return -ENOMEM;
	u->c = c;
	strbuf_init(&u->buf, 0);
	db_int_param(m->survey_id, u->sid);
	if ((r = db_begin(c)) < 0)
		goto fail;
	/* Straight into responses only when no stored serial can conflict, now and until the
	 * commit: the round has none and this upload holds the round's upload lock (taken without
	 * waiting: another upload of the round is under way, so this one is staged and waits for
	 * the lock in db_upload_finish, off the connection's thread). */
	if (!dry_run && (r = query_text(c, "SELECT pg_try_advisory_xact_lock(" UPLOAD_LOCK_CLASS ", $1::int)",
					u->sid, locked, sizeof locked)) < 0)
		goto fail;
	r = query_text(c, "SELECT EXISTS (SELECT 1 FROM responses WHERE survey_id = $1"
			  " AND serial IS NOT NULL AND NOT withdrawn)", u->sid, serials, sizeof serials);
	if (r < 0 || (r = query_text(c, "SELECT now()", NULL, u->now, sizeof u->now)) < 0)
		goto fail;
	/* the start of the upload's range of response ids (011_upload_range.sql): a session's
	 * values of the sequence only grow */
	if (!dry_run && (r = query_text(c, "SELECT nextval(" RESPONSES_SEQ ")", NULL, u->before, sizeof u->before)) < 0)
		goto fail;
	if (serials[0] == 't' || (!dry_run && locked[0] != 't'))
		u->mode = UPLOAD_STAGED;
	else
		u->mode = dry_run ? UPLOAD_NONE : UPLOAD_DIRECT;
	/* The rows are folded by the upload itself (db_upload_finish's before_commit), and their
	 * references are checked here, once: every row's agency is one of the round's (the
	 * caller's list), the round and the upload are this upload's own; none of them goes away
	 * before the commit (008_compact.sql). */
	if (!dry_run && ((r = db_exec(c, "SET LOCAL sipas.folded = 'on'", 0, NULL, NULL)) < 0 ||
			 (r = db_exec(c, "SET LOCAL sipas.refs_checked = 'on'", 0, NULL, NULL)) < 0 ||
			 (r = db_exec(c, "SELECT 1 FROM surveys WHERE id = $1 FOR KEY SHARE", 1,
				      (const char *[]){ u->sid }, NULL)) < 0 ||
			 (r = db_exec(c, "SELECT 1 FROM agencies a WHERE NOT EXISTS (SELECT 1 FROM survey_agencies"
					 " WHERE survey_id = $1) OR a.id IN (SELECT agency_id FROM survey_agencies"
					 " WHERE survey_id = $1) FOR KEY SHARE OF a", 1, (const char *[]){ u->sid }, NULL)) < 0))
		goto fail;
	if (u->mode == UPLOAD_DIRECT) {
		/* the upload's row first, with a stand-in hash until the file's is known */
		db_int_param(m->token_id, tid);
		r = db_exec_id(c, "INSERT INTO uploads (survey_id, sha256, token_id, actor, file_name, rows)"
				  " VALUES ($1, sha256(convert_to('sipas upload ' || txid_current() || ' '"
				  " || clock_timestamp(), 'UTF8')), $2, $3, $4, 0) RETURNING id", 4,
			       (const char *[]){ u->sid, m->token_id > 0 ? tid : NULL, m->actor, m->file_name },
			       &u->id);
		if (r < 0)
			goto fail;
		db_int_param(u->id, u->uid);
		r = copy_start(u, "COPY responses (survey_id, agency_id, channel, serial, stratum, psu, weight, fpc,"
			       " submitted_at, codes, answers, upload_id) FROM STDIN");
	} else if (u->mode == UPLOAD_STAGED) {
		r = db_exec(c, "CREATE TEMPORARY TABLE upload_rows (row integer NOT NULL, serial text NOT NULL,"
			       " agency_id integer NOT NULL, channel text NOT NULL, stratum text NOT NULL, psu text,"
			       " weight double precision, fpc double precision, submitted_at timestamptz NOT NULL,"
			       " codes bytea NOT NULL, answers jsonb) ON COMMIT DROP", 0, NULL, NULL);
		if (r == 0)
			r = copy_start(u, "COPY upload_rows FROM STDIN");
	}
	if (r < 0)
		goto fail;
	*out = u;
	return 0;
fail:
	db_rollback(c);
	strbuf_done(&u->buf);
	free(u);
	return r;
}

int db_upload_put(struct db_upload *u, const struct db_upload_row *row)
{
	struct strbuf *sb = &u->buf;

	if (u->mode == UPLOAD_NONE) {
		u->nrows++;
		return 0;
	}
	if (!u->in_copy)
		return -EINVAL;
	if (u->mode == UPLOAD_DIRECT) {
		strbuf_puts(sb, u->sid);
		strbuf_putc(sb, '\t');
		copy_int(sb, row->agency_id);
	} else {
		copy_int(sb, row->row);
		db_copy_opt(sb, row->serial);
		strbuf_putc(sb, '\t');
		copy_int(sb, row->agency_id);
	}
	db_copy_opt(sb, row->channel);
	strbuf_putc(sb, '\t');
	if (u->mode == UPLOAD_DIRECT) {
		db_copy_opt(sb, row->serial);
		strbuf_putc(sb, '\t');
	}
	db_copy_opt(sb, row->stratum);
	strbuf_putc(sb, '\t');
	db_copy_opt(sb, row->psu);
	strbuf_putc(sb, '\t');
	copy_double(sb, row->weight);
	strbuf_putc(sb, '\t');
	copy_double(sb, row->fpc);
	strbuf_putc(sb, '\t');
	db_copy_opt(sb, row->submitted_at ? row->submitted_at : u->now);
	strbuf_putc(sb, '\t');
	db_codes_put(sb, row->codes, row->ncodes, true);
	strbuf_putc(sb, '\t');
	if (row->answers)
		db_copy_text(sb, row->answers, row->answers_len);
	else
		strbuf_puts(sb, "\\N");
	if (u->mode == UPLOAD_DIRECT) {
		strbuf_putc(sb, '\t');
		strbuf_puts(sb, u->uid);
	}
	if (strbuf_putc(sb, '\n') < 0)
		return -ENOMEM;
	u->nrows++;
	return sb->len >= COPY_FLUSH_BYTES ? copy_send(u) : 0;
}

/* Ends the COPY (with an error message: aborts it) and drains every result. */
static int copy_end(struct db_upload *u, const char *abort_msg)
{
	PGresult *res;
	int r = 0;

	if (!u->in_copy)
		return 0;
	u->in_copy = false;
	if (!abort_msg && (r = copy_send(u)) < 0)
		abort_msg = "send failed";
	if (PQputCopyEnd(u->c->pg, abort_msg) != 1 && r == 0)
		r = db_error(u->c, NULL);
	while ((res = PQgetResult(u->c->pg)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && r == 0 && !abort_msg)
			r = db_error(u->c, res);
		PQclear(res);
	}
	/* a value the database refused (a unique serial taken meanwhile, a check): not "the same
	 * file", whatever its SQLSTATE says */
	return r == -EEXIST ? -EINVAL : r;
}

/* Lists the staged rows whose serial is stored already; returns their count or a negative errno. */
static int find_conflicts(struct db_conn *c, const char *sid, db_upload_conflict_fn fn, void *ud,
			  size_t max)
{
	const char *p[2] = { sid, NULL };
	char lim[24];
	PGresult *res = NULL;
	int r, i, total = 0;

	/* statistics, so that a large file is checked with a hash join */
	if ((r = db_exec(c, "ANALYZE upload_rows", 0, NULL, NULL)) < 0)
		return r;
	snprintf(lim, sizeof lim, "%zu", max);
	p[1] = lim;
	r = db_exec(c, "SELECT t.row, t.serial, coalesce(r.upload_id, 0), count(*) OVER ()"
		       " FROM upload_rows t JOIN responses r ON r.survey_id = $1 AND r.serial = t.serial"
		       " AND NOT r.withdrawn ORDER BY t.row LIMIT $2", 2, p, &res);
	if (r < 0)
		return r;
	for (i = 0; i < PQntuples(res); i++) {
		total = atoi(PQgetvalue(res, i, 3));
		if (fn && (r = fn(ud, atol(PQgetvalue(res, i, 0)), PQgetvalue(res, i, 1),
				  atoll(PQgetvalue(res, i, 2)))) < 0)
			break;
	}
	PQclear(res);
	return r < 0 ? r : total;
}

/* Moves the staged rows into responses under a new upload; returns 0 with *id or a negative errno. */
static int store_staged(struct db_upload *u, const struct db_upload_meta *m, const char *sha, long long *id)
{
	struct db_conn *c = u->c;
	char tid[DB_INT_LEN], rows[DB_INT_LEN], idbuf[DB_INT_LEN];
	PGresult *res = NULL;
	int r;

	db_int_param(m->token_id, tid);
	db_int_param(m->rows, rows);
	r = db_exec_id(c, "INSERT INTO uploads (survey_id, sha256, token_id, actor, file_name, rows)"
			  " VALUES ($1, $2::bytea, $3, $4, $5, $6) RETURNING id", 6,
		       (const char *[]){ u->sid, sha, m->token_id > 0 ? tid : NULL, m->actor, m->file_name, rows }, id);
	if (r < 0)
		return r;
	db_int_param(*id, idbuf);
	r = db_exec(c, "INSERT INTO responses (survey_id, agency_id, channel, serial, stratum, psu, weight,"
		       " fpc, submitted_at, codes, answers, upload_id)"
		       " SELECT $1, agency_id, channel, serial, stratum, psu, weight, fpc, submitted_at, codes,"
		       " answers, $2 FROM upload_rows", 2, (const char *[]){ u->sid, idbuf }, &res);
	if (r == 0 && atol(PQcmdTuples(res)) != u->nrows) {
		snprintf(c->error, sizeof c->error, "%s of %ld rows were stored", PQcmdTuples(res), u->nrows);
		r = -EIO;
	}
	PQclear(res);
	return r;
}

int db_upload_finish(struct db_upload *u, const struct db_upload_meta *m, bool store,
		     db_upload_conflict_fn fn, void *ud, size_t max_conflicts,
		     int (*before_commit)(void *bud, struct db_conn *c, long long upload_id), void *bud,
		     long long *earlier, size_t *nconflicts, long long *upload_id)
{
	struct db_conn *c = u->c;
	char sha[68], idbuf[DB_INT_LEN], rows[DB_INT_LEN], shahex[65];
	struct strbuf detail;
	long long id = u->id;
	int r;

	strbuf_init(&detail, 0);
	if ((r = copy_end(u, NULL)) < 0)
		goto out;
	/* uploads to one round, one at a time: what is checked stays true until the commit */
	if ((r = db_exec(c, "SELECT pg_advisory_xact_lock(" UPLOAD_LOCK_CLASS ", $1::int)", 1,
			 (const char *[]){ u->sid }, NULL)) < 0)
		goto out;
	db_hash_param(m->sha256, sha);
	db_int_param(u->id, idbuf);
	/* the same file stored before: -EEXIST with its id in *earlier */
	r = db_exec_id(c, "SELECT id FROM uploads WHERE survey_id = $1 AND sha256 = $2::bytea AND status = 'stored'"
			  " AND id <> $3", 3, (const char *[]){ u->sid, sha, idbuf }, earlier);
	if (r == 0)
		r = -EEXIST;
	if (r != -ENOENT)
		goto out;
	r = 0;
	if (u->mode == UPLOAD_STAGED && (r = find_conflicts(c, u->sid, fn, ud, max_conflicts)) > 0) {
		*nconflicts = (size_t)r;
		r = -EINVAL;
	}
	if (r < 0 || !store)
		goto out;          /* a dry run: everything checked, nothing kept */

	/* with the range of ids that holds every row stored (empty when none was) */
	if (u->mode == UPLOAD_STAGED) {
		r = store_staged(u, m, sha, &id);
		db_int_param(id, idbuf);
		if (r == 0)
			r = db_exec(c, "UPDATE uploads SET first_response = $2::bigint + 1,"
				       " last_response = currval(" RESPONSES_SEQ ") WHERE id = $1", 2,
				    (const char *[]){ idbuf, u->before }, NULL);
	} else {       /* one update: its file's hash, its rows and the range */
		db_int_param(m->rows, rows);
		r = db_exec(c, "UPDATE uploads SET sha256 = $2::bytea, rows = $3, first_response = $4::bigint + 1,"
			       " last_response = currval(" RESPONSES_SEQ ") WHERE id = $1", 4,
			    (const char *[]){ idbuf, sha, rows, u->before }, NULL);
	}
	if (r < 0 || (before_commit && (r = before_commit(bud, c, id)) < 0))
		goto out;
	sha256_hex(m->sha256, shahex);
	strbuf_printf(&detail, "{\"upload\":%lld,\"rows\":%ld,\"sha256\":\"%s\",\"file\":", id, m->rows, shahex);
	jsonw_string(&detail, m->file_name);
	strbuf_putc(&detail, '}');
	if ((r = db_audit(c, m->token_id, m->actor ? m->actor : "", "upload.store", m->survey_id,
			  strbuf_str(&detail))) < 0)
		goto out;
	if ((r = db_commit(c)) < 0)
		goto out;
	*upload_id = id;
out:
	strbuf_done(&detail);
	db_rollback(c);      /* nothing to do after COMMIT */
	return r;
}

void db_upload_free(struct db_upload *u)
{
	if (!u)
		return;
	if (u->in_copy)
		copy_end(u, "upload abandoned");
	db_rollback(u->c);
	strbuf_done(&u->buf);
	free(u);
}

int db_upload_agencies(struct db_conn *c, int survey_id, int (*fn)(void *ud, int id, const char *code), void *ud)
{
	char sid[DB_INT_LEN];
	const char *p[1] = { db_int_param(survey_id, sid) };
	PGresult *res = NULL;
	int r, i;

	r = db_exec(c, "SELECT a.id, a.code FROM agencies a WHERE NOT EXISTS (SELECT 1 FROM survey_agencies WHERE survey_id = $1)"
		       " OR a.id IN (SELECT agency_id FROM survey_agencies WHERE survey_id = $1) ORDER BY a.code",
		    1, p, &res);
	if (r < 0)
		return r;
	for (i = 0; i < PQntuples(res); i++)
		if ((r = fn(ud, atoi(PQgetvalue(res, i, 0)), PQgetvalue(res, i, 1))) < 0)
			break;
	PQclear(res);
	return r < 0 ? r : i;
}

int db_uploads_each(struct db_conn *c, int survey_id, int (*fn)(void *ud, const struct db_upload_info *u), void *ud)
{
	char sid[DB_INT_LEN];
	const char *p[1] = { db_int_param(survey_id, sid) };
	PGresult *res = NULL;
	int r, i;

	r = db_exec(c, "SELECT u.id, coalesce(t.name, u.actor, ''),"
		       " to_char(u.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'), u.file_name, u.rows, u.status,"
		       " encode(u.sha256, 'hex'), to_char(u.withdrawn_at, 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM')"
		       " FROM uploads u LEFT JOIN tokens t ON t.id = u.token_id"
		       " WHERE u.survey_id = $1 ORDER BY u.created_at DESC, u.id DESC", 1, p, &res);
	if (r < 0)
		return r;
	for (i = 0; i < PQntuples(res); i++) {
		struct db_upload_info u = {
			.id = atoll(PQgetvalue(res, i, 0)),
			.who = PQgetvalue(res, i, 1),
			.created_at = PQgetvalue(res, i, 2),
			.file_name = PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3),
			.rows = atol(PQgetvalue(res, i, 4)),
			.status = PQgetvalue(res, i, 5),
			.sha256 = PQgetvalue(res, i, 6),
			.withdrawn_at = PQgetisnull(res, i, 7) ? NULL : PQgetvalue(res, i, 7),
		};

		if ((r = fn(ud, &u)) < 0)
			break;
	}
	PQclear(res);
	return r < 0 ? r : i;
}

int db_upload_withdraw(struct db_conn *c, long long id, int token_id, const char *actor)
{
	char idbuf[DB_INT_LEN], tid[DB_INT_LEN], first[DB_INT_LEN], last[DB_INT_LEN], detail[96];
	const char *p[2] = { idbuf, NULL };
	PGresult *res = NULL;
	int r, n, survey_id;

	db_int_param(id, idbuf);
	db_int_param(token_id, tid);
	p[1] = token_id > 0 ? tid : NULL;
	if ((r = db_begin(c)) < 0)
		return r;
	r = db_exec(c, "SELECT survey_id, status, first_response, last_response FROM uploads WHERE id = $1 FOR UPDATE",
		    1, p, &res);
	if (r < 0)
		goto out;
	if (PQntuples(res) == 0) {
		r = -ENOENT;
		goto out;
	}
	survey_id = atoi(PQgetvalue(res, 0, 0));
	if (strcmp(PQgetvalue(res, 0, 1), "stored") != 0) {
		r = -EALREADY;
		goto out;
	}
	/* the upload's responses lie within its range (011_upload_range.sql; none without one) */
	snprintf(first, sizeof first, "%s", PQgetvalue(res, 0, 2));
	snprintf(last, sizeof last, "%s", PQgetvalue(res, 0, 3));
	PQclear(res);
	res = NULL;
	r = db_exec(c, "UPDATE uploads SET status = 'withdrawn', withdrawn_at = now(), withdrawn_by = $2"
		       " WHERE id = $1", 2, p, NULL);
	if (r < 0)
		goto out;
	r = db_exec(c, "UPDATE responses SET withdrawn = true WHERE id BETWEEN $2::bigint AND $3::bigint"
		       " AND upload_id = $1 AND NOT withdrawn", 3,
		    (const char *[]){ idbuf, first[0] ? first : NULL, last[0] ? last : NULL }, &res);
	if (r < 0)
		goto out;
	n = atoi(PQcmdTuples(res));
	snprintf(detail, sizeof detail, "{\"upload\":%lld,\"responses\":%d}", id, n);
	if ((r = db_audit(c, token_id, actor, "upload.withdraw", survey_id, detail)) < 0)
		goto out;
	if ((r = db_commit(c)) < 0)
		goto out;
	r = n;
out:
	if (r < 0)
		db_rollback(c);
	PQclear(res);
	return r;
}
