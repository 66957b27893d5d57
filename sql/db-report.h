/* db-report.h - what the round's report reads besides the estimates: the period of its
 * responses and the invitations per agency (sent and used), for the response rate. */
#pragma once

#include "db.h"

#define DB_REPORT_DATE_LEN 11      /* "2026-03-31" and NUL */

/* The round's dates (ISO, in Vietnam's time zone): the first and the last response's submitted_at date ("" when
 * the round has none) and the day it was created. Returns 0, -ENOENT or a negative errno. */
int db_report_dates(struct db_conn *c, int survey_id, char first[DB_REPORT_DATE_LEN],
		    char last[DB_REPORT_DATE_LEN], char created[DB_REPORT_DATE_LEN]);
/* Calls fn per agency with invitations in the round: its code, invitations made and used, in
 * code order. Returns the count, fn's negative return, or a negative errno. */
int db_report_invites_each(struct db_conn *c, int survey_id,
			   int (*fn)(void *ud, const char *agency, long long invited, long long used), void *ud);
