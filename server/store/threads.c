/* threads.c - starting the service threads of a pool (see threads.h). */
#include <signal.h>

#include "threads.h"

int threads_start(pthread_t *t, unsigned n, void *(*fn)(void *), void *arg, unsigned *started)
{
	sigset_t all, old;
	int r = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);     /* the new threads inherit the mask */
	for (*started = 0; *started < n; (*started)++)
		if ((r = -pthread_create(&t[*started], NULL, fn, arg)) < 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
