/* routes.c - the static route table (docs/api.md lists every route). The first route whose
 * method and pattern match wins; a path that matches only with another method gets 405. */
#include "handlers.h"
#include "http.h"

#define ANY_TOKEN (ROLE_ADMIN | ROLE_TEAM | ROLE_ANALYST)

const struct route handler_routes[] = {
	{ .method = "GET", .pattern = "/healthz", .who = ROLE_PUBLIC, .handler = handle_healthz },
	{ .method = "GET", .pattern = "/api/v1/me", .who = ANY_TOKEN, .handler = handle_me },
	{ .method = "GET", .pattern = "/api/v1/agencies", .who = ANY_TOKEN, .handler = handle_agencies },
	{ .method = "GET", .pattern = "/login", .who = ROLE_PUBLIC, .html = true, .handler = handle_login_get },
	{ .method = "POST", .pattern = "/login", .who = ROLE_PUBLIC, .html = true, .rate_limited = true,
	  .body = HTTP_BODY_BUFFER, .body_limit = 4096, .content_type = "application/x-www-form-urlencoded",
	  .handler = handle_login_post },
	{ .method = "POST", .pattern = "/logout", .who = ANY_TOKEN, .html = true,
	  .body = HTTP_BODY_BUFFER, .body_limit = 4096, .content_type = "application/x-www-form-urlencoded",
	  .handler = handle_logout },
	{ .method = "GET", .pattern = "/s/{survey}", .who = ROLE_PUBLIC, .html = true, .rate_limited = true,
	  .handler = handle_form_get },
	{ .method = "POST", .pattern = "/s/{survey}", .who = ROLE_PUBLIC, .html = true, .rate_limited = true,
	  .body = HTTP_BODY_BUFFER, .body_limit = 64 * 1024, .content_type = "application/x-www-form-urlencoded",
	  .handler = handle_form_post },
	{ .method = "GET", .pattern = "/s/{survey}/thanks", .who = ROLE_PUBLIC, .html = true, .handler = handle_form_thanks },
	{ .method = "POST", .pattern = "/api/v1/surveys/{survey}/responses", .who = ROLE_PUBLIC, .rate_limited = true,
	  .body = HTTP_BODY_BUFFER, .body_limit = 64 * 1024, .content_type = "application/json",
	  .handler = handle_intake },
	{ .method = "GET", .pattern = "/static/form.js", .who = ROLE_PUBLIC, .handler = handle_form_js },
	/* paper uploads (handlers-upload.c) */
	{ .method = "POST", .pattern = "/api/v1/surveys/{survey}/uploads", .who = ROLE_ADMIN | ROLE_TEAM,
	  .body = HTTP_BODY_STREAM, .body_limit = (size_t)1 << 30,
	  .content_type = "text/csv, " UPLOAD_XLSX_TYPE,
	  .on_body = upload_on_body, .handler = handle_upload_post },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/uploads", .who = ROLE_ADMIN | ROLE_TEAM,
	  .handler = handle_uploads_list },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/template.csv", .who = ROLE_ADMIN | ROLE_TEAM,
	  .handler = handle_upload_template },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/codebook.csv", .who = ROLE_ADMIN | ROLE_TEAM | ROLE_ANALYST,
	  .handler = handle_upload_codebook },
	{ .method = "POST", .pattern = "/api/v1/uploads/{id}/withdraw", .who = ROLE_ADMIN,
	  .handler = handle_upload_withdraw },
	{ .method = "GET", .pattern = "/upload/{survey}", .who = ROLE_PUBLIC, .html = true, .handler = handle_upload_page },
	{ .method = "GET", .pattern = "/static/upload.js", .who = ROLE_PUBLIC, .handler = handle_upload_js },
	/* analysts: estimates, comparisons, exports, progress, dashboard (handlers-estimates.c,
	 * handlers-export.c, handlers-dashboard.c) */
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/estimates", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_estimates },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/compare", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_compare },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/responses.csv", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_export_responses },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/frame.csv", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_export_frame },
	/* spreadsheets and statistics files (handlers-export-xlsx.c, handlers-export-stat.c) */
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/template.xlsx", .who = ROLE_ADMIN | ROLE_TEAM,
	  .handler = handle_template_xlsx },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/responses.xlsx", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_export_responses_xlsx },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/responses.sav", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_export_responses_sav },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/responses.dta", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_export_responses_dta },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/estimates.xlsx", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_estimates_xlsx },
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/progress", .who = ANY_TOKEN,
	  .queued = true, .handler = handle_progress },
	/* drawn invitations with contacts: admins only, audited (handlers-invites.c) */
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/invites.csv", .who = ROLE_ADMIN,
	  .queued = true, .handler = handle_invites_csv },
	{ .method = "GET", .pattern = "/admin/{survey}/letters", .who = ROLE_ADMIN, .html = true,
	  .queued = true, .handler = handle_letters },
	/* the dashboard checks the role itself: browsers without a session go to /login */
	{ .method = "GET", .pattern = "/dashboard/{survey}", .who = ROLE_PUBLIC, .html = true,
	  .queued = true, .handler = handle_dashboard },
	{ .method = "GET", .pattern = "/dashboard/{survey}/agency/{code}", .who = ROLE_PUBLIC, .html = true,
	  .queued = true, .handler = handle_dashboard_agency },
	/* offline collection (handlers-offline.c, handlers-form.c); /collect checks the role itself:
	 * browsers without a session go to /login */
	{ .method = "GET", .pattern = "/sw.js", .who = ROLE_PUBLIC, .handler = handle_sw_js },
	{ .method = "GET", .pattern = "/static/outbox.js", .who = ROLE_PUBLIC, .handler = handle_outbox_js },
	{ .method = "GET", .pattern = "/s/{survey}/manifest.webmanifest", .who = ROLE_PUBLIC, .handler = handle_manifest },
	{ .method = "GET", .pattern = "/collect/{survey}", .who = ROLE_PUBLIC, .html = true, .handler = handle_collect_get },
	{ .method = "GET", .pattern = "/collect/{survey}/manifest.webmanifest", .who = ROLE_PUBLIC,
	  .handler = handle_manifest },
	/* the round's report (handlers-report.c); published results (handlers-results.c): the
	 * .json route first, as /results/{survey} matches "x.json" too */
	{ .method = "GET", .pattern = "/api/v1/surveys/{survey}/report.pdf", .who = ROLE_ADMIN | ROLE_ANALYST,
	  .queued = true, .handler = handle_report_pdf },
	{ .method = "GET", .pattern = "/results/{survey}.json", .who = ROLE_PUBLIC, .rate_limited = true,
	  .queued = true, .handler = handle_results_json },
	{ .method = "GET", .pattern = "/results/{survey}", .who = ROLE_PUBLIC, .html = true, .rate_limited = true,
	  .queued = true, .handler = handle_results },
};

const size_t handler_nroutes = sizeof handler_routes / sizeof handler_routes[0];
