/* cli-pending.c - subcommands whose issue has not landed yet: they say so and exit 1.
 * Each is removed from here when its real implementation arrives. */
#include <stdio.h>

#include "cli.h"

static int pending(const char *name)
{
	fprintf(stderr, "sipas %s: not available in this build yet\n", name);
	return CLI_RUNTIME;
}

int cli_analyze(int argc, char **argv) { (void)argc; (void)argv; return pending("analyze"); }
