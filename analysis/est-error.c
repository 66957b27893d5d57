/* est-error.c - filling struct est_error. */
#include "est-error.h"

#include <stdio.h>
#include <string.h>

int est_error_set(struct est_error *err, int ret, const char *column, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return ret;
	snprintf(err->column, sizeof err->column, "%s", column ? column : "");
	snprintf(err->code, sizeof err->code, "%s", code ? code : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return ret;
}
