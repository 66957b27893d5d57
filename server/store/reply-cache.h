/* reply-cache.h - computed replies (estimates, comparisons) kept in memory, keyed by round,
 * request and the version of the round's kept aggregates, so that a hit is exactly what a
 * computation would give. At most REPLY_CACHE_SIZE replies of REPLY_CACHE_MAX_BYTES each;
 * the least recently used one goes first. Thread-safe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define REPLY_CACHE_SIZE 32
#define REPLY_CACHE_MAX_BYTES (8u << 20)
#define REPLY_CACHE_VERSION_MAX 160

struct reply_cache;
struct strbuf;

/* Makes an empty cache. Returns 0 and *out (reply_cache_free), or -ENOMEM. */
int reply_cache_new(struct reply_cache **out);
/* Frees rc and every reply kept; NULL is fine. */
void reply_cache_free(struct reply_cache *rc);
/* Copies the reply kept for (survey_id, key, version) into out: its gzip coding when gzip is
 * true and one is kept (*gzipped tells). Returns 1 on a hit, 0 on a miss, or -ENOMEM. */
int reply_cache_get(struct reply_cache *rc, int survey_id, const char *key, const char *version, bool gzip,
		    struct strbuf *out, bool *gzipped);
/* Keeps a copy of body for (survey_id, key, version), and its gzip coding when it is at least
 * REPLY_CACHE_GZIP_MIN bytes, replacing an older version of the same reply. A body over
 * REPLY_CACHE_MAX_BYTES, or no memory, keeps nothing. */
#define REPLY_CACHE_GZIP_MIN 1024
void reply_cache_put(struct reply_cache *rc, int survey_id, const char *key, const char *version,
		     const char *body, size_t len);
