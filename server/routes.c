/* routes.c - the static route table (contract §5). Order matters only for identical patterns. */
#include "handlers.h"
#include "http.h"

#define KiB * 1024u
#define MiB * 1024u * 1024u

const struct route http_routes[] = {
	{ "GET", "/healthz", ROLE_PUBLIC, HTTP_BODY_NONE, 0, NULL, false, false, handle_healthz, NULL },
};

const size_t http_nroutes = sizeof http_routes / sizeof http_routes[0];
