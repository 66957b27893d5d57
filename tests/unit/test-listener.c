/* test-listener.c - the listening socket: binding, accepting, waiting for room, stopping. */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "listener.h"
#include "test.h"

struct taker {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int taken;                 /* connections handed over */
	int room;                  /* what room() answers */
	int asked;                 /* room() calls */
};

static void take(void *arg, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct taker *t = arg;

	CHECK_INT(addr->sa_family, AF_INET);
	CHECK_INT(len, sizeof(struct sockaddr_in));
	close(fd);
	pthread_mutex_lock(&t->mu);
	t->taken++;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

static int room(void *arg)
{
	struct taker *t = arg;
	int r;

	pthread_mutex_lock(&t->mu);
	r = t->room;
	t->asked++;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	return r;
}

/* Waits up to 30 s for *field >= want; returns its value. */
static int wait_for(struct taker *t, const int *field, int want)
{
	struct timespec deadline;
	int v;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 30;
	pthread_mutex_lock(&t->mu);
	while (*field < want && pthread_cond_timedwait(&t->cv, &t->mu, &deadline) == 0)
		;
	v = *field;
	pthread_mutex_unlock(&t->mu);
	return v;
}

/* A blocking connect to 127.0.0.1:port; returns the socket, or -errno. */
static int dial(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int main(void)
{
	struct taker t = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 1, 0 };
	struct listener_ops ops = { .take = take, .room = room, .arg = &t };
	struct listener *l = NULL, *l2 = NULL;
	unsigned port = 0, port2 = 0;
	int c[6], i, asked;

	CHECK_INT(listener_open("localhost", 0, &l2, &port2), -EINVAL);      /* IPv4 addresses only */
	CHECK_INT(listener_open("127.0.0.1", 65536, &l2, &port2), -EINVAL);
	CHECK_OK(listener_open("127.0.0.1", 0, &l, &port));
	CHECK(port > 0);
	CHECK_INT(listener_open("127.0.0.1", port, &l2, &port2), -EADDRINUSE);   /* no SO_REUSEPORT */
	CHECK_OK(listener_start(l, &ops));

	for (i = 0; i < 5; i++)
		CHECK((c[i] = dial(port)) >= 0);
	CHECK_INT(wait_for(&t, &t.taken, 5), 5);

	/* no room: a new connection waits in the backlog, however often the thread wakes */
	pthread_mutex_lock(&t.mu);
	t.room = 0;
	asked = t.asked;
	pthread_mutex_unlock(&t.mu);
	listener_wake(l);
	CHECK(wait_for(&t, &t.asked, asked + 1) > asked);    /* the thread has seen "no room" */
	CHECK((c[5] = dial(port)) >= 0);                      /* the kernel completed it */
	pthread_mutex_lock(&t.mu);
	asked = t.asked;
	pthread_mutex_unlock(&t.mu);
	listener_wake(l);
	CHECK(wait_for(&t, &t.asked, asked + 1) > asked);    /* it has woken since the connection */
	pthread_mutex_lock(&t.mu);
	CHECK_INT(t.taken, 5);
	t.room = 1;
	pthread_mutex_unlock(&t.mu);
	listener_wake(l);
	CHECK_INT(wait_for(&t, &t.taken, 6), 6);              /* room again: taken */

	listener_stop(l);
	CHECK_INT(dial(port), -ECONNREFUSED);                  /* stopped: refused at once */
	listener_stop(l);                                      /* idempotent */
	listener_wake(l);                                      /* harmless once stopped */
	listener_free(l);
	for (i = 0; i < 6; i++)
		if (c[i] >= 0)
			close(c[i]);
	listener_free(NULL);
	TEST_DONE();
}
