/* route.c - matching a request's method and path against the route table. */
#include <string.h>

#include "http.h"

/* Matches path against pattern, capturing {x} segments into m when m is not NULL; returns 1
 * on a match. */
static int match(const char *pattern, const char *path, struct http_match *m)
{
	size_t np = 0;

	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *end = strchr(path, '/'), *close = strchr(pattern, '}'), *suffix;
			size_t len = end ? (size_t)(end - path) : strlen(path), slen;

			if (!close)
				return 0;
			/* a literal after {x} in the same segment ("{survey}.json") must end it */
			suffix = close + 1;
			slen = strcspn(suffix, "/");
			if (slen) {
				if (len <= slen || strncmp(path + len - slen, suffix, slen))
					return 0;
				len -= slen;
			}
			if (len == 0 || len >= HTTP_PARAM_MAX || np >= HTTP_MAX_PARAMS)
				return 0;
			if (m) {
				memcpy(m->params[np], path, len);
				m->params[np][len] = '\0';
			}
			np++;
			path += len;
			pattern = strchr(pattern, '}');
			if (!pattern)
				return 0;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	if (*pattern || *path)
		return 0;
	if (m)
		m->nparams = np;
	return 1;
}

int http_route_find(const struct route *routes, size_t n, const char *method, const char *path,
		    struct http_match *m)
{
	bool path_known = false;
	size_t i;

	memset(m, 0, sizeof *m);
	for (i = 0; i < n; i++) {
		const struct route *r = &routes[i];

		if (!match(r->pattern, path, NULL))
			continue;
		path_known = true;
		if (strcmp(r->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
			match(r->pattern, path, m);
			m->route = r;
			return 0;
		}
	}
	if (!path_known)
		return 404;
	for (i = 0; i < n; i++)
		if (match(routes[i].pattern, path, NULL) &&
		    strlen(m->allow) + strlen(routes[i].method) + 3 < sizeof m->allow) {
			if (m->allow[0])
				strcat(m->allow, ", ");
			strcat(m->allow, routes[i].method);
		}
	return 405;
}
