/* db-listen.c - a connection that LISTENs on a channel (see db-listen.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "db-listen.h"

#define CHANNEL_MAX 63          /* PostgreSQL's identifier length */

struct db_listener {
	PGconn *pg;
};

int db_listen_open(const char *conninfo, const char *channel, const char *notifier, struct db_listener **out,
		   char *errbuf, size_t errlen)
{
	char sql[CHANNEL_MAX + 16];
	struct db_listener *l;
	PGresult *res;
	int r;
	size_t n = strspn(channel, "abcdefghijklmnopqrstuvwxyz0123456789_");

	if (n == 0 || n > CHANNEL_MAX || channel[n] || (channel[0] >= '0' && channel[0] <= '9')) {
		snprintf(errbuf, errlen, "bad channel name");
		return -EINVAL;
	}
	l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!(l->pg = db_open(conninfo, errbuf, errlen))) {
		free(l);
		return -ECONNREFUSED;
	}
	res = PQexecParams(l->pg, "SELECT to_regproc($1) IS NOT NULL", 1, NULL, (const char *[]){ notifier },
			   NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = -ECONNREFUSED;
		goto out;
	}
	if (PQgetvalue(res, 0, 0)[0] != 't') {
		snprintf(errbuf, errlen, "no function %s: the database is not migrated", notifier);
		r = -ENOENT;
		goto out;
	}
	PQclear(res);
	snprintf(sql, sizeof sql, "LISTEN %s", channel);
	res = PQexec(l->pg, sql);
	r = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -ECONNREFUSED;
out:
	if (r == -ECONNREFUSED)
		snprintf(errbuf, errlen, "%s", PQresultErrorMessage(res));
	PQclear(res);
	if (r < 0) {
		db_listen_close(l);
		return r;
	}
	*out = l;
	return 0;
}

void db_listen_close(struct db_listener *l)
{
	if (!l)
		return;
	PQfinish(l->pg);
	free(l);
}

int db_listen_socket(const struct db_listener *l)
{
	return PQsocket(l->pg);
}

int db_listen_drain(struct db_listener *l)
{
	PGnotify *n;
	int count = 0;

	/* libpq's socket is non-blocking: this reads what the kernel holds and returns */
	if (!PQconsumeInput(l->pg) || PQstatus(l->pg) != CONNECTION_OK)
		return -ECONNRESET;
	while ((n = PQnotifies(l->pg))) {
		PQfreemem(n);
		count++;
	}
	return count;
}
