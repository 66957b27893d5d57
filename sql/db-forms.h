/* db-forms.h - form versions as loaded (the `forms` table). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "db.h"

enum {
	DB_FORM_NEW = 0,        /* stored for the first time */
	DB_FORM_SAME = 1,       /* already stored with the same content: nothing done */
	DB_FORM_UPDATED = 2,    /* a changed definition no round uses yet: replaced */
};

/* Registers form key/version with its definition and SHA-256. Returns DB_FORM_NEW,
 * DB_FORM_SAME or DB_FORM_UPDATED; -EBUSY when the stored definition differs and a round
 * uses it (that round's code in db_conn_error), or another negative errno. */
int db_form_register(struct db_conn *c, const char *key, int version, const char *title,
		     const char *definition, size_t len, const uint8_t sha[32]);
/* Finds form key at version (0 = the highest version). Returns the form's row id (> 0),
 * -ENOENT, or another negative errno. */
int db_form_find(struct db_conn *c, const char *key, int version);
