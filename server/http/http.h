/* http.h - the HTTP layer: one request's state, the route table's shape, replies.
 *
 * libmicrohttpd lives only in http*.c. Threading model: MHD runs a pool of
 * SIPAS_THREADS polling threads (default 8), each owning its connections (epoll).
 * A handler runs to completion on the thread of its connection; while it waits for
 * PostgreSQL (a pooled connection per handler call) only that thread's other
 * connections wait. A queued route's handler (route->queued) runs instead on a thread of
 * the options' queue hook while its connection is parked, holding no HTTP thread. Per-request state (struct http_req) is allocated on the first
 * callback and freed in exactly one place: the request-completed callback, however the
 * request ended (served, timed out, client gone). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "strbuf.h"

struct app;
struct http_req;
struct http_server;
struct http_shared;

/* Roles, as a bit set in a route's `who`. */
enum {
	ROLE_PUBLIC = 1 << 0,    /* anyone, no token needed */
	ROLE_ADMIN = 1 << 1,
	ROLE_TEAM = 1 << 2,
	ROLE_ANALYST = 1 << 3,
};

/* How a route takes its body. */
enum http_body {
	HTTP_BODY_NONE,      /* a body is refused with 413 */
	HTTP_BODY_BUFFER,    /* buffered into req->body up to the route's limit (413 past it) */
	HTTP_BODY_STREAM,    /* handed to route->on_body chunk by chunk (bounded memory) */
};

#define HTTP_MAX_PARAMS 4
#define HTTP_PARAM_MAX 128

/* Who is calling: filled from the Bearer token or the session cookie before the handler runs. */
struct http_auth {
	int token_id;            /* 0 = anonymous */
	int role;                /* one ROLE_* bit, or 0 */
	char name[128];
	size_t nagencies;
	char agencies[64][33];   /* a team token's agency codes */
	bool via_session;        /* authenticated by the session cookie (CSRF applies) */
	char csrf[72];           /* the session's CSRF secret */
};

typedef int (*http_handler_fn)(struct http_req *req);

/* A handler's return when it handed the request to another thread with http_suspend. */
#define HTTP_SUSPENDED 1000   /* not an HTTP status, nor any outcome a handler passes on */
typedef int (*http_body_fn)(struct http_req *req, const char *data, size_t len);

struct route {
	const char *method;      /* "GET", "POST" */
	const char *pattern;     /* "/api/v1/surveys/{survey}/responses": {x} matches one segment (less a
				  * literal that follows it in the segment, as in "{survey}.json") */
	int who;                 /* ROLE_* bits allowed */
	enum http_body body;
	size_t body_limit;       /* bytes, for HTTP_BODY_BUFFER and HTTP_BODY_STREAM */
	const char *content_type;   /* required request media type, or a list ("a/b, c/d"), or NULL */
	bool html;               /* errors as HTML pages rather than JSON */
	bool rate_limited;       /* public routes: per-client rate limit */
	bool queued;             /* heavy work: the options' queue hook runs the handler off the HTTP threads */
	http_handler_fn handler; /* runs once the whole body has arrived */
	http_body_fn on_body;    /* HTTP_BODY_STREAM: each chunk; negative errno stops the request */
};

/* A route found for a method and path, with its {x} segments. */
struct http_match {
	const struct route *route;   /* NULL when none fits */
	size_t nparams;
	char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
	char allow[64];              /* 405: the methods the path takes, ", "-separated */
};

/* Finds the route for method and path among n routes (HEAD takes a GET route). Returns 0 with
 * m->route and m->params set; 404 when no route has the path; 405 (m->allow filled) when
 * routes have the path but not the method. */
int http_route_find(const struct route *routes, size_t n, const char *method, const char *path,
		    struct http_match *m);

/* A request as handlers see it. Handlers return an HTTP status (or a negative errno, which
 * the error table maps to a status) after setting the reply with the http_reply_* calls. */
struct http_req {
	struct app *app;                             /* the server's owner (opaque to the HTTP layer) */
	struct http_server *srv;
	const struct route *route;
	char method[8];
	char path[512];                              /* decoded, without the query */
	size_t nparams;
	char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];  /* {x} segments in pattern order */
	struct http_auth auth;
	char client[48];                             /* the client address, for rate limits; never logged */
	struct strbuf body;                          /* HTTP_BODY_BUFFER */
	uint64_t body_bytes;                         /* bytes received so far */

	void *state;                                 /* a handler's own per-request state */
	void (*state_free)(void *state);             /* called from the completion callback */

	/* reply (private to http.c; use the functions below) */
	int status;
	struct strbuf out;
	const char *out_type;
	const char *csp;                             /* a Content-Security-Policy of its own, or NULL */
	char extra_headers[1024];
	ssize_t (*stream_fn)(void *ud, uint64_t pos, char *buf, size_t max);
	void *stream_ud;
	void (*stream_free)(void *ud);
	bool replied;
	bool suspended;                              /* waiting for another thread (http_suspend) */
	bool resumed;                                /* the handler runs again after http_resume */
	int queued_status;                           /* a queued route's handler's return (http_run_queued) */
	struct http_shared *shared;                  /* a body shared by requests asking the same (http_share_reply) */
	void *conn;                                  /* the MHD connection */
	int64_t started_ns;
};

/* Returns the value of query argument key, or NULL. */
const char *http_query(struct http_req *req, const char *key);
/* Copies up to max values of a repeated query argument (by=a&by=b, or by=a,b) into out
 * (pointers valid for the request); returns the count. */
size_t http_query_all(struct http_req *req, const char *key, const char **out, size_t max);
/* Returns a request header (case-insensitive), or NULL. */
const char *http_header(struct http_req *req, const char *name);
/* Returns a cookie's value, or NULL. */
const char *http_cookie(struct http_req *req, const char *name);

/* Sets a reply with a copy of body; returns status. */
int http_reply(struct http_req *req, int status, const char *content_type, const char *body, size_t len);
/* Sets a reply taking the strbuf's contents (sb is left empty); returns status. */
int http_reply_buf(struct http_req *req, int status, const char *content_type, struct strbuf *sb);
/* Sets a JSON error reply {"error":{"code","message"}} (or an HTML page for html routes); returns status. */
int http_reply_error(struct http_req *req, int status, const char *code, const char *message);
/* What a stream's fill function returns besides a count of bytes. */
#define HTTP_STREAM_END ((ssize_t)-1)     /* no more bytes: the reply is complete */
#define HTTP_STREAM_ERROR ((ssize_t)-2)   /* failed: the connection is closed mid-reply */
/* Sets a streamed reply: fn fills at most max bytes of buf from position pos and returns how
 * many (more than 0), HTTP_STREAM_END or HTTP_STREAM_ERROR; free_fn(ud) runs once, however the
 * reply ended. */
int http_reply_stream(struct http_req *req, int status, const char *content_type,
		      ssize_t (*fn)(void *ud, uint64_t pos, char *buf, size_t max), void *ud,
		      void (*free_fn)(void *ud));
/* Adds a response header (name and value must not contain CR or LF); a Cache-Control replaces the
 * default no-store. Returns 0 or -EINVAL/-E2BIG. */
int http_add_header(struct http_req *req, const char *name, const char *value);
/* Gives the reply policy (a static string) as its Content-Security-Policy instead of the
 * default one (a service worker's script: its policy is the worker's own). */
void http_set_csp(struct http_req *req, const char *policy);
/* A 303 redirect to location; returns 303. */
int http_redirect(struct http_req *req, const char *location);

/* Parks the request's connection so that its thread serves others while another thread
 * works for it. Call it from the handler before handing the request over, then return
 * HTTP_SUSPENDED. The other thread calls http_resume once it has left its result in
 * req->state; the route's handler then runs again, with req->resumed set, on the
 * connection's thread, and sets the reply. */
void http_suspend(struct http_req *req);
/* Wakes a request parked by http_suspend; callable from any thread, once. The caller must not
 * touch req afterwards. */
void http_resume(struct http_req *req);

/* Runs a queued route's handler on the calling thread (a worker of the options' queue hook,
 * which parked the request with http_suspend) and keeps its return for the connection's
 * thread; wake the request with http_resume afterwards. */
void http_run_queued(struct http_req *req);
/* Gives a parked request dst the reply (or the error) that http_run_queued left in src, for a
 * request asking the same thing; the body is kept once for all of them. Call it before src
 * is woken. Returns 0, or -EINVAL when src's reply cannot be shared (a streamed one, or out
 * of memory): run dst's own handler then. */
int http_share_reply(struct http_req *dst, struct http_req *src);
/* A reply kept to be sent again (its body shared, never copied): http_keep_reply takes one
 * from a request that has its reply set (not a stream; its content type and policy must be
 * static strings, as every handler's are), or returns NULL; http_replay sets it as req's reply
 * and returns its status; http_kept_free lets it go (NULL is fine). Thread-safe for different
 * requests. */
struct http_kept;
struct http_kept *http_keep_reply(struct http_req *req);
int http_replay(struct http_req *req, const struct http_kept *k);
void http_kept_free(struct http_kept *k);
/* The method, path and query arguments of req in one canonical string ("GET /p?a=1&b=2"),
 * for telling requests that ask the same thing. Returns 0, or -E2BIG when it does not fit. */
int http_request_key(struct http_req *req, char *buf, size_t len);

/* Maps a negative errno from the libraries to an HTTP status (the one table). */
int http_status_from_errno(int err);
/* The default error code and English message for a status. */
const char *http_status_code_name(int status);
