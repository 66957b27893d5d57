/* cli-util.h - what the subcommands share. */
#pragma once

struct config;
struct db_conn;

/* Connects to SIPAS_DATABASE_URL and applies pending migrations; on failure prints "sipas CMD: ..." and returns CLI_USAGE
 * (variable missing) or CLI_RUNTIME (database unreachable). Returns 0 and *out otherwise. */
int cli_db_connect(const struct config *cfg, const char *cmd, struct db_conn **out);
/* True when argv holds --help or -h before any "--". */
int cli_wants_help(int argc, char **argv);
