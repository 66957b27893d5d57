/* statfile.c - libreadstat behind statfile.h: .sav and .dta written row by row to a sink. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readstat.h>

#include "statfile.h"

#define DTA_VERSION         118    /* Stata 14 and later */
#define DTA_NAME_MAX        32     /* bytes of a Stata variable name */
#define NAME_MAX_BYTES      64     /* bytes of an SPSS variable name */
#define DTA_VAR_LABEL_MAX   80
#define SAV_VAR_LABEL_MAX   255
#define DTA_VALUE_LABEL_MAX 32000
#define SAV_VALUE_LABEL_MAX 120
#define DTA_FILE_LABEL_MAX  80
#define SAV_FILE_LABEL_MAX  64

struct statfile {
	readstat_writer_t *w;
	enum statfile_format fmt;
	size_t nvars;
	readstat_variable_t **vars;
	bool *numeric, *cut;          /* per variable: a number; cut to STATFILE_DTA_STR_MAX bytes */
	size_t *width;
	statfile_sink sink;
	void *ud;
	int sink_err;                 /* the sink's error, kept across readstat's return codes */
	char cutbuf[STATFILE_DTA_STR_MAX + 1];   /* a .dta string cut to Stata's str# limit */
	long nrows, done;
};

static ssize_t write_bytes(const void *data, size_t len, void *ctx)
{
	struct statfile *s = ctx;
	int r = s->sink(s->ud, data, len);

	if (r < 0) {
		s->sink_err = r;
		return -1;
	}
	return (ssize_t)len;
}

static int rs_errno(struct statfile *s, readstat_error_t e)
{
	if (e == READSTAT_OK)
		return 0;
	if (s->sink_err)
		return s->sink_err;
	return e == READSTAT_ERROR_MALLOC ? -ENOMEM : e == READSTAT_ERROR_WRITE ? -EIO : -EINVAL;
}

/* A copy of s cut to at most max bytes at a UTF-8 character boundary, in buf (max + 1 bytes). */
static const char *cut(const char *s, char *buf, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* The name of v in the format: '.' becomes '_' in .dta. Returns 0 or -EINVAL. */
static int var_name(enum statfile_format fmt, const char *in, char out[NAME_MAX_BYTES + 1])
{
	size_t i, n = strlen(in), max = fmt == STATFILE_DTA ? DTA_NAME_MAX : NAME_MAX_BYTES;

	if (n == 0 || n > max)
		return -EINVAL;
	for (i = 0; i < n; i++)
		out[i] = fmt == STATFILE_DTA && in[i] == '.' ? '_' : in[i];
	out[n] = '\0';
	return 0;
}

static int add_labels(struct statfile *s, readstat_variable_t *v, const char *name, const struct statfile_var *sv)
{
	readstat_label_set_t *ls;
	char buf[DTA_VALUE_LABEL_MAX + 1];
	size_t i, max = s->fmt == STATFILE_DTA ? DTA_VALUE_LABEL_MAX : SAV_VALUE_LABEL_MAX;

	ls = readstat_add_label_set(s->w, s->fmt == STATFILE_DTA ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE, name);
	if (!ls)
		return -ENOMEM;
	for (i = 0; i < sv->nlabels; i++) {
		const char *l = cut(sv->labels[i].label, buf, max);

		if (s->fmt == STATFILE_DTA)
			readstat_label_int32_value(ls, sv->labels[i].code, l);
		else
			readstat_label_double_value(ls, sv->labels[i].code, l);
	}
	readstat_variable_set_label_set(v, ls);
	return 0;
}

int statfile_begin(enum statfile_format fmt, const char *file_label, const struct statfile_var *vars,
		   size_t nvars, long nrows, statfile_sink sink, void *ud, struct statfile **out,
		   char *err, size_t errlen)
{
	struct statfile *s;
	char name[NAME_MAX_BYTES + 1], buf[SAV_VAR_LABEL_MAX + 1];
	size_t i, j;
	readstat_error_t e;
	int r = -ENOMEM;

	err[0] = '\0';
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->fmt = fmt;
	s->nvars = nvars;
	s->sink = sink;
	s->ud = ud;
	s->nrows = nrows;
	s->vars = calloc(nvars + 1, sizeof *s->vars);
	s->numeric = calloc(nvars + 1, sizeof *s->numeric);
	s->cut = calloc(nvars + 1, sizeof *s->cut);
	s->width = calloc(nvars + 1, sizeof *s->width);
	s->w = readstat_writer_init();
	if (!s->vars || !s->numeric || !s->cut || !s->width || !s->w)
		goto out;
	readstat_set_data_writer(s->w, write_bytes);
	if (fmt == STATFILE_DTA)
		readstat_writer_set_file_format_version(s->w, DTA_VERSION);
	if (file_label)
		readstat_writer_set_file_label(s->w, cut(file_label, buf,
							 fmt == STATFILE_DTA ? DTA_FILE_LABEL_MAX : SAV_FILE_LABEL_MAX));
	r = -EINVAL;
	for (i = 0; i < nvars; i++) {
		const struct statfile_var *sv = &vars[i];
		readstat_type_t type = READSTAT_TYPE_DOUBLE;
		size_t width = 0;

		if (var_name(fmt, sv->name, name) < 0) {
			snprintf(err, errlen, "variable name %.70s is not allowed in this format", sv->name);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (!strcasecmp(readstat_variable_get_name(s->vars[j]), name)) {
				snprintf(err, errlen, "variables %.70s and %.70s get the same name", vars[j].name, sv->name);
				goto out;
			}
		if (!sv->numeric) {
			width = sv->width ? sv->width : 1;
			type = READSTAT_TYPE_STRING;
			if (fmt == STATFILE_DTA && width > STATFILE_DTA_STR_MAX) {
				/* a strL would hold every value until the end (Stata puts them after
				 * the data): longer values are cut instead (docs/formats.md) */
				width = STATFILE_DTA_STR_MAX;
				s->cut[i] = true;
			} else if (fmt == STATFILE_SAV && width > STATFILE_SAV_STR_MAX) {
				snprintf(err, errlen, "variable %.70s is wider than %d bytes", sv->name, STATFILE_SAV_STR_MAX);
				goto out;
			}
		}
		s->numeric[i] = sv->numeric;
		s->width[i] = width;
		s->vars[i] = readstat_add_variable(s->w, name, type, width);
		if (!s->vars[i]) {
			r = -ENOMEM;
			goto out;
		}
		if (sv->label)
			readstat_variable_set_label(s->vars[i], cut(sv->label, buf,
								     fmt == STATFILE_DTA ? DTA_VAR_LABEL_MAX : SAV_VAR_LABEL_MAX));
		if (sv->numeric && sv->nlabels) {
			/* codes show as whole numbers */
			readstat_variable_set_format(s->vars[i], fmt == STATFILE_DTA ? "%8.0g" : "F8.0");
			if ((r = add_labels(s, s->vars[i], name, sv)) < 0)
				goto out;
		}
		r = -EINVAL;
	}
	e = fmt == STATFILE_DTA ? readstat_begin_writing_dta(s->w, s, nrows) : readstat_begin_writing_sav(s->w, s, nrows);
	if (e != READSTAT_OK) {
		r = rs_errno(s, e);
		snprintf(err, errlen, "%s", readstat_error_message(e));
		goto out;
	}
	*out = s;
	return 0;
out:
	statfile_free(s);
	return r;
}

int statfile_row(struct statfile *s, const char *const *values)
{
	readstat_error_t e;
	size_t i;

	if (s->done >= s->nrows)
		return -EINVAL;
	if ((e = readstat_begin_row(s->w)) != READSTAT_OK)
		return rs_errno(s, e);
	for (i = 0; i < s->nvars; i++) {
		const char *v = values[i];

		if (!v || (!s->numeric[i] && !*v)) {
			e = readstat_insert_missing_value(s->w, s->vars[i]);
		} else if (s->numeric[i]) {
			char *end;
			double d = strtod(v, &end);

			if (end == v || *end)
				return -EINVAL;
			e = readstat_insert_double_value(s->w, s->vars[i], d);
		} else {
			if (strlen(v) > s->width[i] && !s->cut[i])
				return -EINVAL;
			if (strlen(v) > s->width[i])
				v = cut(v, s->cutbuf, s->width[i]);
			e = readstat_insert_string_value(s->w, s->vars[i], v);
		}
		if (e != READSTAT_OK)
			return rs_errno(s, e);
	}
	if ((e = readstat_end_row(s->w)) != READSTAT_OK)
		return rs_errno(s, e);
	s->done++;
	return 0;
}

int statfile_end(struct statfile *s)
{
	if (s->done != s->nrows)
		return -EINVAL;
	return rs_errno(s, readstat_end_writing(s->w));
}

void statfile_free(struct statfile *s)
{
	if (!s)
		return;
	if (s->w)
		readstat_writer_free(s->w);
	free(s->vars);
	free(s->numeric);
	free(s->cut);
	free(s->width);
	free(s);
}
