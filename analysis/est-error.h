/* est-error.h - error detail of the analysis library, as data (the caller decides what to print). */
#pragma once

#include <stdarg.h>

struct est_error {
	char column[64];    /* the column or field at fault, "" when none */
	char code[32];      /* a short code: bad_weight, mixed_weights, fpc_varies, lonely_psu, ... */
	char message[256];  /* one line, English */
};

/* Fills err (which may be NULL) and returns ret (a negative errno). */
int est_error_set(struct est_error *err, int ret, const char *column, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
