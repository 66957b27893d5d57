/* analyst-queue-hook.c - the HTTP layer's queue hook: the analysts' routes (route->queued)
 * run on the analysts' own worker threads (store/analyst-queue.h), never on an HTTP thread. */
#include <errno.h>
#include <stdlib.h>

#include "analyst-queue.h"
#include "app.h"
#include "handlers.h"
#include "log.h"

#define RETRY_AFTER_S "5"

struct queued {
	struct analyst_job job;      /* first: the queue hands back &job */
	struct http_req *req;
};

static void run(struct analyst_job *job)
{
	struct http_req *req = ((struct queued *)(void *)job)->req;

	free(job);
	http_run_queued(req);
}

static void park(void *req)
{
	http_suspend(req);
}

int handlers_queue(struct http_req *req)
{
	struct queued *q = malloc(sizeof *q);
	int r;

	if (!q)
		return -ENOMEM;
	q->job.run = run;
	q->req = req;
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
