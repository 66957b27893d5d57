/* db-migrate.c - applies sql/NNN_name.sql once each, in order, recorded with a checksum.
 *
 * All of it runs under a session advisory lock, so two `sipas migrate` at once are safe:
 * the second waits, then finds nothing left to do. An applied migration whose text changed
 * since is an error, as is a database that knows a migration this program does not. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "db-migrations.h"
#include "sha256.h"
#include "strbuf.h"

#define MIGRATE_LOCK_KEY "7378163501"   /* arbitrary, fixed: pg_advisory_lock key */
#define MIGRATION_MAX_BYTES (4u << 20)
#define MIGRATIONS_MAX 999

struct migration_set {
	struct db_migration list[MIGRATIONS_MAX];
	char *owned[MIGRATIONS_MAX];
	char names[MIGRATIONS_MAX][104];
	unsigned n;
};

static void migration_set_done(struct migration_set *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		free(s->owned[i]);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct db_migration *)a)->name, ((const struct db_migration *)b)->name);
}

static int valid_name(const char *n)
{
	size_t i, len = strlen(n);

	if (len < 9 || len > 100 || strcmp(n + len - 4, ".sql") || n[3] != '_')
		return 0;
	for (i = 0; i < 3; i++)
		if (n[i] < '0' || n[i] > '9')
			return 0;
	return 1;
}

/* Reads NNN_name.sql files from dir (SIPAS_MIGRATIONS_DIR): used by tests and development. */
static int migrations_from_dir(const char *dir, struct migration_set *s, char *errbuf, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d) {
		snprintf(errbuf, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	while ((e = readdir(d))) {
		char path[4096];
		struct strbuf sb;
		FILE *f;
		char buf[8192];
		size_t n;

		if (!valid_name(e->d_name))
			continue;
		if (s->n == MIGRATIONS_MAX) {
			snprintf(errbuf, errlen, "%s: too many migrations", dir);
			r = -E2BIG;
			goto out;
		}
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			r = -errno;
			goto out;
		}
		strbuf_init(&sb, MIGRATION_MAX_BYTES);
		while ((n = fread(buf, 1, sizeof buf, f)) > 0 && r == 0)
			r = strbuf_append(&sb, buf, n);
		fclose(f);
		if (r < 0) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(-r));
			strbuf_done(&sb);
			goto out;
		}
		memcpy(s->names[s->n], e->d_name, strlen(e->d_name) + 1);   /* valid_name: <= 100 bytes */
		s->list[s->n].version = atoi(e->d_name);
		s->list[s->n].name = s->names[s->n];
		s->list[s->n].len = sb.len;
		s->list[s->n].sql = s->owned[s->n] = strbuf_steal(&sb);
		if (!s->owned[s->n]) {
			r = -ENOMEM;
			goto out;
		}
		s->n++;
	}
	qsort(s->list, s->n, sizeof s->list[0], name_cmp);
out:
	closedir(d);
	return r;
}

static int record_table(struct db_conn *c)
{
	return db_exec(c,
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		" version integer PRIMARY KEY,"
		" name text NOT NULL,"
		" checksum text NOT NULL,"
		" applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL, NULL);
}

static int apply_one(struct db_conn *c, const struct db_migration *m, const char *sum,
		     char *errbuf, size_t errlen)
{
	char version[DB_INT_LEN];
	const char *params[3] = { version, m->name, sum };
	PGresult *res;
	int r;

	db_int_param(m->version, version);
	if ((r = db_begin(c)) < 0)
		goto fail;
	/* simple query protocol: a migration file may hold many statements */
	res = PQexec(c->pg, m->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = db_error(c, res);
		PQclear(res);
		db_rollback(c);
		goto fail;
	}
	PQclear(res);
	r = db_exec(c, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
		    3, params, NULL);
	if (r < 0) {
		db_rollback(c);
		goto fail;
	}
	if ((r = db_commit(c)) < 0)
		goto fail;
	return 0;
fail:
	snprintf(errbuf, errlen, "%s: %s", m->name, c->error);
	return r;
}

int db_migrate(struct db_conn *c, const char *dir, char *errbuf, size_t errlen)
{
	struct migration_set *dirset = NULL;   /* large: on the heap */
	const struct db_migration *list = db_migrations;
	unsigned n = db_nmigrations, i;
	PGresult *res = NULL;
	int r, applied = 0, locked = 0;

	errbuf[0] = '\0';
	if (dir && *dir) {
		if (!(dirset = calloc(1, sizeof *dirset))) {
			snprintf(errbuf, errlen, "out of memory");
			return -ENOMEM;
		}
		if ((r = migrations_from_dir(dir, dirset, errbuf, errlen)) < 0)
			goto out;
		list = dirset->list;
		n = dirset->n;
	}
	if ((r = db_exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0, NULL, NULL)) < 0)
		goto dberr;
	locked = 1;
	if ((r = record_table(c)) < 0)
		goto dberr;
	if ((r = db_exec(c, "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
			 0, NULL, &res)) < 0)
		goto dberr;

	/* every applied migration must be known and unchanged */
	for (i = 0; i < (unsigned)PQntuples(res); i++) {
		int v = atoi(PQgetvalue(res, (int)i, 0));
		const struct db_migration *m = NULL;
		uint8_t d[SHA256_LEN];
		char hex[65];
		unsigned j;

		for (j = 0; j < n; j++)
			if (list[j].version == v)
				m = &list[j];
		if (!m) {
			snprintf(errbuf, errlen, "the database has migration %s, which this program does not know"
				 " (is this an older sipas?)", PQgetvalue(res, (int)i, 1));
			r = -EBADMSG;
			goto out;
		}
		sha256_digest(m->sql, m->len, d);
		sha256_hex(d, hex);
		if (strcmp(hex, PQgetvalue(res, (int)i, 2)) != 0) {
			snprintf(errbuf, errlen, "%s was edited after it was applied (checksum %.12s, applied %.12s);"
				 " add a new migration instead", m->name, hex, PQgetvalue(res, (int)i, 2));
			r = -EBADMSG;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		const struct db_migration *m = &list[i];
		uint8_t d[SHA256_LEN];
		char hex[65];
		int done = 0, k;

		if (i > 0 && list[i - 1].version == m->version) {
			snprintf(errbuf, errlen, "%s: version %03d is used twice", m->name, m->version);
			r = -EINVAL;
			goto out;
		}
		for (k = 0; k < PQntuples(res); k++)
			if (atoi(PQgetvalue(res, k, 0)) == m->version)
				done = 1;
		if (done)
			continue;
		sha256_digest(m->sql, m->len, d);
		sha256_hex(d, hex);
		if ((r = apply_one(c, m, hex, errbuf, errlen)) < 0)
			goto out;
		applied++;
	}
	r = applied;
	goto out;
dberr:
	snprintf(errbuf, errlen, "%s", c->error);
out:
	PQclear(res);
	if (locked)
		db_exec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", 0, NULL, NULL);
	if (dirset)
		migration_set_done(dirset);
	free(dirset);
	return r;
}
