/* http-server.h - starting and stopping the HTTP daemon (used by `sipas serve` and tests). */
#pragma once

#include <stddef.h>

struct app;
struct http_server;

/* Starts listening on app->cfg's address with the route table. Returns 0 and *out, writing
 * the bound "HOST:PORT" to bound; or a negative errno with the reason in bound. */
int http_server_start(struct app *app, struct http_server **out, char *bound, size_t boundlen);
/* Stops accepting new connections; requests in flight go on. */
void http_server_quiesce(struct http_server *s);
/* Stops the daemon (after in-flight requests have finished or timed out) and frees it; s may be NULL. */
void http_server_stop(struct http_server *s);
