/* ratelimit.h - per-client request budget on public routes (token bucket). */
#pragma once

struct app;

/* Sets the budget: per_minute requests per client with a burst of per_minute / 2 + 1
 * (SIPAS_RATE_LIMIT, default 120; 0 turns the limit off). */
void ratelimit_configure(unsigned per_minute);
/* Takes one request from client's budget; returns 0 when allowed, else the seconds to wait
 * (for Retry-After). Thread-safe; memory is a fixed table. */
int ratelimit_check(struct app *app, const char *client);
