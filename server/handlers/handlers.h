/* handlers.h - the route handlers (one file per area: handlers-<area>.c). Each returns an
 * HTTP status after setting the reply, or a negative errno (mapped by http-errors.c). */
#pragma once

#include "http.h"

/* The route table (routes.c). */
extern const struct route handler_routes[];
extern const size_t handler_nroutes;

/* The admission hook of the HTTP layer (admit.c): the public routes' rate limit, then the
 * caller's credentials against the route's roles. Returns 0, or the status of the error reply
 * it set (429, 401, 403, 503). */
int handlers_admit(struct http_req *req);
/* The queue hook of the HTTP layer (analyst-queue-hook.c): parks a queued route's request for
 * the analysts' workers and returns HTTP_SUSPENDED, or replies 503 with Retry-After when the
 * analysts' queue is full. */
int handlers_queue(struct http_req *req);

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
int handle_intake(struct http_req *req);

/* offline collection (handlers-offline.c; the interviewers' mode is in handlers-form.c) */
int handle_collect_get(struct http_req *req);
int handle_sw_js(struct http_req *req);
int handle_outbox_js(struct http_req *req);
int handle_manifest(struct http_req *req);

/* handlers-upload.c: paper results in bulk */
/* The media type of an .xlsx workbook, which uploads take as well as text/csv. */
#define UPLOAD_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
int upload_on_body(struct http_req *req, const char *data, size_t len);
int handle_upload_post(struct http_req *req);
int handle_upload_template(struct http_req *req);
int handle_upload_codebook(struct http_req *req);
int handle_uploads_list(struct http_req *req);
int handle_upload_withdraw(struct http_req *req);
int handle_upload_page(struct http_req *req);
int handle_upload_js(struct http_req *req);

/* analysts (handlers-estimates.c, handlers-export.c, handlers-dashboard.c) */
int handle_estimates(struct http_req *req);
int handle_compare(struct http_req *req);
int handle_progress(struct http_req *req);
int handle_export_responses(struct http_req *req);
int handle_export_frame(struct http_req *req);
int handle_invites_csv(struct http_req *req);
int handle_letters(struct http_req *req);
/* GET /api/v1/surveys/{survey}/responses.xlsx, .sav, .dta, estimates.xlsx (analyst, admin) and
 * template.xlsx (team, admin): docs/api.md. */
int handle_export_responses_xlsx(struct http_req *req);
int handle_export_responses_sav(struct http_req *req);
int handle_export_responses_dta(struct http_req *req);
int handle_estimates_xlsx(struct http_req *req);
int handle_template_xlsx(struct http_req *req);
int handle_dashboard(struct http_req *req);
int handle_dashboard_agency(struct http_req *req);

/* the round's report and published results (handlers-report.c, handlers-results.c) */
int handle_report_pdf(struct http_req *req);
int handle_results(struct http_req *req);
int handle_results_json(struct http_req *req);
