/* test-db-pipeline.c - statements sent in pipeline mode (sql/db-conn.c), against the test
 * cluster (SIPAS_TEST_ADMIN_URL, set by scripts/test; skipped without it): every statement of
 * several batches runs, a failure in the middle is reported by db_pipeline_end with its
 * message, and the connection works normally after. A temporary table: nothing to clean up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "db-internal.h"
#include "test.h"

#define ROWS (2 * DB_PIPELINE_BATCH + 7)     /* two whole batches and part of a third */

static long long count(struct db_conn *c)
{
	PGresult *res = NULL;
	long long n = -1;

	if (db_exec(c, "SELECT count(*) FROM piped", 0, NULL, &res) == 0) {
		n = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	return n;
}

/* Inserts ids 0..ROWS-1 in one transaction through the pipeline, id dup twice when dup >= 0;
 * *sent is what the sending calls returned (the pipeline's failure so far: a batch was read),
 * the return value db_pipeline_end's. */
static int insert_all(struct db_conn *c, int dup, int *sent)
{
	char id[16];
	int i, e;

	*sent = 0;
	CHECK_OK(db_begin(c));
	CHECK_OK(db_pipeline_begin(c));
	CHECK_INT(db_pipeline_begin(c), -EALREADY);
	for (i = 0; i < ROWS && *sent == 0; i++) {
		snprintf(id, sizeof id, "%d", i == dup + 1 ? dup : i);
		*sent = db_exec(c, "INSERT INTO piped (id) VALUES ($1)", 1, (const char *[]){ id }, NULL);
	}
	e = db_pipeline_end(c);
	if (*sent < 0 || e < 0)
		db_rollback(c);
	else
		CHECK_OK(db_commit(c));
	return e;
}

int main(void)
{
	const char *url = getenv("SIPAS_TEST_ADMIN_URL");
	struct db_conn *c = NULL;
	PGresult *res = NULL;
	char err[256];
	int sent;

	if (!url || !*url)
		TEST_SKIP("SIPAS_TEST_ADMIN_URL is not set (run scripts/test)");
	if (db_connect(url, &c, err, sizeof err) < 0) {
		fprintf(stderr, "cannot connect: %s\n", err);
		return 1;
	}
	CHECK_OK(db_exec(c, "CREATE TEMP TABLE piped (id int PRIMARY KEY)", 0, NULL, NULL));

	CHECK_OK(insert_all(c, -1, &sent));          /* every statement ran */
	CHECK_INT(sent, 0);
	CHECK_INT(count(c), ROWS);
	CHECK_OK(db_exec(c, "TRUNCATE piped", 0, NULL, NULL));

	/* a duplicate in the second batch: the next sends fail once that batch is read */
	CHECK_INT(insert_all(c, DB_PIPELINE_BATCH + 3, &sent), -EEXIST);
	CHECK_INT(sent, -EEXIST);
	CHECK(strstr(db_conn_error(c), "piped_pkey") != NULL);
	CHECK_INT(count(c), 0);                      /* nothing kept; the connection answers as before */

	/* in the last, partial batch: only db_pipeline_end can tell */
	CHECK_INT(insert_all(c, ROWS - 3, &sent), -EEXIST);
	CHECK_INT(sent, 0);
	CHECK(strstr(db_conn_error(c), "piped_pkey") != NULL);
	CHECK_INT(count(c), 0);

	/* a statement that wants its result cannot be pipelined */
	CHECK_OK(db_pipeline_begin(c));
	CHECK_INT(db_exec(c, "SELECT 1", 0, NULL, &res), -EINVAL);
	CHECK_OK(db_pipeline_end(c));
	CHECK_OK(db_pipeline_end(c));                /* not in pipeline mode: nothing to do */
	CHECK_INT(count(c), 0);
	db_conn_close(c);
	TEST_DONE();
}
