/* db-agencies.h - agencies (code, name, level, parent). */
#pragma once

#include <stddef.h>

#include "db.h"

struct db_agency {
	const char *code;
	const char *name;
	const char *level;     /* province, department, commune */
	const char *parent;    /* a code, or NULL / "" */
};

/* Upserts rows in one transaction, audited as actor: all or nothing. Parents may be other rows
 * of the same batch or agencies already stored. Returns the number of rows, or a negative errno
 * with *bad set to the failing row index (-ENOENT: unknown parent; -EINVAL: refused value). */
int db_agencies_upsert(struct db_conn *c, const struct db_agency *rows, size_t n, const char *actor,
		       size_t *bad);
/* Calls fn for every agency in code order; returns the count or a negative errno. */
int db_agencies_each(struct db_conn *c, int (*fn)(void *ud, const struct db_agency *a), void *ud);
