/* http.c - libmicrohttpd glue: request state, routing, bodies, replies, the request log. */
#include <errno.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>

#include "http-server.h"
#include "http.h"
#include "jsonw.h"
#include "listener.h"
#include "log.h"
#include "monotime.h"

#define HTTP_OUT_LIMIT (64u << 20)       /* a buffered reply; larger ones are streamed */
/* A connection's memory (libmicrohttpd's pool): a request's headers, up to about half of it, and
 * the read buffer. libmicrohttpd zeroes it for every request on a kept-alive connection, so a
 * bigger pool costs every request (64 kB: 9.6% of perf's samples of the server under wrk on
 * /healthz, CHANGELOG). */
#define HTTP_CONN_MEMORY (32u << 10)

struct http_server {
	struct MHD_Daemon *d;
	struct http_options opts;
	atomic_uint inflight;         /* requests begun and not yet completed */
	atomic_uint conns;            /* connections libmicrohttpd holds */
	struct listener *lst;         /* accepts; stopped by http_server_quiesce, freed by _stop */
};

/* Finds the request's route and captures its {x} segments; *status is 404 or 405 (with an
 * Allow header) when none fits. */
static const struct route *route_find(struct http_req *req, int *status)
{
	const struct http_options *o = &req->srv->opts;
	struct http_match m;
	size_t i;

	*status = http_route_find(o->routes, o->nroutes, req->method, req->path, &m);
	if (!m.route) {
		if (*status == 405)
			http_add_header(req, "Allow", m.allow);
		return NULL;
	}
	req->nparams = m.nparams;
	for (i = 0; i < m.nparams; i++)
		memcpy(req->params[i], m.params[i], sizeof req->params[i]);
	return m.route;
}

/* ---- request inputs ---- */

const char *http_query(struct http_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct query_collect {
	const char *key;
	const char **out;
	size_t max, n;
	struct http_req *req;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_collect *q = cls;

	(void)kind;
	if (strcmp(key, q->key) != 0 || !value)
		return MHD_YES;
	if (q->n < q->max)
		q->out[q->n++] = value;
	return MHD_YES;
}

size_t http_query_all(struct http_req *req, const char *key, const char **out, size_t max)
{
	struct query_collect q = { key, out, max, 0, req };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
	return q.n;
}

const char *http_header(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

/* ---- replies ---- */

int http_reply(struct http_req *req, int status, const char *content_type, const char *body, size_t len)
{
	strbuf_reset(&req->out);
	if (strbuf_append(&req->out, body, len) < 0)
		return http_reply_error(req, 500, "internal", "out of memory");
	req->status = status;
	req->out_type = content_type;
	req->replied = true;
	return status;
}

int http_reply_buf(struct http_req *req, int status, const char *content_type, struct strbuf *sb)
{
	strbuf_done(&req->out);
	req->out = *sb;
	strbuf_init(sb, sb->limit);
	req->status = status;
	req->out_type = content_type;
	req->replied = true;
	return status;
}

int http_reply_error(struct http_req *req, int status, const char *code, const char *message)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	if (req->route && req->route->html && req->srv->opts.error_page &&
	    req->srv->opts.error_page(&sb, status, message) >= 0)
		return http_reply_buf(req, status, "text/html; charset=utf-8", &sb);
	strbuf_reset(&sb);
	strbuf_puts(&sb, "{\"error\":{");
	jsonw_member_str(&sb, "code", code ? code : http_status_code_name(status));
	jsonw_member_str(&sb, "message", message);
	strbuf_puts(&sb, "}}");
	return http_reply_buf(req, status, "application/json", &sb);
}

int http_reply_stream(struct http_req *req, int status, const char *content_type,
		      ssize_t (*fn)(void *ud, uint64_t pos, char *buf, size_t max), void *ud,
		      void (*free_fn)(void *ud))
{
	req->stream_fn = fn;
	req->stream_ud = ud;
	req->stream_free = free_fn;
	req->status = status;
	req->out_type = content_type;
	req->replied = true;
	return status;
}

int http_add_header(struct http_req *req, const char *name, const char *value)
{
	size_t used = strlen(req->extra_headers);
	int n;

	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return -EINVAL;
	n = snprintf(req->extra_headers + used, sizeof req->extra_headers - used, "%s\n%s\n", name, value);
	if (n < 0 || (size_t)n >= sizeof req->extra_headers - used) {
		req->extra_headers[used] = '\0';
		return -E2BIG;
	}
	return 0;
}

int http_redirect(struct http_req *req, const char *location)
{
	http_add_header(req, "Location", location);
	return http_reply(req, 303, "text/plain; charset=utf-8", "", 0);
}

void http_suspend(struct http_req *req)
{
	req->suspended = true;
	MHD_suspend_connection(req->conn);
}

void http_resume(struct http_req *req)
{
	MHD_resume_connection(req->conn);
}

void http_run_queued(struct http_req *req)
{
	req->queued_status = req->route->handler(req);
}

/* One reply body that several requests send (one copy, however many wait): freed when the
 * last response using it, or the last request still holding it, lets go. */
struct http_shared {
	atomic_uint refs;
	size_t len;
	char data[];
};

static void shared_release(void *p)
{
	struct http_shared *b = p;

	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

/* Moves src's body into a shared one (once); returns 0 or -ENOMEM. */
static int share_body(struct http_req *src)
{
	struct http_shared *b;

	if (src->shared)
		return 0;
	if (!(b = malloc(sizeof *b + src->out.len + 1)))
		return -ENOMEM;
	atomic_init(&b->refs, 1);
	b->len = src->out.len;
	if (src->out.len)
		memcpy(b->data, src->out.buf, src->out.len);
	src->shared = b;
	strbuf_done(&src->out);
	return 0;
}

/* Sets dst's reply: body (one more reference), status, type, policy and extra headers. */
static void set_reply(struct http_req *dst, struct http_shared *body, int status, const char *type, const char *csp,
		      const char *headers)
{
	shared_release(dst->shared);
	strbuf_done(&dst->out);
	atomic_fetch_add(&body->refs, 1);
	dst->shared = body;
	dst->status = status;
	dst->out_type = type;
	dst->csp = csp;
	memcpy(dst->extra_headers, headers, sizeof dst->extra_headers);
	dst->replied = true;
}

int http_share_reply(struct http_req *dst, struct http_req *src)
{
	if (src->stream_fn)
		return -EINVAL;
	dst->queued_status = src->queued_status;
	if (!src->replied)
		return 0;
	if (share_body(src) < 0)     /* the first follower: the leader's body moves into a shared one */
		return -EINVAL;
	set_reply(dst, src->shared, src->status, src->out_type, src->csp, src->extra_headers);
	return 0;
}

struct http_kept {
	struct http_shared *body;
	int status;
	const char *out_type;
	const char *csp;
	char extra_headers[sizeof ((struct http_req *)0)->extra_headers];
};

struct http_kept *http_keep_reply(struct http_req *req)
{
	struct http_kept *k;

	if (req->stream_fn || !req->replied || share_body(req) < 0 || !(k = malloc(sizeof *k)))
		return NULL;
	atomic_fetch_add(&req->shared->refs, 1);
	k->body = req->shared;
	k->status = req->status;
	k->out_type = req->out_type;
	k->csp = req->csp;
	memcpy(k->extra_headers, req->extra_headers, sizeof k->extra_headers);
	return k;
}

int http_replay(struct http_req *req, const struct http_kept *k)
{
	set_reply(req, k->body, k->status, k->out_type, k->csp, k->extra_headers);
	return k->status;
}

void http_kept_free(struct http_kept *k)
{
	if (!k)
		return;
	shared_release(k->body);
	free(k);
}

struct key_build {
	struct strbuf sb;
	char sep;
	int err;            /* an append failed: the key is cut short, unusable */
};

static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct key_build *k = cls;

	(void)kind;
	if (strbuf_putc(&k->sb, k->sep) < 0 || strbuf_puts(&k->sb, key) < 0 || strbuf_putc(&k->sb, '=') < 0 ||
	    strbuf_puts(&k->sb, value ? value : "") < 0)
		k->err = -E2BIG;
	k->sep = '&';
	return MHD_YES;
}

int http_request_key(struct http_req *req, char *buf, size_t len)
{
	struct key_build k = { .sep = '?' };
	int r = 0;

	strbuf_init(&k.sb, len);
	if (strbuf_printf(&k.sb, "%s %s", req->method, req->path) < 0)
		k.err = -E2BIG;
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, key_arg, &k);
	if (k.err || strbuf_putc(&k.sb, '\0') < 0)
		r = -E2BIG;
	else
		memcpy(buf, k.sb.buf, k.sb.len);
	strbuf_done(&k.sb);
	return r;
}

void http_set_csp(struct http_req *req, const char *policy)
{
	req->csp = policy;
}

/* True when the handler set header name itself (extra_headers: "name\nvalue\n" pairs). */
static bool has_extra(const struct http_req *req, const char *name)
{
	const char *p = req->extra_headers;
	size_t n = strlen(name);

	while (*p) {
		const char *nl = strchr(p, '\n'), *v;

		if (!nl)
			return false;
		if ((size_t)(nl - p) == n && strncasecmp(p, name, n) == 0)
			return true;
		v = strchr(nl + 1, '\n');
		if (!v)
			return false;
		p = v + 1;
	}
	return false;
}

/* The headers of every reply; Cache-Control is no-store unless the handler chose its own. */
static void add_security_headers(struct MHD_Response *resp, int html, const char *csp, bool own_cache)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy", csp ? csp :
		html ? "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
		       " script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
		     : "default-src 'none'; frame-ancestors 'none'");
	if (!own_cache)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result queue_reply(struct http_req *req)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *h, *save = NULL, *name;

	if (req->stream_fn) {
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
			(MHD_ContentReaderCallback)req->stream_fn, req->stream_ud,
			(MHD_ContentReaderFreeCallback)req->stream_free);
		if (resp) {
			req->stream_fn = NULL;      /* owned by the response now */
			req->stream_free = NULL;
			req->stream_ud = NULL;
		}
	} else if (req->shared) {
		resp = MHD_create_response_from_buffer_with_free_callback_cls(req->shared->len, req->shared->data,
									       shared_release, req->shared);
		if (resp)
			req->shared = NULL;         /* the response's now */
	} else {
		resp = MHD_create_response_from_buffer(req->out.len, req->out.buf ? req->out.buf : (char *)"",
						       MHD_RESPMEM_MUST_COPY);
	}
	if (!resp)
		return MHD_NO;
	if (req->out_type)
		MHD_add_response_header(resp, "Content-Type", req->out_type);
	add_security_headers(resp, req->out_type && strncmp(req->out_type, "text/html", 9) == 0, req->csp,
			     has_extra(req, "Cache-Control"));
	for (h = strtok_r(req->extra_headers, "\n", &save); h; h = strtok_r(NULL, "\n", &save)) {
		name = h;
		h = strtok_r(NULL, "\n", &save);
		if (!h)
			break;
		MHD_add_response_header(resp, name, h);
	}
	ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- the access handler ---- */

/* The route's media type, or one of its list ("text/csv, application/json"). */
static int content_type_ok(struct http_req *req)
{
	const char *want = req->route->content_type, *got;
	size_t n;

	if (!want)
		return 1;
	got = http_header(req, "Content-Type");
	if (!got)
		return 0;
	for (; *want; want += n + strspn(want + n, ", ")) {
		n = strcspn(want, ", ");
		if (strncasecmp(got, want, n) == 0 && (got[n] == '\0' || got[n] == ';' || got[n] == ' '))
			return 1;
	}
	return 0;
}

static enum MHD_Result count_host(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	(void)value;
	if (strcasecmp(key, "Host") == 0)
		(*(unsigned *)cls)++;
	return MHD_YES;
}

/* RFC 9112 §3.2: an HTTP/1.1 request without a Host header, or with more than one, is refused
 * with 400. HTTP/1.0 requests need none. Returns 0 or 400 with the reply set. */
static int host_check(struct http_req *req, const char *version)
{
	unsigned n = 0;

	if (strcmp(version, MHD_HTTP_VERSION_1_1) != 0)
		return 0;
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, count_host, &n);
	if (n == 1)
		return 0;
	return http_reply_error(req, 400, "bad_host", n ? "an HTTP/1.1 request must have one Host header, not several"
						     : "an HTTP/1.1 request must have a Host header");
}

/* Checks route, transfer coding, the admission hook (rate limit, auth), media type and declared
 * length; returns 0 or an error status with the reply set. */
static int request_admit(struct http_req *req)
{
	const char *cl, *te;
	int status = 0, r;

	req->route = route_find(req, &status);
	if (!req->route)
		return http_reply_error(req, status, NULL, status == 404 ? "no such resource" : "method not allowed");
	/* a transfer coding other than chunked: libmicrohttpd would wait for a body it cannot frame */
	te = http_header(req, "Transfer-Encoding");
	if (te && strcasecmp(te, "chunked") != 0)
		return http_reply_error(req, 400, NULL, "the only transfer coding accepted is chunked");
	if (req->srv->opts.admit && (r = req->srv->opts.admit(req)) != 0)
		return r;
	if (req->route->body != HTTP_BODY_NONE && !content_type_ok(req)) {
		char msg[192];

		snprintf(msg, sizeof msg, "the body must be %s%s", strchr(req->route->content_type, ',') ? "one of " : "",
			 req->route->content_type);
		return http_reply_error(req, 415, NULL, msg);
	}
	cl = http_header(req, "Content-Length");
	if (cl) {
		unsigned long long n = strtoull(cl, NULL, 10);

		if ((req->route->body == HTTP_BODY_NONE && n > 0) ||
		    (req->route->body != HTTP_BODY_NONE && n > req->route->body_limit))
			return http_reply_error(req, 413, NULL, "the request body is too large");
	}
	return 0;
}

static int body_chunk(struct http_req *req, const char *data, size_t len)
{
	req->body_bytes += len;
	if (req->route->body == HTTP_BODY_NONE || req->body_bytes > req->route->body_limit)
		return http_reply_error(req, 413, NULL, "the request body is too large");
	if (req->route->body == HTTP_BODY_BUFFER) {
		if (strbuf_append(&req->body, data, len) < 0)
			return http_reply_error(req, 413, NULL, "the request body is too large");
		return 0;
	}
	if (req->route->on_body) {
		int r = req->route->on_body(req, data, len);

		if (r < 0 && !req->replied)
			return http_reply_error(req, http_status_from_errno(r), NULL, "the request body was refused");
		return r < 0 ? -1 : 0;
	}
	return 0;
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	out[0] = '\0';
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		const unsigned char *a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr;

		snprintf(out, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const unsigned char *a = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr;
		size_t i, o = 0;

		for (i = 0; i < 16 && o + 3 < len; i++)
			o += (size_t)snprintf(out + o, len - o, "%02x", a[i]);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct http_server *srv = cls;
	struct http_req *req = *req_cls;
	int status;

	if (!req) {
		req = calloc(1, sizeof *req);
		if (!req)
			return MHD_NO;
		*req_cls = req;
		req->srv = srv;
		req->app = srv->opts.app;
		req->conn = conn;
		req->started_ns = mono_ns();
		strbuf_init(&req->body, 0);
		strbuf_init(&req->out, HTTP_OUT_LIMIT);
		snprintf(req->method, sizeof req->method, "%s", method);
		client_addr(conn, req->client, sizeof req->client);
		atomic_fetch_add(&srv->inflight, 1);
		if (strlen(url) >= sizeof req->path) {
			http_reply_error(req, 414, "uri_too_long", "the request path is too long");
			return queue_reply(req);
		}
		snprintf(req->path, sizeof req->path, "%s", url);
		if (host_check(req, version) != 0 || request_admit(req) != 0)
			return queue_reply(req);
		if (req->route->body != HTTP_BODY_NONE)
			strbuf_init(&req->body, req->route->body_limit + 1);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		/* Once refused, the rest of the body is read and dropped (memory stays bounded; the
		 * connection timeout still applies): libmicrohttpd 0.9.75 accepts a reply only
		 * before the body starts or after it ends. */
		if (!req->replied)
			body_chunk(req, upload_data, n);
		return MHD_YES;
	}
	if (req->suspended) {                /* back from http_resume */
		req->suspended = false;
		req->resumed = true;
	}
	if (!req->replied) {
		if (req->route->queued && req->resumed)
			status = req->queued_status;      /* the handler ran on the queue's thread */
		else if (req->route->queued && srv->opts.queue)
			status = srv->opts.queue(req);
		else
			status = req->route->handler(req);
		if (status == HTTP_SUSPENDED && req->suspended)
			return MHD_YES;              /* called again after http_resume */
		if (status < 0)
			http_reply_error(req, http_status_from_errno(status), NULL,
					 status == -ECONNREFUSED || status == -ETIMEDOUT ?
					 "the database is unavailable; try again shortly" : "the request failed");
		else if (!req->replied)
			http_reply(req, status, "text/plain; charset=utf-8", "", 0);
	}
	return queue_reply(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_req *req = *req_cls;
	int64_t us;

	(void)conn;
	if (!req)
		return;
	us = (mono_ns() - req->started_ns) / 1000;
	/* method, path (no query: it may carry an invitation code), status, duration */
	log_info("%s %s %d %lld.%03lldms%s", req->method, req->path, req->status,
		 (long long)(us / 1000), (long long)(us % 1000),
		 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
		 toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timeout)" :
		 toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT ? " (client gone)" : " (aborted)");
	if (req->state_free)
		req->state_free(req->state);
	if (req->stream_free)
		req->stream_free(req->stream_ud);
	shared_release(req->shared);
	strbuf_done(&req->body);
	strbuf_done(&req->out);
	free(req);
	*req_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

static int hexdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes %XX in the path and in query arguments in place, as libmicrohttpd does, except %00:
 * a NUL would silently cut the path or value short (/s/hs%00.json served as /s/hs), so it
 * stays as the three characters and no route matches. Returns the new length. */
static size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)conn;
	while (*r) {
		int hi, lo;

		if (r[0] == '%' && (hi = hexdigit(r[1])) >= 0 && (lo = hexdigit(r[2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void on_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
	(void)cls;
	log_error("libmicrohttpd: %s:%u: %s", file ? file : "?", line, reason ? reason : "");
	abort();
}

/* A connection accepted by our listener goes to libmicrohttpd (which closes it on failure). */
static void take_connection(void *arg, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_server *s = arg;

	if (MHD_add_connection(s->d, fd, addr, addrlen) != MHD_YES)
		log_warn("connection dropped: %s", strerror(errno));
}

/* Room for one more connection: below the limit, new ones wait in the kernel's backlog. */
static int conn_room(void *arg)
{
	struct http_server *s = arg;

	return atomic_load(&s->conns) < s->opts.conn_limit;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;

	(void)conn;
	(void)socket_ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&s->conns, 1);
	else if (atomic_fetch_sub(&s->conns, 1) >= s->opts.conn_limit)
		listener_wake(s->lst);
}

int http_server_start(const struct http_options *o, struct http_server **out, char *bound, size_t boundlen)
{
	struct listener_ops ops;
	struct http_server *s;
	unsigned port;
	int r;

	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->opts = *o;
	atomic_init(&s->inflight, 0);
	atomic_init(&s->conns, 0);
	if ((r = listener_open(o->host, o->port, &s->lst, &port)) < 0) {
		if (r == -EINVAL)
			snprintf(bound, boundlen, "bad listen address '%s' (use IPv4 HOST:PORT)", o->host);
		else
			snprintf(bound, boundlen, "cannot listen on %s:%u: %s", o->host, o->port, strerror(-r));
		goto out;
	}
	MHD_set_panic_func(on_panic, NULL);
	/* No listening socket of libmicrohttpd's: the listener accepts, so that stopping to accept
	 * never goes through MHD_quiesce_daemon (listener.h) */
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
				 MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET,
		0, NULL, NULL, on_request, s,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)o->threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)o->conn_limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)0,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->conn_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, NULL,
		MHD_OPTION_END);
	if (!s->d) {
		r = -(errno ? errno : EINVAL);
		snprintf(bound, boundlen, "cannot start the HTTP server: %s", strerror(-r));
		goto out;
	}
	ops = (struct listener_ops){ .take = take_connection, .room = conn_room, .arg = s };
	if ((r = listener_start(s->lst, &ops)) < 0) {
		snprintf(bound, boundlen, "cannot start accepting: %s", strerror(-r));
		goto out;
	}
	snprintf(bound, boundlen, "%s:%u", o->host, port);
	*out = s;
	s = NULL;
out:
	http_server_stop(s);
	return r;
}

void http_server_quiesce(struct http_server *s)
{
	if (s)
		listener_stop(s->lst);
}

unsigned http_server_inflight(struct http_server *s)
{
	return s ? atomic_load(&s->inflight) : 0;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	listener_stop(s->lst);
	if (s->d)
		MHD_stop_daemon(s->d);
	listener_free(s->lst);     /* after the daemon: its threads may wake the listener */
	free(s);
}
