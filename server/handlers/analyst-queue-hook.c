/* analyst-queue-hook.c - the HTTP layer's queue hook: the analysts' routes (route->queued)
 * run on the analysts' own worker threads (store/analyst-queue.h), never on an HTTP thread.
 *
 * Requests that ask the same thing of a route whose reply depends only on the request and the
 * caller (estimates, comparisons, progress, published results as JSON; never a CSV, which
 * is audited per request, nor a session's page, which carries its CSRF secret) share one
 * computation: the worker answers all that wait with that key. Each of them arrived before
 * the computation began, and the computation folds what was committed before it, so each
 * sees every response stored before it asked, as when computed alone.
 *
 * Under load (others waiting in the queue or running, now or a moment ago: analyst_queue_busy),
 * a request with such a key (but for the published results, whose publication may end at any
 * moment) whose last reply came from a computation begun less than SIPAS_ANALYST_STALE_MS ago
 * gets that reply at once, on its HTTP thread (recent-replies.h): it counts every response
 * stored more than that bound (plus the computation's own, est_store_fold's fresh_ms) before it
 * asked. Past half the bound, one request goes through to compute it again while the others
 * still get it. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyst-queue.h"
#include "app.h"
#include "gzip.h"
#include "config.h"
#include "handlers.h"
#include "log.h"
#include "monotime.h"
#include "recent-replies.h"

#define RETRY_AFTER_S "5"

#define KEY_MAX 1024

struct queued {
	struct analyst_job job;      /* first: the queue hands back &job */
	struct http_req *req;
	char key[KEY_MAX];
};

static struct http_req *req_of(struct analyst_job *job)
{
	return ((struct queued *)(void *)job)->req;
}

/* True when a recent reply of the request's route may be sent again (recent-replies.h): not
 * the published results, whose publication may end at any moment. */
static bool replayable(struct http_req *req)
{
	return req->route->handler != handle_results_json;
}

static void run(struct analyst_job *job, struct analyst_job *followers)
{
	struct http_req *req = req_of(job);
	struct analyst_job *f, *next;
	unsigned shared = 0;
	int64_t began = mono_ns();

	http_run_queued(req);
	if (job->key && req->queued_status == 200 && replayable(req))
		recent_replies_put(req->app->recent, job->key, began, http_keep_reply(req));
	for (f = followers; f; f = next) {
		struct http_req *fr = req_of(f);

		next = f->next;
		free(f);
		if (http_share_reply(fr, req) < 0)
			http_run_queued(fr);
		else
			shared++;
		http_resume(fr);
	}
	if (shared)
		log_debug("analysts' queue: one computation answered %u more request(s)", shared);
	free(job);
	http_resume(req);    /* last: req's reply was the one shared */
}

/* Sets q->job.key when the request's reply may be shared (see the top of the file). */
static void share_key(struct http_req *req, struct queued *q)
{
	const char *format = http_query(req, "format");
	http_handler_fn h = req->route->handler;
	size_t i;
	int n;

	q->job.key = NULL;
	if (req->auth.via_session || (format && strcmp(format, "json") != 0))
		return;
	if (h != handle_estimates && h != handle_compare && h != handle_progress && h != handle_results_json)
		return;
	/* a shared reply carries its content coding (the same Accept-Encoding, gzip or not) and the
	 * caller's agencies as they are now (a team's scope) */
	n = snprintf(q->key, sizeof q->key, "%d %d %d", req->auth.role, req->auth.token_id,
		     (int)gzip_accepted(http_header(req, "Accept-Encoding")));
	for (i = 0; i < req->auth.nagencies && n > 0 && (size_t)n < sizeof q->key; i++)
		n += snprintf(q->key + n, sizeof q->key - (size_t)n, ",%s", req->auth.agencies[i]);
	if (n < 0 || (size_t)n + 1 >= sizeof q->key)
		return;
	q->key[n++] = ' ';
	if (http_request_key(req, q->key + n, sizeof q->key - (size_t)n) < 0)
		return;
	q->job.key = q->key;
}


static void park(void *req)
{
	http_suspend(req);
}

int handlers_queue(struct http_req *req)
{
	struct queued *q = malloc(sizeof *q);
	unsigned stale_ms = req->app->cfg->analyst_stale_ms;
	int r;

	if (!q)
		return -ENOMEM;
	q->job.run = run;
	q->req = req;
	share_key(req, q);
	if (q->job.key && replayable(req) && stale_ms &&     /* under load, the same question answered just now */
	    analyst_queue_busy(req->app->analysts, false) &&
	    (r = recent_replies_replay(req->app->recent, q->key, mono_ns(), (int64_t)stale_ms * 1000000, req)) > 0) {
		free(q);
		return r;
	}
	if ((r = analyst_queue_submit(req->app->analysts, &q->job, park, req)) == 0) {
		unsigned waiting, running;

		analyst_queue_load(req->app->analysts, &waiting, &running);
		log_debug("analysts' queue: %u waiting, %u running", waiting, running);
		return HTTP_SUSPENDED;
	}
	free(q);
	log_info("analysts' queue: %s; 503", r == -EAGAIN ? "full" : "stopping");
	http_add_header(req, "Retry-After", RETRY_AFTER_S);
	return http_reply_error(req, 503, "busy",
				"Máy chủ đang bận xử lý các yêu cầu phân tích khác; vui lòng thử lại sau ít giây.");
}
