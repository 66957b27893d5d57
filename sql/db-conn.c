/* db-conn.c - one PostgreSQL connection: opening it, running statements, classifying errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;   /* NOTICEs (e.g. "already exists, skipping") are not errors */
}

PGconn *db_open(const char *conninfo, char *errbuf, size_t errlen)
{
	/* Later keywords override the expanded URI; application name only as a fallback. */
	const char *keys[] = { "dbname", "fallback_application_name", "connect_timeout", NULL };
	const char *vals[] = { conninfo, "sipas", "3", NULL };
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	PGresult *res;

	if (!pg) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		const char *m = PQerrorMessage(pg);

		snprintf(errbuf, errlen, "%.*s", (int)strcspn(m, "\n"), m);
		PQfinish(pg);
		return NULL;
	}
	/* Pin the session: our objects live in public; times are stored and printed in UTC+7. */
	res = PQexec(pg, "SELECT pg_catalog.set_config('search_path', 'public', false),"
			 " pg_catalog.set_config('TimeZone', 'Asia/Ho_Chi_Minh', false)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(errbuf, errlen, "%s", PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(pg);
		return NULL;
	}
	PQclear(res);
	PQsetNoticeProcessor(pg, quiet_notice, NULL);
	return pg;
}

const char *db_int_param(long long v, char out[DB_INT_LEN])
{
	snprintf(out, DB_INT_LEN, "%lld", v);
	return out;
}

int db_exec_id(struct db_conn *c, const char *sql, int nparams, const char *const *params, long long *id)
{
	PGresult *res = NULL;
	int r;

	if ((r = db_exec(c, sql, nparams, params, &res)) < 0)
		return r;
	if (PQntuples(res) == 0)
		r = -ENOENT;
	else
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return r;
}

const char *db_hash_param(const uint8_t h[32], char out[68])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	out[0] = '\\';
	out[1] = 'x';
	for (i = 0; i < 32; i++) {
		out[2 + 2 * i] = digits[h[i] >> 4];
		out[3 + 2 * i] = digits[h[i] & 15];
	}
	out[66] = '\0';
	return out;
}

int db_error(struct db_conn *c, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : NULL;

	if (!msg || !*msg)
		msg = c->pg ? PQerrorMessage(c->pg) : "no connection";
	snprintf(c->error, sizeof c->error, "%.*s", (int)strcspn(msg, "\n"), msg);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
		return -ECONNREFUSED;
	if (!state)
		return -EIO;
	if (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
	    !strcmp(state, "57P03"))
		return -ECONNREFUSED;           /* connection exception, admin shutdown */
	if (!strcmp(state, "23505"))
		return -EEXIST;                 /* unique_violation */
	if (!strcmp(state, "23503"))
		return -ENOENT;                 /* foreign_key_violation: a referenced row is missing */
	if (!strncmp(state, "22", 2) || !strcmp(state, "23514") || !strcmp(state, "23502"))
		return -EINVAL;                 /* data exception, check or not-null violation */
	if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
		return -EAGAIN;                 /* serialization failure, deadlock */
	if (!strcmp(state, "57014"))
		return -ETIMEDOUT;              /* statement timeout */
	if (!strcmp(state, "53100"))
		return -ENOSPC;                 /* disk full */
	return -EIO;
}

/* Reads the results of the statements sent in pipeline mode up to a sync point it sends;
 * keeps the first failure in c->pipe_error. Returns 0, or a negative errno when the connection
 * broke (then c->pg must not be used in pipeline mode any more). */
static int pipeline_drain(struct db_conn *c)
{
	PGresult *res;
	int nulls = 0;

	if (PQpipelineSync(c->pg) != 1)
		return db_error(c, NULL);
	for (;;) {
		ExecStatusType st;

		if (!(res = PQgetResult(c->pg))) {
			/* one NULL ends each statement's results; two in a row: nothing more comes */
			if (++nulls > 1 || PQstatus(c->pg) != CONNECTION_OK)
				return db_error(c, NULL);
			continue;
		}
		nulls = 0;
		st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_PIPELINE_ABORTED &&
		    c->pipe_error == 0)
			c->pipe_error = db_error(c, res);
		PQclear(res);
	}
	c->unread = 0;
	return 0;
}

int db_pipeline_begin(struct db_conn *c)
{
	if (!c->pg || c->piped)
		return c->piped ? -EALREADY : db_error(c, NULL);
	if (PQenterPipelineMode(c->pg) != 1)
		return db_error(c, NULL);
	c->piped = true;
	c->unread = 0;
	c->pipe_error = 0;
	return 0;
}

int db_pipeline_end(struct db_conn *c)
{
	int r = 0;

	if (!c->piped)
		return 0;
	if (c->unread && (r = pipeline_drain(c)) < 0) {
		PQfinish(c->pg);          /* broken mid-pipeline: never reused (db_release) */
		c->pg = NULL;
	}
	if (c->pg && PQexitPipelineMode(c->pg) != 1 && r == 0)
		r = db_error(c, NULL);
	c->piped = false;
	if (r == 0)
		r = c->pipe_error;        /* its message is the one db_error kept */
	c->pipe_error = 0;
	return r;
}

/* db_execb in pipeline mode: sends the statement; a batch full, reads its results. */
static int execb_piped(struct db_conn *c, const char *sql, int nparams, const char *const *params,
		       const int *lengths, const int *formats)
{
	if (c->pipe_error < 0)
		return c->pipe_error;           /* the rest would be aborted anyway */
	if (PQsendQueryParams(c->pg, sql, nparams, NULL, params, lengths, formats, 0) != 1)
		return c->pipe_error = db_error(c, NULL);
	if (++c->unread >= DB_PIPELINE_BATCH) {
		int r = pipeline_drain(c);

		if (r < 0)
			return c->pipe_error = r;
	}
	return c->pipe_error;
}

int db_execb(struct db_conn *c, const char *sql, int nparams, const char *const *params,
	     const int *lengths, const int *formats, PGresult **out)
{
	PGresult *res;
	ExecStatusType st;

	if (!c->pg)
		return db_error(c, NULL);
	if (c->piped)
		return out ? -EINVAL : execb_piped(c, sql, nparams, params, lengths, formats);
	res = PQexecParams(c->pg, sql, nparams, NULL, params, lengths, formats, 0);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		int r = db_error(c, res);

		PQclear(res);
		return r;
	}
	c->error[0] = '\0';
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

int db_exec(struct db_conn *c, const char *sql, int nparams, const char *const *params, PGresult **out)
{
	return db_execb(c, sql, nparams, params, NULL, NULL, out);
}

int db_connect(const char *conninfo, struct db_conn **out, char *errbuf, size_t errlen)
{
	struct db_conn *c = calloc(1, sizeof *c);

	if (!c)
		return -ENOMEM;
	c->pg = db_open(conninfo, errbuf, errlen);
	if (!c->pg) {
		free(c);
		return -ECONNREFUSED;
	}
	*out = c;
	return 0;
}

void db_conn_close(struct db_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

const char *db_conn_error(const struct db_conn *c)
{
	return c->error;
}

int db_ping(struct db_conn *c)
{
	int r = db_exec(c, "SELECT 1", 0, NULL, NULL);

	return r < 0 ? -ECONNREFUSED : 0;
}

int db_begin(struct db_conn *c)
{
	return db_exec(c, "BEGIN", 0, NULL, NULL);
}

int db_commit(struct db_conn *c)
{
	return db_exec(c, "COMMIT", 0, NULL, NULL);
}

int db_rollback(struct db_conn *c)
{
	char saved[sizeof c->error];
	int r;

	if (!c->pg || PQtransactionStatus(c->pg) == PQTRANS_IDLE)
		return 0;
	/* keep the message of the failure that made us roll back */
	memcpy(saved, c->error, sizeof saved);
	r = db_exec(c, "ROLLBACK", 0, NULL, NULL);
	memcpy(c->error, saved, sizeof saved);
	return r;
}
