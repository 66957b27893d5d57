/* threads.c - starting the service threads of a pool (see threads.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "threads.h"

struct start {
	void *(*fn)(void *);
	void *arg;
	int nice;
	char name[16];
};

static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	pthread_setname_np(pthread_self(), s.name);
	if (s.nice)          /* Linux: a thread's own nice value, by its thread id */
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), s.nice);
	return s.fn(s.arg);
}

int threads_start(pthread_t *t, unsigned n, const char *name, int nice, void *(*fn)(void *), void *arg,
		  unsigned *started)
{
	struct start *s;
	sigset_t all, old;
	int r = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);     /* the new threads inherit the mask */
	for (*started = 0; *started < n; (*started)++) {
		if (!(s = malloc(sizeof *s))) {
			r = -ENOMEM;
			break;
		}
		*s = (struct start){ .fn = fn, .arg = arg, .nice = nice };
		snprintf(s->name, sizeof s->name, "%s", name);
		if ((r = -pthread_create(&t[*started], NULL, trampoline, s)) < 0) {
			free(s);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
