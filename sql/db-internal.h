/* db-internal.h - what the sql/ files share; nothing outside sql/ includes this. */
#pragma once

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "strbuf.h"

struct db_conn {
	PGconn *pg;
	struct db_pool *pool;   /* NULL for a connection made by db_connect */
	char error[512];
	bool piped;             /* in pipeline mode (db_pipeline_begin) */
	unsigned unread;        /* statements sent in it whose results are not read yet */
	int pipe_error;         /* the first failure in it, a negative errno; 0 if none */
};

/* Runs a parameterised statement ($1...) with text parameters (NULL = SQL NULL); returns the
 * result (PQclear it) in *out when non-NULL, else clears it. Returns 0 or a negative errno
 * classified from the SQLSTATE (see db.h); the message is kept in c->error. */
int db_exec(struct db_conn *c, const char *sql, int nparams, const char *const *params, PGresult **out);
/* As db_exec with binary-or-text parameters of given lengths and formats. In pipeline mode
 * (db_pipeline_begin) it only sends the statement (out must be NULL) and returns the first
 * failure of the pipeline so far. */
int db_execb(struct db_conn *c, const char *sql, int nparams, const char *const *params,
	     const int *lengths, const int *formats, PGresult **out);
/* Maps a failed result (or a broken connection when res is NULL) to a negative errno and
 * records the message in c->error. */
int db_error(struct db_conn *c, PGresult *res);
#define DB_INT_LEN 24     /* a long long in decimal: sign, 19 digits, NUL */

/* Writes v in decimal into out (a text parameter) and returns out. */
const char *db_int_param(long long v, char out[DB_INT_LEN]);
/* Runs a statement whose first row's first column is an id (INSERT ... RETURNING id, UPDATE
 * ... RETURNING id, SELECT id ...) with text parameters. Returns 0 and the id in *id, -ENOENT
 * when no row came back (*id untouched; c->error unchanged), or a negative errno as db_exec. */
int db_exec_id(struct db_conn *c, const char *sql, int nparams, const char *const *params, long long *id);
/* Writes a 32-byte hash as a bytea literal parameter ("\\x" and 64 hex digits) into out and
 * returns out. */
const char *db_hash_param(const uint8_t h[32], char out[68]);
/* Connects and pins the session (search_path, time zone, application name). */
PGconn *db_open(const char *conninfo, char *errbuf, size_t errlen);
/* Appends s (n bytes) escaped for COPY's text format (db-uploads.c). */
void db_copy_text(struct strbuf *sb, const char *s, size_t n);
/* Appends s escaped for COPY, or \N when s is NULL or empty. */
void db_copy_opt(struct strbuf *sb, const char *s);
/* Appends the coded answers codes[0..n) (negative = no answer) as a bytea in hex text form
 * (008_compact.sql), its backslash doubled for COPY when copy; returns 0 or -ENOMEM. */
int db_codes_put(struct strbuf *sb, const int16_t *codes, size_t n, bool copy);
/* Reads the bytea's len bytes (binary form) into n codes (-1 = no answer, missing slots too);
 * returns 0 or -EIO when they are not such a value or hold more than n codes. */
int db_codes_bin(const char *p, size_t len, int16_t *out, size_t n);
