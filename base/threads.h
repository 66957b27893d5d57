/* threads.h - starting named service threads (intake writers, analysts' workers, the listener of
 * round changes, the HTTP accept thread). */
#pragma once

#include <pthread.h>

/* The nice value of the analysts' workers and of the background fold: under a full CPU the
 * citizens' requests (HTTP threads, intake writers) run first. */
#define THREADS_NICE_ANALYSTS 10

/* Starts n threads running fn(arg) into t[0..n), named name (at most 15 bytes, as `top -H`
 * and `ps -L` show them), at scheduling priority nice (0: the process's; higher yields the CPU
 * to the other threads; an error to set it is ignored), with every signal blocked in them
 * (SIGTERM must reach the thread that acts on it), counting them in *started as they start.
 * Returns 0, or the negative errno of the first that could not start (those before it run). */
int threads_start(pthread_t *t, unsigned n, const char *name, int nice, void *(*fn)(void *), void *arg,
		  unsigned *started);
