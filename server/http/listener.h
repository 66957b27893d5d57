/* listener.h - the listening socket and the thread that accepts on it. The server owns
 * accepting, so that it can stop accepting while requests in flight finish (libmicrohttpd
 * 0.9.75's MHD_quiesce_daemon races its own epoll threads and can abort the process). */
#pragma once

#include <stddef.h>
#include <sys/socket.h>

struct listener;

struct listener_ops {
	/* Takes an accepted connection (nonblocking, close-on-exec): fd is then the callee's. */
	void (*take)(void *arg, int fd, const struct sockaddr *addr, socklen_t addrlen);
	/* Nonzero while a connection may be taken; when zero, new connections wait in the
	 * kernel's backlog until listener_wake. NULL: always room. */
	int (*room)(void *arg);
	void *arg;
};

/* Binds host:port (IPv4; port 0 picks a free one) and listens, without SO_REUSEPORT, so a
 * second server on the same port fails. Returns 0 with *out and the bound port in *port, or a
 * negative errno (-EINVAL: host is not an IPv4 address). */
int listener_open(const char *host, unsigned port, struct listener **out, unsigned *bound_port);
/* Starts the accepting thread, which hands every connection to ops->take (ops is copied).
 * Returns 0 or a negative errno. */
int listener_start(struct listener *l, const struct listener_ops *ops);
/* Makes the accepting thread look at ops->room again (a connection closed). Thread-safe, and
 * harmless after listener_stop. */
void listener_wake(struct listener *l);
/* Stops accepting (joining the thread) and closes the listening socket: from its return on,
 * new connections are refused. Idempotent; l may be NULL. Not concurrent with itself. */
void listener_stop(struct listener *l);
/* Stops (listener_stop) and frees l once nothing calls listener_wake any more; l may be NULL. */
void listener_free(struct listener *l);
