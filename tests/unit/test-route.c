/* test-route.c - matching methods and paths against a route table (http/route.c). */
#include "http.h"
#include "test.h"

static int h(struct http_req *req)
{
	(void)req;
	return 200;
}

static const struct route routes[] = {
	{ .method = "GET", .pattern = "/healthz", .handler = h },
	{ .method = "GET", .pattern = "/s/{survey}", .handler = h },
	{ .method = "POST", .pattern = "/s/{survey}", .handler = h },
	{ .method = "GET", .pattern = "/dashboard/{survey}/agency/{code}", .handler = h },
	{ .method = "POST", .pattern = "/api/v1/uploads/{id}/withdraw", .handler = h },
	{ .method = "GET", .pattern = "/results/{survey}.json", .handler = h },
	{ .method = "GET", .pattern = "/results/{survey}", .handler = h },
};
#define N (sizeof routes / sizeof routes[0])

int main(void)
{
	struct http_match m;
	char long_seg[HTTP_PARAM_MAX + 8], path[HTTP_PARAM_MAX + 16];

	CHECK_INT(http_route_find(routes, N, "GET", "/healthz", &m), 0);
	CHECK(m.route == &routes[0]);
	CHECK_INT(m.nparams, 0);

	/* HEAD takes the GET route */
	CHECK_INT(http_route_find(routes, N, "HEAD", "/healthz", &m), 0);
	CHECK(m.route == &routes[0]);

	/* segments are captured in pattern order; the method picks among equal patterns */
	CHECK_INT(http_route_find(routes, N, "POST", "/s/hs-2025", &m), 0);
	CHECK(m.route == &routes[2]);
	CHECK_INT(m.nparams, 1);
	CHECK_STR(m.params[0], "hs-2025");
	CHECK_INT(http_route_find(routes, N, "GET", "/dashboard/r1/agency/SNV", &m), 0);
	CHECK(m.route == &routes[3]);
	CHECK_INT(m.nparams, 2);
	CHECK_STR(m.params[0], "r1");
	CHECK_STR(m.params[1], "SNV");

	/* unknown paths: 404; a known path with another method: 405 and the Allow list */
	CHECK_INT(http_route_find(routes, N, "GET", "/nope", &m), 404);
	CHECK(m.route == NULL);
	CHECK_INT(http_route_find(routes, N, "DELETE", "/s/x", &m), 405);
	CHECK(m.route == NULL);
	CHECK_STR(m.allow, "GET, POST");
	CHECK_INT(http_route_find(routes, N, "GET", "/api/v1/uploads/7/withdraw", &m), 405);
	CHECK_STR(m.allow, "POST");

	/* a literal after {x} ends the segment and is not captured; without it the next route takes it */
	CHECK_INT(http_route_find(routes, N, "GET", "/results/r1.json", &m), 0);
	CHECK(m.route == &routes[5]);
	CHECK_STR(m.params[0], "r1");
	CHECK_INT(http_route_find(routes, N, "GET", "/results/r.1.json", &m), 0);
	CHECK_STR(m.params[0], "r.1");
	CHECK_INT(http_route_find(routes, N, "GET", "/results/r1", &m), 0);
	CHECK(m.route == &routes[6]);
	CHECK_STR(m.params[0], "r1");
	CHECK_INT(http_route_find(routes, N, "GET", "/results/.json", &m), 0);   /* empty before the literal */
	CHECK(m.route == &routes[6]);
	CHECK_STR(m.params[0], ".json");
	CHECK_INT(http_route_find(routes, N, "GET", "/results/r1.jso", &m), 0);
	CHECK(m.route == &routes[6]);
	CHECK_INT(http_route_find(routes, N, "GET", "/results/r1.json/x", &m), 404);

	/* a segment is never empty, never spans a slash, and the whole path must match */
	CHECK_INT(http_route_find(routes, N, "GET", "/s/", &m), 404);
	CHECK_INT(http_route_find(routes, N, "GET", "/s/a/b", &m), 404);
	CHECK_INT(http_route_find(routes, N, "GET", "/healthz/", &m), 404);
	CHECK_INT(http_route_find(routes, N, "GET", "/health", &m), 404);
	CHECK_INT(http_route_find(routes, N, "GET", "", &m), 404);

	/* a segment longer than HTTP_PARAM_MAX - 1 bytes matches nothing */
	memset(long_seg, 'a', sizeof long_seg - 1);
	long_seg[sizeof long_seg - 1] = '\0';
	snprintf(path, sizeof path, "/s/%s", long_seg);
	CHECK_INT(http_route_find(routes, N, "GET", path, &m), 404);
	long_seg[HTTP_PARAM_MAX - 1] = '\0';
	snprintf(path, sizeof path, "/s/%s", long_seg);
	CHECK_INT(http_route_find(routes, N, "GET", path, &m), 0);
	CHECK_INT(strlen(m.params[0]), HTTP_PARAM_MAX - 1);
	TEST_DONE();
}
