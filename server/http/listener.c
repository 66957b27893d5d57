/* listener.c - the listening socket and its accepting thread (see listener.h). */
#include "listener.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>

#include "log.h"
#include "threads.h"

#define ACCEPT_BATCH 64        /* connections taken per wake before looking at the event fd */
#define BACKOFF_MS 100         /* out of descriptors or memory: retry accepting this often */

struct listener {
	int fd;                    /* the listening socket */
	int ev;                    /* eventfd: stop, or look at room again */
	atomic_bool stop;
	int started;
	pthread_t thread;
	struct listener_ops ops;
};

static int has_room(const struct listener *l)
{
	return !l->ops.room || l->ops.room(l->ops.arg);
}

/* Accepts what is waiting, up to ACCEPT_BATCH. Returns 1 when accepting must back off. */
static int accept_some(struct listener *l)
{
	int n;

	for (n = 0; n < ACCEPT_BATCH && has_room(l); n++) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof sa;
		int c = accept4(l->fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c >= 0) {
			l->ops.take(l->ops.arg, c, (struct sockaddr *)&sa, len);
			continue;
		}
		switch (errno) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
			return 0;
		case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
			log_error("accept: %s; retrying every %d ms", strerror(errno), BACKOFF_MS);
			return 1;
		default:               /* the client went away, or a network error it carried: next */
			break;
		}
	}
	return 0;
}

static void *accept_loop(void *arg)
{
	struct listener *l = arg;
	int backoff = 0;

	while (!atomic_load(&l->stop)) {
		struct pollfd pf[2] = {
			{ .fd = has_room(l) ? l->fd : -1, .events = POLLIN },
			{ .fd = l->ev, .events = POLLIN },
		};
		uint64_t v;

		if (poll(pf, 2, backoff ? BACKOFF_MS : -1) < 0) {
			backoff = errno != EINTR;
			continue;
		}
		if (pf[1].revents & POLLIN)
			(void)!read(l->ev, &v, sizeof v);
		backoff = (pf[0].revents & POLLIN) || backoff ? accept_some(l) : 0;
	}
	return NULL;
}

int listener_open(const char *host, unsigned port, struct listener **out, unsigned *bound_port)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof addr;
	struct listener *l;
	int one = 1, r;

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return -EINVAL;
	if (!(l = calloc(1, sizeof *l)))
		return -ENOMEM;
	l->ev = -1;
	atomic_init(&l->stop, 0);
	if ((l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		r = -errno;
		goto out;
	}
	/* SO_REUSEADDR: a restart binds at once despite connections in TIME_WAIT */
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(l->fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(l->fd, SOMAXCONN) < 0 ||
	    getsockname(l->fd, (struct sockaddr *)&addr, &len) < 0 ||
	    (l->ev = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		r = -errno;
		goto out;
	}
	*bound_port = ntohs(addr.sin_port);
	*out = l;
	l = NULL;
	r = 0;
out:
	listener_free(l);
	return r;
}

int listener_start(struct listener *l, const struct listener_ops *ops)
{
	unsigned started;
	int r;

	l->ops = *ops;
	r = threads_start(&l->thread, 1, "sipas-accept", 0, accept_loop, l, &started);
	l->started = started == 1;
	return r;
}

void listener_wake(struct listener *l)
{
	uint64_t one = 1;

	(void)!write(l->ev, &one, sizeof one);    /* EAGAIN: the counter is full, a wake is pending */
}

void listener_stop(struct listener *l)
{
	if (!l)
		return;
	if (l->started) {
		atomic_store(&l->stop, 1);
		listener_wake(l);
		pthread_join(l->thread, NULL);
		l->started = 0;
	}
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

void listener_free(struct listener *l)
{
	if (!l)
		return;
	listener_stop(l);
	if (l->ev >= 0)
		close(l->ev);
	free(l);
}
