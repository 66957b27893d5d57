/* est-map.c - string interning with open addressing and linear probing. */
#include "est-map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ull ^ len;   /* eight bytes a step, then a final mix */
	uint64_t w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	if (i < len) {
		w = 0;
		for (size_t k = len; k > i; k--)
			w = w << 8 | p[k - 1];
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

/* memcmp(a, b, n) == 0 without a call for the short keys of groups and strata. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	if (n > 32)
		return memcmp(a, b, n) == 0;
	for (; n >= 8; n -= 8, a += 8, b += 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return 0;
	}
	while (n--)
		if (a[n] != b[n])
			return 0;
	return 1;
}

void est_map_init(struct est_map *m, size_t limit)
{
	memset(m, 0, sizeof *m);
	m->limit = limit < UINT32_MAX - 1 ? limit : UINT32_MAX - 2;
}

void est_map_done(struct est_map *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->count; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->hashes);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static long probe(const struct est_map *m, const void *key, size_t len, uint64_t h, size_t *slot)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;

	for (;;) {
		uint32_t v = m->slots[i];

		if (v == 0) {
			*slot = i;
			return -1;
		}
		if (m->hashes[v - 1] == h && m->lens[v - 1] == len && same_bytes(m->keys[v - 1], key, len))
			return (long)(v - 1);
		i = (i + 1) & mask;
	}
}

static int grow(struct est_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64, i;
	uint32_t *ns = calloc(ncap, sizeof *ns);

	if (!ns)
		return -ENOMEM;
	for (i = 0; i < m->count; i++) {
		size_t j = (size_t)m->hashes[i] & (ncap - 1);

		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = (uint32_t)(i + 1);
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

long est_map_find(const struct est_map *m, const void *key, size_t len)
{
	size_t slot;

	if (!m->cap)
		return -1;
	return probe(m, key, len, hash_bytes(key, len), &slot);
}

long est_map_intern(struct est_map *m, const void *key, size_t len)
{
	uint64_t h = hash_bytes(key, len);
	size_t slot;
	long id;
	char *copy;
	int r;

	if (m->cap) {
		id = probe(m, key, len, h, &slot);
		if (id >= 0)
			return id;
	}
	if (m->count >= m->limit)
		return -E2BIG;
	if ((m->count + 1) * 4 > m->cap * 3) {   /* keep the load under 3/4 */
		if ((r = grow(m)) < 0)
			return r;
	}
	if (m->count == m->idcap) {
		size_t ncap = m->idcap ? m->idcap * 2 : 32;
		char **nk = realloc(m->keys, ncap * sizeof *nk);

		if (!nk)
			return -ENOMEM;
		m->keys = nk;
		size_t *nl = realloc(m->lens, ncap * sizeof *nl);
		if (!nl)
			return -ENOMEM;
		m->lens = nl;
		uint64_t *nh = realloc(m->hashes, ncap * sizeof *nh);
		if (!nh)
			return -ENOMEM;
		m->hashes = nh;
		m->idcap = ncap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, key, len);
	copy[len] = '\0';
	probe(m, key, len, h, &slot);
	m->keys[m->count] = copy;
	m->lens[m->count] = len;
	m->hashes[m->count] = h;
	m->slots[slot] = (uint32_t)(m->count + 1);
	return (long)m->count++;
}

const char *est_map_key(const struct est_map *m, size_t id, size_t *len)
{
	if (len)
		*len = m->lens[id];
	return m->keys[id];
}
