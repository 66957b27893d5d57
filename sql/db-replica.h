/* db-replica.h - what a streaming replica says about itself. */
#pragma once

#include <stdbool.h>

struct db_conn;

/* How far the server at c lags behind its primary, in seconds: 0 when it streams from the
 * primary and has replayed all the WAL it received (or is not in recovery at all), else the
 * time since the last transaction it replayed was committed on the primary. *standby tells
 * whether c is a hot standby. Returns 0 or a negative errno (-ECONNREFUSED when it is gone). */
int db_replica_lag(struct db_conn *c, double *lag_s, bool *standby);
