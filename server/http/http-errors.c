/* http-errors.c - the one table from library errors to HTTP statuses. */
#include <errno.h>

#include "http.h"

static const struct {
	int err;
	int status;
} errno_status[] = {
	{ ENOENT, 404 },        /* no such survey, agency, upload */
	{ EACCES, 403 },        /* authenticated, not allowed */
	{ EPERM, 401 },         /* not authenticated */
	{ EEXIST, 409 },        /* duplicate, conflicting retry, used invitation */
	{ EALREADY, 409 },
	{ ESHUTDOWN, 409 },     /* closed round */
	{ EINVAL, 422 },        /* invalid content */
	{ EILSEQ, 422 },        /* invalid UTF-8 / encoding */
	{ EBADMSG, 400 },       /* malformed syntax */
	{ E2BIG, 413 },         /* too large */
	{ EMSGSIZE, 413 },
	{ EPROTONOSUPPORT, 415 },  /* wrong media type */
	{ EBUSY, 429 },         /* rate limited */
	{ ECONNREFUSED, 503 },  /* database unreachable */
	{ ETIMEDOUT, 503 },     /* no database connection in time */
	{ EAGAIN, 503 },
	{ ENOSPC, 507 },
	{ ENOMEM, 500 },
	{ EIO, 500 },
};

int http_status_from_errno(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof errno_status / sizeof errno_status[0]; i++)
		if (errno_status[i].err == err)
			return errno_status[i].status;
	return 500;
}

const char *http_status_code_name(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 411: return "length_required";
	case 413: return "too_large";
	case 415: return "unsupported_media_type";
	case 422: return "invalid";
	case 429: return "rate_limited";
	case 503: return "unavailable";
	case 507: return "insufficient_storage";
	default: return status >= 500 ? "internal" : "error";
	}
}
