/* cli.h - the sipas subcommands. Each takes the arguments after its name (argv[0] is the
 * subcommand's name) and returns the process exit status: 0 success, 1 runtime failure,
 * 2 bad usage or invalid input (docs/cli.md). Messages go to stderr. */
#pragma once

enum { CLI_OK = 0, CLI_RUNTIME = 1, CLI_USAGE = 2 };

int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_forms(int argc, char **argv);
int cli_agencies(int argc, char **argv);
int cli_survey(int argc, char **argv);
int cli_invites(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_analyze(int argc, char **argv);
int cli_upload(int argc, char **argv);
