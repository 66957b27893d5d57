/* monotime.h - the monotonic clock, in nanoseconds: for durations and deadlines, never dates. */
#pragma once

#include <stdint.h>

/* Nanoseconds on CLOCK_MONOTONIC (from an unspecified start; never goes back). */
int64_t mono_ns(void);
