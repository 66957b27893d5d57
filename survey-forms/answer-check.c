/* answer-check.c - the answer rules shared by the responses file and the intake of one response. */
#include "answer-check.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "utf8.h"

static const char *const code_names[ANS_NCODES] = {
	[ANS_REQUIRED] = "required",
	[ANS_NOT_ASKED] = "not_asked",
	[ANS_OUT_OF_RANGE] = "out_of_range",
	[ANS_INVALID_CODE] = "invalid_code",
	[ANS_INVALID_NUMBER] = "invalid_number",
	[ANS_INVALID_TYPE] = "invalid_type",
	[ANS_TOO_LONG] = "too_long",
	[ANS_DUPLICATE] = "duplicate",
	[ANS_UNKNOWN_QUESTION] = "unknown_question",
	[ANS_MISSING_AGENCY] = "missing_agency",
	[ANS_INVALID_AGENCY] = "invalid_agency",
	[ANS_MISSING_SERIAL] = "missing_serial",
	[ANS_INVALID_SERIAL] = "invalid_serial",
	[ANS_DUPLICATE_SERIAL] = "duplicate_serial",
	[ANS_INVALID_CHANNEL] = "invalid_channel",
	[ANS_INVALID_WEIGHT] = "invalid_weight",
	[ANS_INVALID_FPC] = "invalid_fpc",
	[ANS_INVALID_DATE] = "invalid_date",
	[ANS_INVALID_PSU] = "invalid_psu",
	[ANS_INVALID_STRATUM] = "invalid_stratum",
	[ANS_UNKNOWN_COLUMN] = "unknown_column",
	[ANS_DUPLICATE_COLUMN] = "duplicate_column",
	[ANS_EXTRA_CELLS] = "extra_cells",
	[ANS_INVALID_ID] = "invalid_id",
	[ANS_INVALID_INVITE] = "invalid_invite",
	[ANS_UNKNOWN_FIELD] = "unknown_field",
	[ANS_INVALID_JSON] = "invalid_json",
	[ANS_TOO_DEEP] = "too_deep",
	[ANS_ENCODING] = "encoding",
};

const char *answer_code_name(enum answer_code c)
{
	return (unsigned)c < ANS_NCODES ? code_names[c] : "invalid";
}

int answer_set_init(struct answer_set *s, const struct form *f, size_t max_errors)
{
	size_t i, pool = 0;

	memset(s, 0, sizeof *s);
	s->f = f;
	s->max_errors = max_errors;
	s->v = calloc(f->nquestions ? f->nquestions : 1, sizeof *s->v);
	s->multi_off = calloc(f->nquestions ? f->nquestions : 1, sizeof *s->multi_off);
	s->small = f->small_codes;
	s->rules = calloc(f->nquestions ? f->nquestions : 1, sizeof *s->rules);
	s->errors = malloc((max_errors ? max_errors : 1) * sizeof *s->errors);   /* filled as added */
	if (!s->v || !s->multi_off || (!s->small && f->nquestions) || !s->rules || !s->errors)
		goto fail;
	for (i = 0; i < f->nquestions; i++) {
		/* only these can be not_asked or required (answer_check_rules) */
		if (f->questions[i].required || f->questions[i].show_if >= 0)
			s->rules[s->nrules++] = (uint16_t)i;

		if (f->questions[i].type == FORM_Q_MULTI) {
			s->multi_off[i] = pool;
			pool += f->questions[i].noptions;
		}
	}
	s->pool = calloc(pool ? pool : 1, sizeof *s->pool);
	if (!s->pool)
		goto fail;
	return 0;
fail:
	answer_set_done(s);
	return -ENOMEM;
}

void answer_set_done(struct answer_set *s)
{
	if (!s)
		return;
	free(s->v);
	free(s->multi_off);
	free(s->rules);
	free(s->pool);
	free(s->errors);
	memset(s, 0, sizeof *s);
}

void answer_set_reset(struct answer_set *s)
{
	size_t q;

	/* the state and the multi count are all that is read of a blank answer */
	for (q = 0; q < s->f->nquestions; q++) {
		s->v[q].state = ANSV_BLANK;
		s->v[q].nmulti = 0;
	}
	s->nerrors = 0;
	s->errors_total = 0;
}

void answer_error_text(struct answer_error *e, const char *str, size_t n)
{
	size_t max = sizeof e->text - 4, i;
	bool cut = false;

	if (n > max) {
		n = max;
		/* back to a character boundary */
		while (n > 0 && ((unsigned char)str[n] & 0xC0) == 0x80)
			n--;
		cut = true;
	}
	n = utf8_valid_prefix(str, n);
	for (i = 0; i < n; i++)
		e->text[i] = (unsigned char)str[i] < 0x20 ? '?' : str[i];
	if (cut) {
		memcpy(e->text + i, "...", 3);
		i += 3;
	}
	e->text[i] = '\0';
}

struct answer_error *answer_error_add(struct answer_set *s, enum answer_code code, int question,
	const char *field, size_t n)
{
	struct answer_error *e;

	s->errors_total++;
	if (s->nerrors == s->max_errors)
		return NULL;
	e = &s->errors[s->nerrors++];
	memset(e, 0, sizeof *e);
	e->code = code;
	e->question = question;
	if (!field && question >= 0) {
		field = s->f->questions[question].id;
		n = strlen(field);
	}
	if (field) {
		if (n >= sizeof e->field)
			n = sizeof e->field - 1;
		n = utf8_valid_prefix(field, n);
		memcpy(e->field, field, n);
		e->field[n] = '\0';
	}
	return e;
}

struct answer_error *answer_bad(struct answer_set *s, size_t q, enum answer_code code)
{
	s->v[q].state = ANSV_BAD;
	return answer_error_add(s, code, (int)q, NULL, 0);
}

static void trim(const char **str, size_t *len)
{
	const char *p = *str;
	size_t n = *len;

	while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	*str = p;
	*len = n;
}

/* Parses a whole number of at most 9 digits (leading zeros allowed); false otherwise. */
static bool parse_int(const char *p, size_t n, long long *out)
{
	long long v = 0;
	size_t i = 0;

	if (n && *p == '+')
		i++;
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		if (v < 1000000000LL)
			v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

bool answer_parse_number(const char *p, size_t n, double *out)
{
	char buf[64], *end;
	size_t i = 0, digits = 0;
	double x;

	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (buf[i] == '+' || buf[i] == '-')
		i++;
	while (buf[i] >= '0' && buf[i] <= '9') {
		i++;
		digits++;
	}
	if (buf[i] == '.' || buf[i] == ',') {
		buf[i++] = '.';
		while (buf[i] >= '0' && buf[i] <= '9') {
			i++;
			digits++;
		}
	}
	if (!digits)
		return false;
	if (buf[i] == 'e' || buf[i] == 'E') {
		i++;
		if (buf[i] == '+' || buf[i] == '-')
			i++;
		if (!(buf[i] >= '0' && buf[i] <= '9'))
			return false;
		while (buf[i] >= '0' && buf[i] <= '9')
			i++;
	}
	if (i != n)
		return false;
	/* exact when the digits fit in 2^53 and the scale in 10^22: one correctly rounded division */
	{
		static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
			1e11, 1e12, 1e13, 1e14, 1e15 };
		uint64_t m = 0;
		size_t k = buf[0] == '+' || buf[0] == '-' ? 1 : 0, frac = 0;
		bool dot = false;

		for (; k < n && digits <= 15; k++) {
			if (buf[k] == '.') {
				dot = true;
				continue;
			}
			if (buf[k] < '0' || buf[k] > '9')
				break;
			m = m * 10 + (uint64_t)(buf[k] - '0');
			frac += dot;
		}
		if (k == n && digits <= 15) {
			x = (double)m / pow10[frac];
			*out = buf[0] == '-' ? -x : x;
			return true;
		}
	}
	x = strtod(buf, &end);
	if (!isfinite(x))
		return false;
	*out = x;
	return true;
}

void answer_add_code(struct answer_set *s, size_t q, long long code)
{
	const struct form_question *fq = &s->f->questions[q];
	struct answer_value *v = &s->v[q];
	struct answer_error *e;
	int16_t *m;
	size_t i;

	if (v->state == ANSV_BAD)
		return;
	if (code < FORM_CODE_MIN || code > FORM_CODE_MAX ||
	    !(code < 64 && fq->type != FORM_Q_MULTI ? (s->small[q] >> code & 1) :
	      form_question_accepts(fq, (int)code))) {
		if ((e = answer_bad(s, q, ANS_OUT_OF_RANGE)))
			e->value = code;
		return;
	}
	if (fq->type != FORM_Q_MULTI) {
		if (v->state == ANSV_SET) {
			if ((e = answer_bad(s, q, ANS_DUPLICATE)))
				e->value = -1;
			return;
		}
		v->state = ANSV_SET;
		v->code = (int16_t)code;
		return;
	}
	m = s->pool + s->multi_off[q];
	for (i = 0; i < v->nmulti; i++)
		if (m[i] == code) {
			if ((e = answer_bad(s, q, ANS_DUPLICATE)))
				e->value = code;
			return;
		}
	/* distinct accepted codes: at most noptions, the room the pool has */
	m[v->nmulti++] = (int16_t)code;
	v->state = ANSV_SET;
}

void answer_set_text(struct answer_set *s, size_t q, const char *str, size_t len)
{
	const struct form_question *fq = &s->f->questions[q];
	struct answer_value *v = &s->v[q];
	struct answer_error *e;

	trim(&str, &len);
	if (!len || v->state == ANSV_BAD)
		return;
	if (v->state == ANSV_SET) {
		if ((e = answer_bad(s, q, ANS_DUPLICATE)))
			e->value = -1;
		return;
	}
	if (utf8_valid_prefix(str, len) != len || memchr(str, '\0', len)) {
		answer_bad(s, q, ANS_ENCODING);
		return;
	}
	if (utf8_count(str, len) > fq->max_length) {
		if ((e = answer_bad(s, q, ANS_TOO_LONG)))
			e->value = (long long)fq->max_length;
		return;
	}
	v->state = ANSV_SET;
	v->text = str;
	v->text_len = len;
}

void answer_set_number(struct answer_set *s, size_t q, double x)
{
	const struct form_question *fq = &s->f->questions[q];
	struct answer_value *v = &s->v[q];
	struct answer_error *e;
	char buf[32];

	if (v->state == ANSV_BAD)
		return;
	if (v->state == ANSV_SET) {
		if ((e = answer_bad(s, q, ANS_DUPLICATE)))
			e->value = -1;
		return;
	}
	if (!isfinite(x) || x < fq->min || x > fq->max) {
		if ((e = answer_bad(s, q, ANS_OUT_OF_RANGE))) {
			snprintf(buf, sizeof buf, "%.15g", x);
			answer_error_text(e, buf, strlen(buf));
		}
		return;
	}
	v->state = ANSV_SET;
	v->number = x;
}

void answer_from_string(struct answer_set *s, size_t q, const char *str, size_t len)
{
	const struct form_question *fq = &s->f->questions[q];
	struct answer_error *e;
	long long code;
	double x;

	if (len == 1 && answer_fast_digit(s, q, str[0]))
		return;
	trim(&str, &len);
	if (!len)
		return;
	switch (fq->type) {
	case FORM_Q_SCALE:
	case FORM_Q_SINGLE:
		if (!parse_int(str, len, &code)) {
			if ((e = answer_bad(s, q, ANS_INVALID_CODE)))
				answer_error_text(e, str, len);
			return;
		}
		answer_add_code(s, q, code);
		return;
	case FORM_Q_MULTI:
		while (len) {
			const char *semi = memchr(str, ';', len);
			size_t n = semi ? (size_t)(semi - str) : len;
			const char *item = str;
			size_t ilen = n;

			trim(&item, &ilen);
			if (!parse_int(item, ilen, &code)) {
				if ((e = answer_bad(s, q, ANS_INVALID_CODE)))
					answer_error_text(e, item, ilen);
				return;
			}
			answer_add_code(s, q, code);
			if (s->v[q].state == ANSV_BAD)
				return;
			str += n + (semi != NULL);
			len -= n + (semi != NULL);
		}
		return;
	case FORM_Q_TEXT:
		answer_set_text(s, q, str, len);
		return;
	case FORM_Q_NUMBER:
		if (!answer_parse_number(str, len, &x)) {
			if ((e = answer_bad(s, q, ANS_INVALID_NUMBER)))
				answer_error_text(e, str, len);
			return;
		}
		answer_set_number(s, q, x);
		return;
	}
}

bool answer_agency_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

static bool in_codes(const int *codes, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (codes[i] == code)
			return true;
	return false;
}

/* Whether question q was asked: 1 yes, 0 no, -1 unknown (its controlling answer is bad). */
static int asked(const struct answer_set *s, size_t q)
{
	const struct form_question *fq = &s->f->questions[q];
	const struct answer_value *c;

	if (fq->show_if < 0)
		return 1;
	c = &s->v[fq->show_if];
	if (c->state == ANSV_BAD)
		return -1;
	return c->state == ANSV_SET && in_codes(fq->show_in, fq->nshow_in, c->code);
}

void answer_check_rules(struct answer_set *s)
{
	const struct form *f = s->f;
	size_t i;

	/* a question with neither rule is asked and optional: nothing to find */
	for (i = 0; i < s->nrules; i++) {
		size_t q = s->rules[i];
		const struct answer_value *v = &s->v[q];
		int a;

		if (v->state == ANSV_BAD)
			continue;
		if (v->state == ANSV_BLANK && !f->questions[q].required)
			continue;
		a = asked(s, q);
		if (a < 0)
			continue;
		if (!a && v->state == ANSV_SET)
			answer_error_add(s, ANS_NOT_ASKED, (int)q, NULL, 0);
		else if (a && v->state == ANSV_BLANK)
			answer_error_add(s, ANS_REQUIRED, (int)q, NULL, 0);
	}
}

void answer_fill_codes(const struct answer_set *s, int16_t *codes)
{
	const struct form *f = s->f;
	size_t q;

	for (q = 0; q < f->nquestions; q++) {
		int slot = f->questions[q].slot;

		if (slot >= 0)
			codes[slot] = s->v[q].state == ANSV_SET ? s->v[q].code : FORM_NO_ANSWER;
	}
}

/* Writes code (0 to 9999) at p; returns the end. */
static char *put_code(char *p, int code)
{
	char buf[8];
	size_t n = sizeof buf;

	do {
		buf[--n] = (char)('0' + code % 10);
		code /= 10;
	} while (code && n);
	memcpy(p, buf + n, sizeof buf - n);
	return p + (sizeof buf - n);
}

static int cmp_code(const void *a, const void *b)
{
	return *(const int16_t *)a - *(const int16_t *)b;
}

int answer_write_json(const struct answer_set *s, bool uncoded_only, struct strbuf *sb)
{
	const struct form *f = s->f;
	/* a key and a code or a list of codes, appended at once (this runs for every row of a file) */
	char tmp[FORM_MAX_ID_LEN + 8 + FORM_MAX_OPTIONS * 5];
	bool first = true;
	size_t q, i, idlen;
	int r;

	if ((r = strbuf_putc(sb, '{')) < 0)
		return r;
	for (q = 0; q < f->nquestions; q++) {
		const struct answer_value *v = &s->v[q];
		const struct form_question *fq = &f->questions[q];
		char *p = tmp;

		if (v->state != ANSV_SET || (uncoded_only && fq->slot >= 0))
			continue;
		/* ids are [A-Za-z][A-Za-z0-9_.]*: nothing to escape */
		if (!first)
			*p++ = ',';
		first = false;
		*p++ = '"';
		idlen = strlen(fq->id);
		memcpy(p, fq->id, idlen);
		p += idlen;
		*p++ = '"';
		*p++ = ':';
		switch (fq->type) {
		case FORM_Q_SCALE:
		case FORM_Q_SINGLE:
			p = put_code(p, v->code);
			break;
		case FORM_Q_MULTI: {
			int16_t sorted[FORM_MAX_OPTIONS];

			memcpy(sorted, s->pool + s->multi_off[q], v->nmulti * sizeof *sorted);
			qsort(sorted, v->nmulti, sizeof *sorted, cmp_code);
			*p++ = '[';
			for (i = 0; i < v->nmulti; i++) {
				if (i)
					*p++ = ',';
				p = put_code(p, sorted[i]);
			}
			*p++ = ']';
			break;
		}
		default:
			break;
		}
		if ((r = strbuf_append(sb, tmp, (size_t)(p - tmp))) < 0)
			return r;
		if (fq->type == FORM_Q_TEXT)
			r = jsonw_stringn(sb, v->text, v->text_len);
		else if (fq->type == FORM_Q_NUMBER)
			r = jsonw_double(sb, v->number);
		if (r < 0)
			return r;
	}
	return strbuf_putc(sb, '}');
}

/* The question's codes as "1, 2, 3" (shortened past a few). */
static void list_codes(const struct form_question *fq, char *buf, size_t size)
{
	size_t n = 0, i, count;
	const int *codes = NULL;

	buf[0] = '\0';
	if (fq->type == FORM_Q_SCALE && fq->scale) {
		codes = fq->scale->codes;
		count = fq->scale->ncodes;
	} else
		count = fq->noptions;
	for (i = 0; i < count && n + 16 < size; i++) {
		int c = codes ? codes[i] : fq->options[i].code;

		if (i == 8) {
			n += (size_t)snprintf(buf + n, size - n, ", ...");
			break;
		}
		n += (size_t)snprintf(buf + n, size - n, i ? ", %d" : "%d", c);
	}
}

/* What an answer to question q must be. */
static const char *type_word(const struct form *f, int q, bool vi)
{
	switch (f->questions[q].type) {
	case FORM_Q_SCALE:
	case FORM_Q_SINGLE:
		return vi ? "mã số của một phương án" : "a code (a whole number)";
	case FORM_Q_MULTI:
		return vi ? "danh sách mã phương án" : "an array of codes";
	case FORM_Q_TEXT:
		return vi ? "chuỗi ký tự" : "a string";
	case FORM_Q_NUMBER:
		return vi ? "một số" : "a number";
	}
	return "?";
}

const char *answer_error_message(const struct form *f, const struct answer_error *e, bool vi,
	char *buf, size_t size)
{
	const struct form_question *fq = e->question >= 0 ? &f->questions[e->question] : NULL;
	const char *t = e->text, *fld = e->field;
	char list[96];

#define MSG(...) snprintf(buf, size, __VA_ARGS__)
	switch (e->code) {
	case ANS_REQUIRED:
		vi ? MSG("Vui lòng trả lời câu hỏi này.") : MSG("an answer is required");
		break;
	case ANS_NOT_ASKED: {
		const char *ctrl = fq && fq->show_if >= 0 ? f->questions[fq->show_if].id : "?";

		vi ? MSG("Câu hỏi này không áp dụng với câu trả lời của Ông/Bà ở câu %s; vui lòng để trống.", ctrl)
		   : MSG("answered, but the question is not asked with this answer to %s (show_if)", ctrl);
		break;
	}
	case ANS_OUT_OF_RANGE:
		if (fq && fq->type == FORM_Q_NUMBER) {
			if (isfinite(fq->min) && isfinite(fq->max))
				vi ? MSG("Giá trị phải nằm trong khoảng từ %g đến %g.", fq->min, fq->max)
				   : MSG("%s is outside [%g, %g]", t, fq->min, fq->max);
			else if (isfinite(fq->min))
				vi ? MSG("Giá trị không được nhỏ hơn %g.", fq->min)
				   : MSG("%s is below the minimum %g", t, fq->min);
			else
				vi ? MSG("Giá trị không được lớn hơn %g.", fq->max)
				   : MSG("%s is above the maximum %g", t, fq->max);
			break;
		}
		if (fq)
			list_codes(fq, list, sizeof list);
		else
			list[0] = '\0';
		vi ? MSG("Mã %lld không có trong các phương án trả lời của câu hỏi (%s).", e->value, list)
		   : MSG("%lld is not an answer code of %s (codes: %s)", e->value, fld, list);
		break;
	case ANS_INVALID_CODE:
		vi ? MSG("“%s” không phải là mã phương án trả lời hợp lệ.", t)
		   : MSG("\"%s\" is not an answer code (a whole number)", t);
		break;
	case ANS_INVALID_NUMBER:
		vi ? MSG("“%s” không phải là một số.", t) : MSG("\"%s\" is not a number", t);
		break;
	case ANS_INVALID_TYPE:
		if (e->question >= 0)
			vi ? MSG("Câu trả lời phải là %s.", type_word(f, e->question, true))
			   : MSG("expected %s", type_word(f, e->question, false));
		else if (e->value == 1)
			vi ? MSG("Phần “%s” phải là một đối tượng JSON.", fld) : MSG("expected an object");
		else
			vi ? MSG("Giá trị của “%s” phải là một chuỗi ký tự.", fld) : MSG("expected a string");
		break;
	case ANS_TOO_LONG:
		vi ? MSG("Câu trả lời dài quá %lld ký tự.", e->value)
		   : MSG("longer than %lld characters", e->value);
		break;
	case ANS_DUPLICATE:
		if (e->value >= 0)
			vi ? MSG("Phương án %lld được chọn hai lần.", e->value)
			   : MSG("code %lld is given twice", e->value);
		else if (e->question < 0)
			vi ? MSG("“%s” chỉ được gửi một lần.", fld) : MSG("\"%s\" is given more than once", fld);
		else
			vi ? MSG("Câu hỏi này chỉ nhận một câu trả lời.") : MSG("only one answer is allowed");
		break;
	case ANS_UNKNOWN_QUESTION:
		vi ? MSG("Câu hỏi “%s” không có trong phiếu khảo sát.", fld)
		   : MSG("unknown question \"%s\" (not in form %s)", fld, f->id);
		break;
	case ANS_MISSING_AGENCY:
		if (e->value)
			vi ? MSG("Tệp không có cột agency (mã cơ quan, đơn vị).") : MSG("the file has no agency column");
		else
			vi ? MSG("Thiếu mã cơ quan, đơn vị.") : MSG("the agency code is missing");
		break;
	case ANS_INVALID_AGENCY:
		vi ? MSG("Mã cơ quan, đơn vị “%s” không hợp lệ.", t)
		   : MSG("\"%s\" is not an agency code (1 to 32 letters, digits, '_', '.', '-')", t);
		break;
	case ANS_MISSING_SERIAL:
		if (e->value)
			vi ? MSG("Tệp không có cột serial (số phiếu).") : MSG("the file has no serial column");
		else
			vi ? MSG("Thiếu số phiếu.") : MSG("the serial number is missing");
		break;
	case ANS_INVALID_SERIAL:
		vi ? MSG("Số phiếu “%s” dài quá %lld ký tự.", t, e->value)
		   : MSG("serial \"%s\" is longer than %lld bytes", t, e->value);
		break;
	case ANS_DUPLICATE_SERIAL:
		vi ? MSG("Số phiếu “%s” bị trùng với dòng %lld.", t, e->value)
		   : MSG("serial \"%s\" is used again (first in row %lld)", t, e->value);
		break;
	case ANS_INVALID_CHANNEL:
		vi ? MSG("Kênh “%s” không hợp lệ (web, paper, phone, api hoặc interview).", t)
		   : MSG("channel \"%s\" is not web, paper, phone, api or interview", t);
		break;
	case ANS_INVALID_WEIGHT:
		vi ? MSG("Trọng số “%s” phải là một số dương.", t)
		   : MSG("weight \"%s\" is not a positive number", t);
		break;
	case ANS_INVALID_FPC:
		vi ? MSG("Giá trị fpc “%s” phải là quy mô tổng thể của tầng (một số không nhỏ hơn 1).", t)
		   : MSG("fpc \"%s\" is not a population size (a number of at least 1)", t);
		break;
	case ANS_INVALID_DATE:
		vi ? MSG("“%s” không phải là ngày hợp lệ; hãy ghi theo dạng 2024-05-31 hoặc 2024-05-31T14:30:00+07:00.", t)
		   : MSG("\"%s\" is not an ISO-8601 date or timestamp (2024-05-31 or 2024-05-31T14:30:00+07:00)", t);
		break;
	case ANS_INVALID_PSU:
	case ANS_INVALID_STRATUM:
		vi ? MSG("Giá trị “%s” dài quá %lld ký tự.", t, e->value)
		   : MSG("\"%s\" is longer than %lld bytes", t, e->value);
		break;
	case ANS_UNKNOWN_COLUMN:
		if (!fld[0])
			vi ? MSG("Cột thứ %lld không có tên.", e->value) : MSG("column %lld has no name", e->value);
		else
			vi ? MSG("Cột “%s” không phải là câu hỏi của phiếu khảo sát.", fld)
			   : MSG("unknown column \"%s\": neither a question of form %s nor a design column", fld, f->id);
		break;
	case ANS_DUPLICATE_COLUMN:
		vi ? MSG("Cột “%s” xuất hiện hai lần.", fld) : MSG("column \"%s\" appears twice", fld);
		break;
	case ANS_EXTRA_CELLS:
		vi ? MSG("Dòng có nhiều ô hơn dòng tiêu đề (%lld cột).", e->value)
		   : MSG("the row has cells past the header's %lld columns", e->value);
		break;
	case ANS_INVALID_ID:
		vi ? MSG("Mã định danh “%s” không hợp lệ (cần một UUID).", t) : MSG("\"%s\" is not a UUID", t);
		break;
	case ANS_INVALID_INVITE:
		vi ? MSG("Mã mời “%s” không hợp lệ.", t) : MSG("\"%s\" is not an invitation code", t);
		break;
	case ANS_UNKNOWN_FIELD:
		vi ? MSG("Trường “%s” không được hỗ trợ.", fld) : MSG("unknown field \"%s\"", fld);
		break;
	case ANS_INVALID_JSON:
		vi ? MSG("Dữ liệu gửi lên không đúng định dạng JSON.") : MSG("the body is not valid JSON: %s", t);
		break;
	case ANS_TOO_DEEP:
		vi ? MSG("Dữ liệu gửi lên lồng nhau quá %lld cấp.", e->value)
		   : MSG("the JSON nests deeper than %lld levels", e->value);
		break;
	case ANS_ENCODING:
		vi ? MSG("Dữ liệu không phải là văn bản UTF-8.") : MSG("the text is not valid UTF-8");
		break;
	default:
		MSG("?");
	}
#undef MSG
	return buf;
}
