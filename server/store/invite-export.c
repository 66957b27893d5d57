/* invite-export.c - the invitations' mail-merge CSV (see invite-export.h). */
#include "invite-export.h"

#include <errno.h>
#include <string.h>

#include "csv.h"

int invite_base_url_check(const char *base)
{
	size_t i, n = strlen(base);

	if (n > INVITE_BASE_URL_MAX || (strncmp(base, "http://", 7) && strncmp(base, "https://", 8)))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (base[i] <= ' ' || base[i] >= 127 || strchr("\"'<>?#\\`", base[i]))
			return -EINVAL;
	return 0;
}

int invite_url(struct strbuf *sb, const char *base, const char *survey, const char *code)
{
	size_t n = strlen(base);

	while (n && base[n - 1] == '/')
		n--;
	strbuf_append(sb, base, n);
	return strbuf_printf(sb, "/s/%s?invite=%s", survey, code);
}

/* One formula-safe cell followed by sep. */
static int cell(struct strbuf *sb, const char *s, char sep)
{
	struct strbuf t;
	int r;

	if (s[0] && strchr("=+-@\t\r", s[0])) {
		strbuf_init(&t, 0);
		strbuf_putc(&t, '\'');
		strbuf_puts(&t, s);
		r = csv_write_field(sb, t.buf, t.len, ',');
		strbuf_done(&t);
	} else {
		r = csv_write_field(sb, s, strlen(s), ',');
	}
	return r < 0 ? r : strbuf_putc(sb, sep);
}

int invite_export_csv_row(struct strbuf *sb, const struct db_invite_row *row, const char *base,
			  const char *survey)
{
	struct strbuf url;
	int r;

	strbuf_init(&url, 0);
	invite_url(&url, base, survey, row->code);
	cell(sb, row->code, ',');
	cell(sb, row->agency, ',');
	cell(sb, row->agency_name, ',');
	cell(sb, row->dossier, ',');
	cell(sb, row->name, ',');
	cell(sb, row->phone, ',');
	cell(sb, row->email, ',');
	cell(sb, row->address, ',');
	cell(sb, strbuf_str(&url), ',');
	r = strbuf_puts(sb, row->used ? "true\r\n" : "false\r\n");
	strbuf_done(&url);
	return r;
}
