/* dtoa.h - a double as its shortest round-trip text among 15, 16 and 17 significant digits,
 * in glibc's %g style, computed exactly without printf or strtod for the common range. */
#pragma once

#include <stddef.h>

/* Room for any text dtoa_shortest writes, its NUL included ("-1.2345678901234567e-308" is 24). */
#define DTOA_BUF 32

/* Writes into buf, NUL-terminated, exactly what snprintf("%.*g", p, v) writes for the first p in
 * 15, 16, 17 whose text strtod reads back as v (the C locale, rounding to nearest), for any
 * double (0 gives "0", infinities and NaNs printf's text); returns the text's length. */
size_t dtoa_shortest(char buf[DTOA_BUF], double v);
