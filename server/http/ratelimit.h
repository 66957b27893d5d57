/* ratelimit.h - per-client request budget on public routes (token bucket): per_minute
 * requests a minute with a burst of per_minute / 2 + 1. Memory is a fixed table; thread-safe. */
#pragma once

struct ratelimit;

/* Makes a limiter of per_minute requests per client (0 = no limit). Returns 0 and *out
 * (ratelimit_free), or -ENOMEM. */
int ratelimit_new(unsigned per_minute, struct ratelimit **out);
/* Frees rl; NULL is fine. */
void ratelimit_free(struct ratelimit *rl);
/* Takes one request from client's budget; returns 0 when allowed, else the seconds to wait
 * (for Retry-After). */
int ratelimit_check(struct ratelimit *rl, const char *client);
/* As ratelimit_check at time now (seconds on a monotonic clock), for tests. */
int ratelimit_check_at(struct ratelimit *rl, const char *client, double now);
