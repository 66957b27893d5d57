/* db-internal.h - what the sql/ files share; nothing outside sql/ includes this. */
#pragma once

#include <libpq-fe.h>
#include <stdint.h>

#include "db.h"

struct db_conn {
	PGconn *pg;
	struct db_pool *pool;   /* NULL for a connection made by db_connect */
	char error[512];
};

/* Runs a parameterised statement ($1...) with text parameters (NULL = SQL NULL); returns the
 * result (PQclear it) in *out when non-NULL, else clears it. Returns 0 or a negative errno
 * classified from the SQLSTATE (see db.h); the message is kept in c->error. */
int db_exec(struct db_conn *c, const char *sql, int nparams, const char *const *params, PGresult **out);
/* As db_exec with binary-or-text parameters of given lengths and formats. */
int db_execb(struct db_conn *c, const char *sql, int nparams, const char *const *params,
	     const int *lengths, const int *formats, PGresult **out);
/* Maps a failed result (or a broken connection when res is NULL) to a negative errno and
 * records the message in c->error. */
int db_error(struct db_conn *c, PGresult *res);
/* Writes a 32-byte hash as a bytea literal parameter ("\\x" and 64 hex digits) into out and
 * returns out. */
const char *db_hash_param(const uint8_t h[32], char out[68]);
/* Connects and pins the session (search_path, time zone, application name). */
PGconn *db_open(const char *conninfo, char *errbuf, size_t errlen);
