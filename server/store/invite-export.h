/* invite-export.h - the invitations' mail-merge CSV (contract §6): what `sipas invites export`
 * and GET /api/v1/surveys/{survey}/invites.csv both write. */
#pragma once

#include "db-sample.h"
#include "strbuf.h"

#define INVITE_EXPORT_HEADER "code,agency,agency_name,dossier,name,phone,email,address,url,used\r\n"
#define INVITE_BASE_URL_MAX 200

/* Checks a base URL (http:// or https://, printable ASCII without quotes, spaces, '<', '>',
 * '?' or '#', at most INVITE_BASE_URL_MAX bytes). Returns 0 or -EINVAL. */
int invite_base_url_check(const char *base);
/* Appends BASE/s/SURVEY?invite=CODE (a trailing '/' of base dropped); returns 0 or a negative errno. */
int invite_url(struct strbuf *sb, const char *base, const char *survey, const char *code);
/* Appends one CSV row for row; cells that a spreadsheet would read as a formula (starting with
 * = + - @, a tab or a carriage return) get a leading apostrophe. Returns 0 or a negative errno. */
int invite_export_csv_row(struct strbuf *sb, const struct db_invite_row *row, const char *base,
			  const char *survey);
