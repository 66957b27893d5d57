/* recent-replies.h - the last reply to each shared analysts' question (same caller, query and
 * content coding: analyst-queue-hook.c) with the time its computation began, so that under load
 * a request asking it again within a bound is answered at once, from the HTTP thread, without
 * waiting in the analysts' queue. At most RECENT_REPLIES_SIZE questions, the least recently
 * used one replaced. Thread-safe. */
#pragma once

#include <stdint.h>

#define RECENT_REPLIES_SIZE 32
#define RECENT_REPLIES_KEY_MAX 1024

struct http_kept;
struct http_req;
struct recent_replies;

/* Makes an empty table. Returns 0 and *out (recent_replies_free), or -ENOMEM. */
int recent_replies_new(struct recent_replies **out);
/* Frees rr and the replies it keeps; NULL is fine. */
void recent_replies_free(struct recent_replies *rr);
/* Sets req's reply to the one kept for key when its computation began less than max_age_ns
 * before now_ns (CLOCK_MONOTONIC) and returns its status; returns 0 when there is none, and
 * also, once, when it began more than half max_age_ns ago and no request has been sent to
 * compute it again since (this request then computes it: the others go on getting the kept
 * one meanwhile). */
int recent_replies_replay(struct recent_replies *rr, const char *key, int64_t now_ns, int64_t max_age_ns,
			  struct http_req *req);
/* Keeps k (taken; freed now when it cannot be kept) as key's reply, computed from began_ns. */
void recent_replies_put(struct recent_replies *rr, const char *key, int64_t began_ns, struct http_kept *k);
