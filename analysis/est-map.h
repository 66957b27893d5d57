/* est-map.h - interning of byte strings as dense ids 0, 1, 2, ... (an open-addressing hash). */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct est_map {
	size_t count;        /* ids handed out */
	size_t cap;          /* slots, a power of two */
	uint32_t *slots;     /* id + 1, 0 = empty */
	uint64_t *hashes;    /* per id */
	char **keys;         /* per id, NUL-terminated copies (keys may hold NULs: see lens) */
	size_t *lens;        /* per id */
	size_t idcap;
	size_t limit;        /* most ids accepted */
};

/* Initialises an empty map accepting at most limit keys (at most UINT32_MAX - 1). */
void est_map_init(struct est_map *m, size_t limit);
/* Frees the map; m may be NULL or zeroed. */
void est_map_done(struct est_map *m);
/* Returns the id of key (len bytes), adding it when new; -ENOMEM or -E2BIG (past the limit). */
long est_map_intern(struct est_map *m, const void *key, size_t len);
/* Returns the id of key, or -1 when absent. */
long est_map_find(const struct est_map *m, const void *key, size_t len);
/* The key of an id (NUL-terminated); *len (may be NULL) gets its length. */
const char *est_map_key(const struct est_map *m, size_t id, size_t *len);
