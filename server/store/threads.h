/* threads.h - starting the service threads of a pool (intake writers, analysts' workers). */
#pragma once

#include <pthread.h>

/* Starts n threads running fn(arg) into t[0..n), with every signal blocked in them (SIGTERM
 * must reach the thread that acts on it), counting them in *started as they start. Returns 0,
 * or the negative errno of the first that could not start (those before it run). */
int threads_start(pthread_t *t, unsigned n, void *(*fn)(void *), void *arg, unsigned *started);
