/* xlsx-cell.c - a cell's value as text: numbers, date serials, number formats, references. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtoa.h"
#include "xlsx-int.h"

void xlsx_fail(struct xlsx_error *err, const char *code, long row, size_t column,
	       const char *message, const char *message_vi)
{
	if (!err)
		return;
	err->code = code;
	err->row = row;
	err->column = column;
	snprintf(err->message, sizeof err->message, "%s", message);
	snprintf(err->message_vi, sizeof err->message_vi, "%s", message_vi);
}

void xlsx_column_name(size_t col, char out[8])
{
	char tmp[8];
	size_t n = 0, i;

	while (col > 0 && n < 7) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

size_t xlsx_ref_column(const char *ref, size_t max)
{
	size_t col = 0, i;

	for (i = 0; ref[i] >= 'A' && ref[i] <= 'Z'; i++) {
		col = col * 26 + (size_t)(ref[i] - 'A' + 1);
		if (col > max)
			return 0;
	}
	return col;
}

int xlsx_put_number(struct strbuf *sb, const char *v, size_t n)
{
	char tmp[64], back[DTOA_BUF];
	double x;
	char *end;
	size_t i;

	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof tmp)
		return -EINVAL;
	/* the common case, a small whole number, as written */
	for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (i == n && n <= 15 && (v[0] != '0' || n == 1))
		return strbuf_append(sb, v, n);
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	errno = 0;
	x = strtod(tmp, &end);
	if (*end || !isfinite(x))
		return -EINVAL;
	if (x == 0)
		return strbuf_putc(sb, '0');
	if (x == floor(x) && fabs(x) < 1e15)
		return strbuf_printf(sb, "%.0f", x);
	return strbuf_append(sb, back, dtoa_shortest(back, x));
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

int xlsx_put_date(struct strbuf *sb, double serial, bool date1904, bool with_time)
{
	long long days, secs, y;
	unsigned m, d;
	double whole;

	if (!isfinite(serial) || serial < (date1904 ? 0 : 1) || serial >= (date1904 ? 2957004 : 2958466))
		return -EINVAL;
	whole = floor(serial);
	days = (long long)whole;
	secs = llround((serial - whole) * 86400.0);
	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	if (date1904)
		days -= 24107;            /* 1904-01-01 */
	else if (days == 60)
		return -EINVAL;           /* 1900-02-29, which Lotus 1-2-3 and Excel count but never was */
	else
		days -= days < 60 ? 25568 : 25569;   /* 1899-12-31, or 1899-12-30 past the false leap day */
	civil(days, &y, &m, &d);
	if (y > 9999)
		return -EINVAL;
	if (!with_time && secs == 0)
		return strbuf_printf(sb, "%04lld-%02u-%02u", y, m, d);
	return strbuf_printf(sb, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", y, m, d, secs / 3600, secs / 60 % 60,
			     secs % 60);
}

static int hex4(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
			      c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1000);
	}
	return v < 0 ? -1 : v;
}

void xlsx_unescape(struct strbuf *sb, size_t from)
{
	char *p = sb->buf, *w;
	size_t i, n = sb->len;
	int cp;

	if (!p || n < from + 7 || !memchr(p + from, '_', n - from))
		return;
	for (w = p + from, i = from; i < n;) {
		if (p[i] == '_' && i + 7 <= n && p[i + 1] == 'x' && p[i + 6] == '_' && (cp = hex4(p + i + 2)) > 0 &&
		    (cp < 0xD800 || cp > 0xDFFF)) {
			if (cp < 0x80) {
				*w++ = (char)cp;
			} else if (cp < 0x800) {
				*w++ = (char)(0xC0 | cp >> 6);
				*w++ = (char)(0x80 | (cp & 0x3F));
			} else {
				*w++ = (char)(0xE0 | cp >> 12);
				*w++ = (char)(0x80 | (cp >> 6 & 0x3F));
				*w++ = (char)(0x80 | (cp & 0x3F));
			}
			i += 7;
		} else {
			*w++ = p[i++];
		}
	}
	sb->len = (size_t)(w - p);
	p[sb->len] = '\0';
}

int xlsx_format_kind(int id, const char *code)
{
	bool date = false, time = false;
	const char *s;

	if ((id >= 14 && id <= 17) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
		return 1;
	if (id == 22)
		return 2;
	if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
		return 3;
	if (!code)
		return 0;
	for (s = code; *s; s++) {
		switch (*s) {
		case '"':
			for (s++; *s && *s != '"'; s++)
				;
			if (!*s)
				return date ? (time ? 2 : 1) : time ? 3 : 0;
			break;
		case '[':
			/* [h], [mm], [ss]: elapsed time; [$-409], [Red], [>100]: not ours */
			if (s[1] == 'h' || s[1] == 'H' || s[1] == 'm' || s[1] == 'M' || s[1] == 's' || s[1] == 'S')
				time = true;
			for (s++; *s && *s != ']'; s++)
				;
			if (!*s)
				return date ? (time ? 2 : 1) : time ? 3 : 0;
			break;
		case '\\': case '_': case '*':
			if (s[1])
				s++;
			break;
		default:
			switch (tolower((unsigned char)*s)) {
			case 'd': case 'y': date = true; break;
			case 'h': case 's': time = true; break;
			case 'e':
				/* "General" and scientific "0.00E+00" have an e; a date code's era (e) stands
				 * with y or d, which decide */
				break;
			}
		}
	}
	return date ? (time ? 2 : 1) : time ? 3 : 0;
}
