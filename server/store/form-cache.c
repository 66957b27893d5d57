/* form-cache.c - a small table of rounds and their parsed forms, with reference counts so
 * that an entry in use is never freed under a reader. Loading happens outside the lock. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "form-cache.h"

struct slot {
	struct form_entry e;      /* first: form_cache_put casts back */
	unsigned refs;
	unsigned long long used;  /* last use, for replacement */
	bool cached;              /* in the table (else freed at the last put) */
	struct form_cache *fc;    /* the cache it belongs to */
};

struct form_cache {
	pthread_mutex_t lock;
	struct slot *table[FORM_CACHE_SIZE];
	unsigned long long clock_tick;
};

static void slot_free(struct slot *s)
{
	if (!s)
		return;
	form_free(s->e.form);
	free(s);
}

int form_cache_new(struct form_cache **out)
{
	struct form_cache *fc = calloc(1, sizeof *fc);

	if (!fc)
		return -ENOMEM;
	pthread_mutex_init(&fc->lock, NULL);
	*out = fc;
	return 0;
}

void form_cache_free(struct form_cache *fc)
{
	size_t i;

	if (!fc)
		return;
	for (i = 0; i < FORM_CACHE_SIZE; i++)
		slot_free(fc->table[i]);
	pthread_mutex_destroy(&fc->lock);
	free(fc);
}

/* Under the lock: the slot for code, or NULL. */
static struct slot *find(struct form_cache *fc, const char *code)
{
	size_t i;

	for (i = 0; i < FORM_CACHE_SIZE; i++)
		if (fc->table[i] && strcmp(fc->table[i]->e.survey.code, code) == 0)
			return fc->table[i];
	return NULL;
}

/* Under the lock: puts s in a free place or in place of the least recently used idle slot;
 * leaves s uncached when every slot is busy. */
static void insert(struct form_cache *fc, struct slot *s)
{
	size_t i, victim = FORM_CACHE_SIZE;

	for (i = 0; i < FORM_CACHE_SIZE; i++) {
		if (!fc->table[i]) {
			victim = i;
			break;
		}
		if (fc->table[i]->refs == 0 && (victim == FORM_CACHE_SIZE || fc->table[i]->used < fc->table[victim]->used))
			victim = i;
	}
	if (victim == FORM_CACHE_SIZE)
		return;
	slot_free(fc->table[victim]);
	fc->table[victim] = s;
	s->cached = true;
}

static int load(struct form_cache *fc, struct db_conn *c, const char *code, struct slot **out)
{
	struct slot *s = NULL;
	char *def = NULL;
	size_t len = 0;
	int r;

	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->fc = fc;
	if ((r = db_survey_get(c, code, &s->e.survey, &def, &len)) < 0)
		goto out;
	r = form_parse(def, len, &s->e.form, NULL);
	if (r < 0)
		r = r == -ENOMEM ? r : -EINVAL;
out:
	free(def);
	if (r < 0) {
		slot_free(s);
		return r;
	}
	*out = s;
	return 0;
}

int form_cache_find(struct form_cache *fc, const char *code, const struct form_entry **out)
{
	struct slot *s;

	pthread_mutex_lock(&fc->lock);
	s = find(fc, code);
	if (s) {
		s->refs++;
		s->used = ++fc->clock_tick;
	}
	pthread_mutex_unlock(&fc->lock);
	if (!s)
		return -ENOENT;
	*out = &s->e;
	return 0;
}

int form_cache_get(struct form_cache *fc, struct db_conn *c, const char *code, const struct form_entry **out)
{
	struct slot *s, *fresh = NULL;
	int r;

	pthread_mutex_lock(&fc->lock);
	s = find(fc, code);
	if (s) {
		s->refs++;
		s->used = ++fc->clock_tick;
		pthread_mutex_unlock(&fc->lock);
		*out = &s->e;
		return 0;
	}
	pthread_mutex_unlock(&fc->lock);

	if ((r = load(fc, c, code, &fresh)) < 0)
		return r;

	pthread_mutex_lock(&fc->lock);
	s = find(fc, code);                 /* loaded meanwhile by another thread? */
	if (s) {
		slot_free(fresh);
	} else {
		s = fresh;
		insert(fc, s);
	}
	s->refs++;
	s->used = ++fc->clock_tick;
	pthread_mutex_unlock(&fc->lock);
	*out = &s->e;
	return 0;
}

void form_cache_put(const struct form_entry *e)
{
	struct slot *s = (struct slot *)(void *)e;
	bool gone;

	if (!s)
		return;
	pthread_mutex_lock(&s->fc->lock);
	s->refs--;
	gone = s->refs == 0 && !s->cached;
	pthread_mutex_unlock(&s->fc->lock);
	if (gone)
		slot_free(s);
}
