/* http-server.h - starting and stopping the HTTP daemon (used by `sipas serve` and tests). */
#pragma once

#include <stddef.h>

struct app;
struct http_req;
struct http_server;
struct route;
struct strbuf;

struct http_options {
	const char *host;             /* IPv4 address to listen on */
	unsigned port;                /* 0 = any free port */
	unsigned threads;             /* polling threads, each owning its connections */
	unsigned conn_limit;          /* concurrent connections */
	unsigned conn_timeout_s;      /* an idle connection is closed after this */
	const struct route *routes;   /* the route table */
	size_t nroutes;
	/* Admission, after routing and before the body: returns 0 to go on, or the status of the
	 * reply it set (rate limits, credentials). NULL admits every request. */
	int (*admit)(struct http_req *req);
	/* A queued route (route->queued), once its body has arrived: parks the request
	 * (http_suspend) and hands it to a thread that calls http_run_queued, returning
	 * HTTP_SUSPENDED; or sets a reply (503 when the queue is full) and returns its status.
	 * NULL: queued routes run on the HTTP threads like the others. */
	int (*queue)(struct http_req *req);
	/* Renders the HTML error page of an html route into sb; returns 0 or a negative errno
	 * (then the error goes out as JSON). NULL: errors are always JSON. */
	int (*error_page)(struct strbuf *sb, int status, const char *message);
	struct app *app;              /* handed to every request as req->app */
};

/* Starts listening as o says (o is copied). Returns 0 and *out, writing the bound "HOST:PORT"
 * to bound; or a negative errno with the reason in bound. */
int http_server_start(const struct http_options *o, struct http_server **out, char *bound, size_t boundlen);
/* The requests begun and not yet completed. */
unsigned http_server_inflight(struct http_server *s);
/* Stops accepting new connections; requests in flight go on. */
void http_server_quiesce(struct http_server *s);
/* Stops the daemon (after in-flight requests have finished or timed out) and frees it; s may be NULL. */
void http_server_stop(struct http_server *s);
