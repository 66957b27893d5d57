/* log.c - leveled, line-buffered logging to stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The one piece of process-wide state outside struct app: set once by main before any
 * thread starts (from SIPAS_LOG_LEVEL, read by store/config.c), then only read. */
static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	min_level = level;
}

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	const char *base = strrchr(file, '/');
	char msg[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	/* one fprintf per line: stdio locks the stream, so threads do not interleave */
	fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s:%d: %s\n",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, names[level], base ? base + 1 : file, line, msg);
}
