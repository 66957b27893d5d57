/* admit.c - admission: what the HTTP layer asks of every request before its body, through
 * its hook (the layer itself knows no tokens, sessions or database). */
#include <errno.h>
#include <stdio.h>

#include "app.h"
#include "auth.h"
#include "handlers.h"
#include "ratelimit.h"

int handlers_admit(struct http_req *req)
{
	int r;

	if (req->route->rate_limited && (r = ratelimit_check(req->app->limits, req->client)) > 0) {
		char after[16];

		snprintf(after, sizeof after, "%d", r);
		http_add_header(req, "Retry-After", after);
		return http_reply_error(req, 429, "rate_limited",
					"Quá nhiều yêu cầu, xin vui lòng thử lại sau ít phút.");
	}
	r = auth_resolve(req);
	if (r < 0)
		return http_reply_error(req, http_status_from_errno(r), NULL,
					r == -EPERM ? "a valid token is required" :
					r == -EACCES ? "this token's role may not use this resource" :
					"authentication is unavailable");
	return 0;
}
