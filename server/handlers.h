/* handlers.h - the route handlers (one file per area: handlers-<area>.c). Each returns an
 * HTTP status after setting the reply, or a negative errno (mapped by http-errors.c). */
#pragma once

#include "http.h"

int handle_healthz(struct http_req *req);
int handle_me(struct http_req *req);
int handle_agencies(struct http_req *req);
int handle_login_get(struct http_req *req);
int handle_login_post(struct http_req *req);
int handle_logout(struct http_req *req);
int handle_form_get(struct http_req *req);
int handle_form_post(struct http_req *req);
int handle_form_thanks(struct http_req *req);
int handle_form_js(struct http_req *req);
