/* cli.h - the sipas subcommands. Each takes the arguments after its name (argv[0] is the
 * subcommand's name) and returns the process exit status: 0 success, 1 runtime failure,
 * 2 bad usage or invalid input (docs/cli.md). Messages go to stderr. The environment was read into cfg
 * (store/config.h) before. */
#pragma once

enum { CLI_OK = 0, CLI_RUNTIME = 1, CLI_USAGE = 2 };

struct config;

int cli_serve(const struct config *cfg, int argc, char **argv);
int cli_migrate(const struct config *cfg, int argc, char **argv);
int cli_forms(const struct config *cfg, int argc, char **argv);
int cli_agencies(const struct config *cfg, int argc, char **argv);
int cli_survey(const struct config *cfg, int argc, char **argv);
int cli_invites(const struct config *cfg, int argc, char **argv);
int cli_sample(const struct config *cfg, int argc, char **argv);
int cli_token(const struct config *cfg, int argc, char **argv);
int cli_analyze(const struct config *cfg, int argc, char **argv);
int cli_upload(const struct config *cfg, int argc, char **argv);
int cli_report(const struct config *cfg, int argc, char **argv);
