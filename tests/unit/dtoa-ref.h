/* dtoa-ref.h - what base/dtoa.c must write byte for byte (its unit test and fuzz target): the
 * loop it replaced, the text of the first p in 15..17 whose %.*g reads back as v. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

static size_t dtoa_reference(char buf[32], double v)
{
	int prec, len = 0;

	for (prec = 15; prec <= 17; prec++) {
		len = snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return (size_t)len;
}
