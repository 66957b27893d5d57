/* routes.c - the static route table (contract §5). The first route whose method and
 * pattern match wins; a path that matches only with another method gets 405. */
#include "handlers.h"
#include "http.h"

#define ANY_TOKEN (ROLE_ADMIN | ROLE_TEAM | ROLE_ANALYST)

const struct route http_routes[] = {
	{ .method = "GET", .pattern = "/healthz", .who = ROLE_PUBLIC, .handler = handle_healthz },
	{ .method = "GET", .pattern = "/api/v1/me", .who = ANY_TOKEN, .handler = handle_me },
	{ .method = "GET", .pattern = "/api/v1/agencies", .who = ANY_TOKEN, .handler = handle_agencies },
};

const size_t http_nroutes = sizeof http_routes / sizeof http_routes[0];
