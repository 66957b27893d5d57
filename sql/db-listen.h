/* db-listen.h - one connection that LISTENs on a channel: the changes other transactions (in
 * this process or another) announce with NOTIFY. Not thread-safe: its owner serialises. */
#pragma once

#include <stddef.h>

struct db_listener;

/* Connects to conninfo and runs LISTEN channel (an SQL identifier of letters, digits and '_'),
 * once the function notifier (the one that the database's triggers call to NOTIFY it) exists.
 * Returns 0 and *out (db_listen_close), -EINVAL for a bad channel name, -ENOENT when notifier
 * does not exist (a database not migrated yet), or -ECONNREFUSED; the reason in errbuf. */
int db_listen_open(const char *conninfo, const char *channel, const char *notifier, struct db_listener **out,
		   char *errbuf, size_t errlen);
/* Closes the connection; l may be NULL. */
void db_listen_close(struct db_listener *l);
/* The connection's socket, to wait for with poll(); -1 when it has none. */
int db_listen_socket(const struct db_listener *l);
/* Reads what has arrived, never waiting, and counts the notifications in it. Returns that
 * count (0 when none) or -ECONNRESET when the connection is lost. */
int db_listen_drain(struct db_listener *l);
