/* monotime.c - the monotonic clock, in nanoseconds. */
#include <time.h>

#include "monotime.h"

int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
