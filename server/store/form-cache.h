/* form-cache.h - survey rounds with their parsed forms, loaded on first use.
 *
 * A round's form never changes once a round uses it (sipas forms load refuses), so an
 * entry stays valid; only whether the round is open can change, and that is checked in
 * the database where it matters (the insert). Thread-safe; at most FORM_CACHE_SIZE entries,
 * the least recently used one with no reader is replaced. */
#pragma once

#include "db-surveys.h"
#include "form.h"

#define FORM_CACHE_SIZE 64

struct db_conn;
struct form_cache;

struct form_entry {
	struct db_survey survey;     /* as read when loaded */
	struct form *form;
};

/* Makes an empty cache. Returns 0 and *out (form_cache_free), or -ENOMEM. */
int form_cache_new(struct form_cache **out);
/* Frees fc and its entries (none may be in use any more); NULL is fine. */
void form_cache_free(struct form_cache *fc);
/* Finds round code, loading it with c on a miss. Returns 0 and *out (give it back with
 * form_cache_put), -ENOENT for no such round, -EINVAL when the stored form no longer
 * parses, or another negative errno. */
int form_cache_get(struct form_cache *fc, struct db_conn *c, const char *code, const struct form_entry **out);
/* As form_cache_get for a round already loaded, with no database: returns 0 and *out, or
 * -ENOENT when it is not in the cache. */
int form_cache_find(struct form_cache *fc, const char *code, const struct form_entry **out);
/* Gives an entry back; e may be NULL. */
void form_cache_put(const struct form_entry *e);
