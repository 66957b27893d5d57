/* upload.c - the paper-upload pipeline: hash, read (CSV, or a workbook's rows) and check
 * (respcsv), check agencies, COPY, and fold the rows into the kept aggregates in the same pass
 * and transaction (est_fold_in), so the estimates count them the moment the upload commits. */
#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "csv.h"
#include "db.h"
#include "db-uploads.h"
#include "db-estimates.h"
#include "est-fold.h"
#include "form.h"
#include "respcsv.h"
#include "sha256.h"
#include "strbuf.h"
#include "upload.h"
#include "xlsx.h"

/* A row waiting for the raw reader to write it to failed_rows, with its messages. */
struct pending {
	long row;
	struct strbuf why;
	struct pending *next;
};

/* An agency a row may name. */
struct agency {
	char code[UPLOAD_CODE_MAX];
	int id;
};

struct upload {
	struct upload_opts o;
	struct db_conn *c;
	struct db_upload *db;         /* the COPY in progress */
	struct respcsv *rc;
	struct sha256 hash;
	struct upload_result res;
	struct upload_error *errors;  /* UPLOAD_MAX_ERRORS */
	struct agency *agencies;      /* the round's agencies, sorted by code */
	size_t nagencies;
	size_t cap_agencies;
	int16_t *codes;               /* form->nslots, for a row going to COPY */
	struct fold fold;             /* the rows, folded as they are read */
	struct est_error fold_err;
	bool fold_refused;            /* the estimator refused a row (say, weights given to some rows
	                               * of a stratum only): the rows are queued for the fold instead,
	                               * and the analysts hear the estimator's reason */
	struct csv_reader *head_reader;   /* reads the header line only: where the agency column is */
	long agency_col;              /* -1 until known, or when absent */
	bool row_agency_faulted;      /* the reader faulted the agency of the row being reported */
	int fatal;                    /* a negative errno that stopped the upload */
	bool finished;

	/* failed_rows: a second, raw reading of the same bytes (a workbook's rows are written as
	 * they are checked) */
	struct csv_reader *raw;
	FILE *spool;                  /* a copy of the bytes, to find rows only the database faults;
	                               * a workbook is read from it */
	struct pending *head, *tail;
	bool header_written;
};

/* ---- errors ---- */

static bool is_sheet(const struct upload *u)
{
	return u->o.format == UPLOAD_XLSX;
}

static void sheet_limits(struct xlsx_limits *l)
{
	memset(l, 0, sizeof *l);        /* csv.h's cell and row limits, xlsx.h's others */
	l->max_file_bytes = UPLOAD_XLSX_MAX_BYTES;
}

/* The row an error names: a workbook's errors name the sheet's rows (header = 1). */
static long shown_row(const struct upload *u, long row)
{
	return is_sheet(u) && row > 0 ? row + 1 : row;
}

static void error_keep(struct upload *u, long row, const char *column, const char *code,
		       const char *message, const char *message_vi)
{
	struct upload_error *e;

	u->res.errors_total++;
	if (u->res.nerrors >= UPLOAD_MAX_ERRORS)
		return;
	e = &u->errors[u->res.nerrors++];
	e->row = row;
	snprintf(e->column, sizeof e->column, "%s", column ? column : "");
	snprintf(e->code, sizeof e->code, "%s", code);
	snprintf(e->message, sizeof e->message, "%s", message);
	snprintf(e->message_vi, sizeof e->message_vi, "%s", message_vi);
}

/* Queues row's message for the failing-rows file (rows arrive in order). */
static int pending_add(struct upload *u, long row, const char *column, const char *message_vi)
{
	struct pending *p = u->tail;

	if (!u->o.failed_rows)
		return 0;
	if (!p || p->row != row) {
		p = calloc(1, sizeof *p);
		if (!p)
			return -ENOMEM;
		p->row = row;
		strbuf_init(&p->why, 4096);
		if (u->tail)
			u->tail->next = p;
		else
			u->head = p;
		u->tail = p;
	} else {
		strbuf_puts(&p->why, "; ");
	}
	if (column && *column)
		strbuf_printf(&p->why, "%s: ", column);
	strbuf_puts(&p->why, message_vi);
	return 0;
}

static void pending_pop(struct upload *u)
{
	struct pending *p = u->head;

	u->head = p->next;
	if (!u->head)
		u->tail = NULL;
	strbuf_done(&p->why);
	free(p);
}

static int record_error(struct upload *u, long row, const char *column, const char *code,
			const char *message, const char *message_vi)
{
	error_keep(u, shown_row(u, row), column, code, message, message_vi);
	return pending_add(u, row, column, message_vi);
}

/* ---- the raw reader: failing rows with an `error` column ---- */

/* True for a plain decimal number (a sign, digits, a point, an exponent), which a spreadsheet
 * reads as that number and never as a formula. */
static bool plain_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < n && isdigit((unsigned char)s[i]); i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && isdigit((unsigned char)s[i]); i++)
			digits++;
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;

		if (++i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			e++;
		if (!e)
			return false;
	}
	return i == n;
}

/* One echoed cell: formula-safe (csv_write_text, docs/formats.md) unless a plain number. */
static int echo_cell(struct strbuf *sb, const char *s, size_t n, char sep)
{
	return plain_number(s, n) ? csv_write_field(sb, s, n, sep) : csv_write_text(sb, s, n, sep);
}

static int write_record(struct upload *u, const struct csv_record *rec, const char *why)
{
	struct strbuf sb;
	char sep = u->raw ? csv_reader_separator(u->raw) : ',';
	size_t i;
	int r = 0;

	if (!sep)
		sep = ',';
	strbuf_init(&sb, 0);
	for (i = 0; i < rec->nfields; i++) {
		if (i)
			strbuf_putc(&sb, sep);
		echo_cell(&sb, rec->fields[i], rec->lens[i], sep);
	}
	strbuf_putc(&sb, sep);
	csv_write_text(&sb, why, strlen(why), sep);
	if (strbuf_puts(&sb, "\r\n") < 0 || fwrite(sb.buf, 1, sb.len, u->o.failed_rows) != sb.len)
		r = -EIO;
	strbuf_done(&sb);
	return r;
}

static int on_raw(void *ud, const struct csv_record *rec)
{
	struct upload *u = ud;

	if (rec->row == 0) {
		if (u->header_written)
			return 0;         /* the second reading */
		u->header_written = true;
		fputs("\xEF\xBB\xBF", u->o.failed_rows);     /* spreadsheets read UTF-8 with a BOM */
		return write_record(u, rec, "error");
	}
	if (u->head && u->head->row == 0)
		return 0;            /* a fault of the header: nothing after it was read */
	while (u->head && u->head->row < rec->row)
		pending_pop(u);      /* rows the raw reader skipped (blank) */
	if (!u->head || u->head->row != rec->row)
		return 0;
	{
		int r = write_record(u, rec, strbuf_str(&u->head->why));

		pending_pop(u);
		return r;
	}
}

/* Reads the spooled copy again for the rows faulted after the first reading (serials the
 * database holds already), writing them with their messages. */
static void raw_replay(struct upload *u)
{
	struct csv_limits lim = { 0 };
	char buf[65536];
	size_t n;

	if (!u->spool || !u->head || u->head->row == 0)
		return;
	if (is_sheet(u)) {
		struct xlsx_limits xl;

		sheet_limits(&xl);
		xlsx_read(fileno(u->spool), &xl, on_raw, u, NULL);
		return;
	}
	csv_reader_free(u->raw);
	if (!(u->raw = csv_reader_new(&lim, on_raw, u)))
		return;
	rewind(u->spool);
	while ((n = fread(buf, 1, sizeof buf, u->spool)) > 0)
		if (csv_reader_feed(u->raw, buf, n) < 0)
			break;
	csv_reader_finish(u->raw);
}

/* Writes what is left (faults of the header or of the file) as lines of their own. */
static void raw_leftovers(struct upload *u)
{
	static const char *const none[1] = { "" }, *const rowcol[1] = { "row" };
	static const size_t zero[1] = { 0 }, three[1] = { 3 };
	struct csv_record rec = { .nfields = 1, .fields = none, .lens = zero };
	struct csv_record hdr = { .nfields = 1, .fields = rowcol, .lens = three };

	while (u->head) {
		if (!u->header_written) {
			u->header_written = true;
			fputs("\xEF\xBB\xBF", u->o.failed_rows);
			write_record(u, &hdr, "error");
		}
		write_record(u, &rec, strbuf_str(&u->head->why));
		pending_pop(u);
	}
}

/* ---- rows ---- */

static int agency_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int agency_add(void *ud, int id, const char *code)
{
	struct upload *u = ud;

	if (u->nagencies == u->cap_agencies) {
		size_t cap = u->cap_agencies ? 2 * u->cap_agencies : 256;
		void *p = realloc(u->agencies, cap * sizeof *u->agencies);

		if (!p)
			return -ENOMEM;
		u->agencies = p;
		u->cap_agencies = cap;
	}
	snprintf(u->agencies[u->nagencies].code, UPLOAD_CODE_MAX, "%s", code);
	u->agencies[u->nagencies++].id = id;
	return 0;
}

static bool in_scope(const struct upload *u, const char *agency)
{
	size_t i;

	if (!u->o.restricted)
		return true;
	for (i = 0; i < u->o.nagencies; i++)
		if (!strcmp(u->o.agencies[i], agency))
			return true;
	return false;
}

/* Checks a row's agency against the round and the caller's scope; records the error and
 * returns 1 when it is refused, 0 when it may be stored, or a negative errno. */
static int agency_check(struct upload *u, long row, const char *agency, int *id)
{
	const struct agency *a = bsearch(agency, u->agencies, u->nagencies, sizeof *u->agencies, agency_cmp);
	char en[320], vi[320];
	int r;

	if (!a) {
		snprintf(en, sizeof en, "agency '%s' is not an agency of this survey round", agency);
		snprintf(vi, sizeof vi, "Mã cơ quan '%s' không thuộc đợt khảo sát này", agency);
		r = record_error(u, row, "agency", "unknown_agency", en, vi);
	} else if (!in_scope(u, agency)) {
		snprintf(en, sizeof en, "this token may not upload results of agency '%s'", agency);
		snprintf(vi, sizeof vi, "Mã truy cập này không được tải lên kết quả của cơ quan '%s'", agency);
		r = record_error(u, row, "agency", "forbidden_agency", en, vi);
	} else {
		*id = a->id;
		return 0;
	}
	return r < 0 ? r : 1;
}

static int on_row(void *ud, const struct respcsv_row *row)
{
	struct upload *u = ud;
	struct db_upload_row d;
	struct db_est_row er;
	size_t i;
	int r, agency_id = 0;

	if ((r = agency_check(u, row->row, row->agency, &agency_id)) != 0)
		return r < 0 ? r : 0;
	for (i = 0; i < u->o.form->nslots; i++)
		u->codes[i] = row->codes[i];
	if (!u->o.dry_run && u->res.errors_total == 0 && !u->fold_refused) {
		/* as the fold reads a stored row (an upload with an error stores nothing) */
		er = (struct db_est_row){ 0, agency_id, row->stratum, row->psu, row->weight, row->fpc, row->channel,
					  u->codes };
		if ((r = est_fold_row(&u->fold, &er)) == -EINVAL)
			u->fold_refused = true;
		else if (r < 0)
			return r;
	}
	memset(&d, 0, sizeof d);
	d.row = row->row;
	d.serial = row->serial;
	d.agency_id = agency_id;
	d.channel = row->channel;
	d.stratum = row->stratum;
	d.psu = row->psu;
	d.weight = isnan(row->weight) ? 0 : row->weight;
	d.fpc = isnan(row->fpc) ? 0 : row->fpc;
	d.submitted_at = row->submitted_at;
	d.codes = u->codes;
	d.ncodes = u->o.form->nslots;
	d.answers = row->answers_json;
	d.answers_len = row->answers_json_len;
	return db_upload_put(u->db, &d);
}

static int on_error(void *ud, const struct respcsv_error *e)
{
	struct upload *u = ud;
	const struct csv_record *raw = e->raw;
	int r;

	if (e->row == 0 && raw && is_sheet(u)) {
		/* a fault of the header: row 1 of the sheet */
		error_keep(u, 1, e->column, e->code, e->message, e->message_vi);
		r = pending_add(u, 0, e->column, e->message_vi);
	} else {
		r = record_error(u, e->row, e->column, e->code, e->message, e->message_vi);
	}
	if (r < 0)
		return r;
	/* a row refused for its answers: its agency is checked too, so that the team sees every
	 * fault of the row at once */
	if (e->index == 0)
		u->row_agency_faulted = false;
	if (!strcmp(e->column, "agency"))
		u->row_agency_faulted = true;
	if (e->row > 0 && raw && e->index + 1 == e->count && !u->row_agency_faulted && u->agency_col >= 0 &&
	    (size_t)u->agency_col < raw->nfields && *raw->fields[u->agency_col])
		return agency_check(u, e->row, raw->fields[u->agency_col], &(int){ 0 }) < 0 ? -ENOMEM : 0;
	return 0;
}

/* The header line: where the agency column is; then this reader stops. */
static int on_head(void *ud, const struct csv_record *rec)
{
	struct upload *u = ud;
	size_t i;

	for (i = 0; i < rec->nfields; i++)
		if (!strcmp(rec->fields[i], "agency"))
			u->agency_col = (long)i;
	return -ECANCELED;
}

/* ---- the pipeline ---- */

/* What the upload records (the file's hash and rows once known). */
static void upload_meta(const struct upload *u, struct db_upload_meta *m)
{
	memset(m, 0, sizeof *m);
	m->survey_id = u->o.survey_id;
	m->token_id = u->o.token_id;
	m->actor = u->o.actor;
	m->file_name = u->o.file_name;
	memcpy(m->sha256, u->res.sha256, 32);
	m->rows = u->res.rows;
}

/* db_upload_finish's last step before COMMIT: the rows into the kept aggregates. */
static int fold_in(void *ud, struct db_conn *c, long long upload_id)
{
	struct upload *u = ud;

	if (u->fold_refused)
		return db_est_queue_upload(c, u->o.survey_id, upload_id);
	return est_fold_in(&u->fold, c, upload_id);
}

int upload_new(struct db_conn *c, const struct upload_opts *o, struct upload **out)
{
	struct respcsv_options ro = { 0 };
	struct db_upload_meta m;
	struct upload *u;
	int r;

	u = calloc(1, sizeof *u);
	if (!u)
		return -ENOMEM;
	u->o = *o;
	u->c = c;
	sha256_init(&u->hash);
	u->errors = calloc(UPLOAD_MAX_ERRORS, sizeof *u->errors);
	u->codes = calloc(o->form->nslots + 1, sizeof *u->codes);
	ro.default_channel = form_channels[FORM_CHANNEL_DEFAULT].code;
	ro.require_serial = true;
	ro.want_json = true;
	ro.json_uncoded = true;
	ro.row_offset = o->format == UPLOAD_XLSX;     /* messages name the sheet's rows */
	u->rc = respcsv_new(o->form, &ro, on_row, on_error, u);
	if (is_sheet(u))
		u->spool = tmpfile();
	else if (o->failed_rows) {
		u->raw = csv_reader_new(&ro.csv, on_raw, u);
		u->spool = tmpfile();
	}
	r = -ENOMEM;
	if (!u->errors || !u->codes || !u->rc || ((o->failed_rows || is_sheet(u)) && !u->spool) ||
	    (o->failed_rows && !is_sheet(u) && !u->raw))
		goto fail;
	u->res.errors = u->errors;
	u->agency_col = -1;
	if (!is_sheet(u) && !(u->head_reader = csv_reader_new(&ro.csv, on_head, u)))
		goto fail;
	if ((r = db_upload_agencies(c, o->survey_id, agency_add, u)) < 0)
		goto fail;
	qsort(u->agencies, u->nagencies, sizeof *u->agencies, agency_cmp);
	if ((r = est_fold_init(&u->fold, NULL, o->form, o->survey_id, &u->fold_err)) < 0)
		goto fail;
	upload_meta(u, &m);
	if ((r = db_upload_begin(c, &m, o->dry_run, &u->db)) < 0)
		goto fail;
	*out = u;
	return 0;
fail:
	upload_free(u);
	return r;
}

/* Records the fault that stopped the reader (encoding, header, limits) unless on_error did. */
static void reader_stopped(struct upload *u, int r)
{
	struct respcsv_stats st;

	respcsv_get_stats(u->rc, &st);
	if (r == -EINVAL || r == -E2BIG) {
		if (u->res.errors_total == 0)
			record_error(u, st.rows, "", r == -E2BIG ? "too_large" : "invalid_file",
				     "the file could not be read", "Không đọc được tệp");
		return;
	}
	u->fatal = r;
}

int upload_feed(struct upload *u, const void *data, size_t len)
{
	int r;

	if (u->fatal)
		return u->fatal;
	sha256_update(&u->hash, data, len);
	u->res.bytes += len;
	if (is_sheet(u)) {
		/* kept whole: a zip is read from its end, in upload_finish */
		if (u->res.bytes > UPLOAD_XLSX_MAX_BYTES)
			return u->fatal = -E2BIG;
		if (fwrite(data, 1, len, u->spool) != len)
			return u->fatal = -ENOSPC;
		return 0;
	}
	if (u->head_reader && csv_reader_feed(u->head_reader, data, len) < 0) {
		csv_reader_free(u->head_reader);     /* the header is read (or unreadable) */
		u->head_reader = NULL;
	}
	r = respcsv_feed(u->rc, data, len);
	if (r < 0 && r != -EINVAL && r != -E2BIG) {
		u->fatal = r;
		return r;
	}
	if (u->raw) {
		csv_reader_feed(u->raw, data, len);
		if (fwrite(data, 1, len, u->spool) != len)
			return u->fatal = -ENOSPC;
	}
	return 0;
}

static int on_conflict(void *ud, long row, const char *serial, long long earlier)
{
	struct upload *u = ud;
	char en[320], vi[320];

	if (earlier > 0) {
		snprintf(en, sizeof en, "serial '%s' is stored already (upload %lld)", serial, earlier);
		snprintf(vi, sizeof vi, "Số phiếu '%s' đã có trong dữ liệu (lần tải lên %lld)", serial, earlier);
	} else {
		snprintf(en, sizeof en, "serial '%s' is stored already", serial);
		snprintf(vi, sizeof vi, "Số phiếu '%s' đã có trong dữ liệu", serial);
	}
	return record_error(u, row, "serial", "duplicate_serial", en, vi);
}

/* ---- a workbook ---- */

/* A row of the sheet: the header says where the agency is; the row is checked, then written
 * to failed_rows when it failed. */
static int on_sheet_row(void *ud, const struct csv_record *rec)
{
	struct upload *u = ud;
	int r, w = 0;

	if (rec->row == 0)
		on_head(u, rec);
	r = respcsv_feed_record(u->rc, rec);
	if (u->o.failed_rows && (r >= 0 || r == -EINVAL || r == -E2BIG))
		w = on_raw(u, rec);
	return r < 0 ? r : w;
}

/* Reads the spooled workbook's first sheet through the reader. Returns 0; 1 when it recorded a
 * fault of the workbook (not a zip, a bomb, a bad cell...); as respcsv_feed when the reader
 * stopped (it recorded why); another negative errno. */
static int sheet_read(struct upload *u)
{
	struct xlsx_limits lim;
	struct xlsx_error xe;
	int r;

	if (fflush(u->spool) != 0)
		return -EIO;
	sheet_limits(&lim);
	r = xlsx_read(fileno(u->spool), &lim, on_sheet_row, u, &xe);
	if (r == 0 || (r != -EINVAL && r != -E2BIG) || (xe.code && !strcmp(xe.code, "stopped")))
		return r;
	error_keep(u, xe.row, xe.column_name, xe.code, xe.message, xe.message_vi);
	r = pending_add(u, xe.row > 0 ? xe.row - 1 : 0, xe.column_name, xe.message_vi);
	return r < 0 ? r : 1;
}

static int error_row_cmp(const void *a, const void *b)
{
	const struct upload_error *x = a, *y = b;

	return (x->row > y->row) - (x->row < y->row);
}

int upload_finish(struct upload *u)
{
	struct db_upload_meta m;
	struct respcsv_stats st;
	size_t nconflicts = 0, before;
	int r;

	if (u->fatal)
		return u->fatal;
	if (u->finished)
		return -EALREADY;
	u->finished = true;
	r = is_sheet(u) ? sheet_read(u) : 0;
	if (r == 1)
		r = -EINVAL;                 /* a fault of the workbook, recorded */
	else if (r == 0 || r == -EINVAL || r == -E2BIG)
		r = respcsv_finish(u->rc);
	if (r < 0 && r != -EINVAL && r != -E2BIG)
		return u->fatal = r;
	if (r < 0)
		reader_stopped(u, r);
	respcsv_get_stats(u->rc, &st);
	u->res.rows = st.rows;
	sha256_final(&u->hash, u->res.sha256);
	if (u->raw)
		csv_reader_finish(u->raw);
	if (r == 0 && u->res.errors_total == 0 && st.rows == 0)
		record_error(u, 0, "", "empty", "the file has no data rows", "Tệp không có dòng dữ liệu nào");
	/* the reader is done: its serials go before the fold's cells are written (peak memory) */
	respcsv_free(u->rc);
	u->rc = NULL;

	upload_meta(u, &m);
	before = u->res.nerrors;
	r = db_upload_finish(u->db, &m, !u->o.dry_run && u->res.errors_total == 0, on_conflict, u,
			     UPLOAD_MAX_ERRORS, fold_in, u, &u->res.earlier_upload, &nconflicts, &u->res.upload_id);
	if (r == -EINVAL && nconflicts > 0) {
		/* conflicts were reported as calls; count the ones not kept, then merge by row */
		u->res.errors_total += nconflicts - (u->res.nerrors - before);
		qsort(u->errors, u->res.nerrors, sizeof *u->errors, error_row_cmp);
	} else if (r == -EINVAL) {
		/* the database refused a value that the reader let through */
		char vi[320];

		snprintf(vi, sizeof vi, "Cơ sở dữ liệu từ chối một giá trị trong tệp: %s", db_conn_error(u->c));
		record_error(u, 0, "", "rejected", db_conn_error(u->c), vi);
	} else if (r == -EEXIST && u->res.errors_total == 0) {
		return r;
	} else if (r < 0) {
		return u->fatal = r;
	}
	if (u->o.failed_rows) {
		raw_replay(u);
		raw_leftovers(u);
	}
	return u->res.errors_total > 0 ? -EINVAL : 0;
}

const struct upload_result *upload_result(const struct upload *u)
{
	return &u->res;
}

void upload_free(struct upload *u)
{
	if (!u)
		return;
	db_upload_free(u->db);
	respcsv_free(u->rc);
	csv_reader_free(u->raw);
	csv_reader_free(u->head_reader);
	if (u->spool)
		fclose(u->spool);
	while (u->head)
		pending_pop(u);
	est_fold_done(&u->fold);
	free(u->agencies);
	free(u->codes);
	free(u->errors);
	free(u);
	/* the upload's tens of MB (the reader's serials, the fold's scratch) go back to the system:
	 * else a server keeps them in the arena of the thread that ran it, pinned by any small
	 * block libpq allocated above them meanwhile (bench/soak: 22 MB after its preload) */
	malloc_trim(0);
}
