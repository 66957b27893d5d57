/* db-replica.c - the replication lag of a hot standby (see db-replica.h). */
#include <errno.h>
#include <stdlib.h>

#include "db-internal.h"
#include "db-replica.h"

int db_replica_lag(struct db_conn *c, double *lag_s, bool *standby)
{
	/* streaming (a WAL receiver runs; any role sees its row) and receive = replay: nothing waits
	 * to be applied, so the replica is as current as the stream; otherwise (replay behind, or no
	 * stream: it cannot know what it misses) the age of the last transaction replayed */
	static const char sql[] =
		"SELECT pg_is_in_recovery(),"
		" CASE WHEN NOT pg_is_in_recovery() THEN 0"
		"  WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver)"
		"   AND pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
		"  ELSE greatest(0, coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0))"
		" END::float8";
	PGresult *res = NULL;
	int r;

	if ((r = db_exec(c, sql, 0, NULL, &res)) < 0)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return -EIO;
	}
	*standby = PQgetvalue(res, 0, 0)[0] == 't';
	*lag_s = strtod(PQgetvalue(res, 0, 1), NULL);
	PQclear(res);
	return 0;
}
