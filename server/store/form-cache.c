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
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *table[FORM_CACHE_SIZE];
static unsigned long long clock_tick;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void slot_free(struct slot *s)
{
	if (!s)
		return;
	form_free(s->e.form);
	free(s);
}

static void cache_clear(void)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < FORM_CACHE_SIZE; i++) {
		if (table[i] && table[i]->refs == 0)
			slot_free(table[i]);
		table[i] = NULL;
	}
	pthread_mutex_unlock(&lock);
}

static void cache_init(void)
{
	atexit(cache_clear);
}

/* Under the lock: the slot for code, or NULL. */
static struct slot *find(const char *code)
{
	size_t i;

	for (i = 0; i < FORM_CACHE_SIZE; i++)
		if (table[i] && strcmp(table[i]->e.survey.code, code) == 0)
			return table[i];
	return NULL;
}

/* Under the lock: puts s in a free place or in place of the least recently used idle slot;
 * leaves s uncached when every slot is busy. */
static void insert(struct slot *s)
{
	size_t i, victim = FORM_CACHE_SIZE;

	for (i = 0; i < FORM_CACHE_SIZE; i++) {
		if (!table[i]) {
			victim = i;
			break;
		}
		if (table[i]->refs == 0 && (victim == FORM_CACHE_SIZE || table[i]->used < table[victim]->used))
			victim = i;
	}
	if (victim == FORM_CACHE_SIZE)
		return;
	slot_free(table[victim]);
	table[victim] = s;
	s->cached = true;
}

static int load(struct db_conn *c, const char *code, struct slot **out)
{
	struct slot *s = NULL;
	char *def = NULL;
	size_t len = 0;
	int r;

	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
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

int form_cache_find(const char *code, const struct form_entry **out)
{
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find(code);
	if (s) {
		s->refs++;
		s->used = ++clock_tick;
	}
	pthread_mutex_unlock(&lock);
	if (!s)
		return -ENOENT;
	*out = &s->e;
	return 0;
}

int form_cache_get(struct db_conn *c, const char *code, const struct form_entry **out)
{
	struct slot *s, *fresh = NULL;
	int r;

	pthread_once(&once, cache_init);
	pthread_mutex_lock(&lock);
	s = find(code);
	if (s) {
		s->refs++;
		s->used = ++clock_tick;
		pthread_mutex_unlock(&lock);
		*out = &s->e;
		return 0;
	}
	pthread_mutex_unlock(&lock);

	if ((r = load(c, code, &fresh)) < 0)
		return r;

	pthread_mutex_lock(&lock);
	s = find(code);                 /* loaded meanwhile by another thread? */
	if (s) {
		slot_free(fresh);
	} else {
		s = fresh;
		insert(s);
	}
	s->refs++;
	s->used = ++clock_tick;
	pthread_mutex_unlock(&lock);
	*out = &s->e;
	return 0;
}

void form_cache_put(const struct form_entry *e)
{
	struct slot *s = (struct slot *)(void *)e;
	bool gone;

	if (!s)
		return;
	pthread_mutex_lock(&lock);
	s->refs--;
	gone = s->refs == 0 && !s->cached;
	pthread_mutex_unlock(&lock);
	if (gone)
		slot_free(s);
}
