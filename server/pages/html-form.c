/* html-form.c - the web form page. Compact markup (the longest form stays under 50 KB):
 * one fieldset and legend per question, inputs wrapped in their labels, attribute values
 * quoted and escaped. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "html-form.h"
#include "page.h"

/* The form page's end: its scripts, then the shell's end. */
static int tail(struct strbuf *sb, int script)
{
	if (script)
		strbuf_puts(sb, "<script src=\"/static/form.js\" defer></script>"
				"<script src=\"/static/outbox.js\" defer></script>");
	return page_end(sb);
}

/* The interviewers' mode: how this questionnaire is taken. */
static void channel_part(struct strbuf *sb)
{
	strbuf_puts(sb, "<section><fieldset id=\"q-" HTML_FIELD_CHANNEL "\"><legend>Hình thức phỏng vấn"
			" <span class=\"req\" aria-hidden=\"true\">*</span></legend>"
			"<label><input type=\"radio\" name=\"" HTML_FIELD_CHANNEL "\" value=\"interview\" checked"
			" required>Phỏng vấn trực tiếp</label>"
			"<label><input type=\"radio\" name=\"" HTML_FIELD_CHANNEL "\" value=\"phone\" required>"
			"Phỏng vấn qua điện thoại</label></fieldset></section>");
}

static const char *error_for(const struct html_form_view *v, const char *field)
{
	size_t i;

	for (i = 0; i < v->nerrors; i++)
		if (v->errors[i].field && strcmp(v->errors[i].field, field) == 0)
			return v->errors[i].message;
	return NULL;
}

/* True when the posted answers hold value for name. */
static int posted_has(const struct html_form_view *v, const char *name, const char *value)
{
	size_t i;

	if (!v->posted)
		return 0;
	for (i = 0; i < v->posted->n; i++)
		if (!strcmp(v->posted->fields[i].name, name) && !strcmp(v->posted->fields[i].value, value))
			return 1;
	return 0;
}

static const char *posted_get(const struct html_form_view *v, const char *name)
{
	return v->posted ? urlenc_get(v->posted, name) : NULL;
}

/* Appends "Chỉ trả lời nếu ở câu N, bạn chọn: a; b." for a question with show_if. */
static void show_if_hint(struct strbuf *sb, const struct form *f, const struct form_question *q,
			 const size_t *number)
{
	const struct form_question *ctl = &f->questions[q->show_if];
	size_t i, j, shown = 0;

	strbuf_printf(sb, "<p class=\"hint\">Chỉ trả lời nếu ở câu %zu, Ông/Bà chọn: ", number[q->show_if]);
	for (i = 0; i < q->nshow_in; i++) {
		const char *label = NULL;

		if (ctl->type == FORM_Q_SCALE) {
			for (j = 0; j < ctl->scale->ncodes; j++)
				if (ctl->scale->codes[j] == q->show_in[i])
					label = ctl->scale->labels[j];
		} else {
			for (j = 0; j < ctl->noptions; j++)
				if (ctl->options[j].code == q->show_in[i])
					label = ctl->options[j].label;
		}
		strbuf_puts(sb, shown++ ? "; " : "");
		if (label)
			html_escape(sb, label);
		else
			strbuf_printf(sb, "%d", q->show_in[i]);
	}
	strbuf_puts(sb, ".</p>");
}

static void choice(struct strbuf *sb, const struct html_form_view *v, const struct form_question *q,
		   const char *type, int code, const char *label, int required)
{
	char val[16];

	snprintf(val, sizeof val, "%d", code);
	strbuf_printf(sb, "<label><input type=\"%s\" name=\"", type);
	html_escape(sb, q->id);
	strbuf_printf(sb, "\" value=\"%s\"%s%s>", val, posted_has(v, q->id, val) ? " checked" : "",
		      required ? " required" : "");
	html_escape(sb, label);
	strbuf_puts(sb, "</label>");
}

static void question(struct strbuf *sb, const struct html_form_view *v, size_t qi, const size_t *number)
{
	const struct form *f = v->form;
	const struct form_question *q = &f->questions[qi];
	const char *err = error_for(v, q->id), *val;
	int native_required = q->required && q->show_if < 0;
	size_t i;

	strbuf_puts(sb, "<fieldset id=\"q-");
	html_escape(sb, q->id);
	strbuf_puts(sb, "\"");
	if (q->show_if >= 0) {
		strbuf_puts(sb, " data-if=\"");
		html_escape(sb, f->questions[q->show_if].id);
		strbuf_puts(sb, "\" data-in=\"");
		for (i = 0; i < q->nshow_in; i++)
			strbuf_printf(sb, "%s%d", i ? " " : "", q->show_in[i]);
		strbuf_puts(sb, "\"");
	}
	if (err) {
		strbuf_puts(sb, " aria-invalid=\"true\" aria-describedby=\"e-");
		html_escape(sb, q->id);
		strbuf_puts(sb, "\"");
	}
	strbuf_puts(sb, "><legend id=\"l-");
	html_escape(sb, q->id);
	strbuf_printf(sb, "\">%zu. ", number[qi]);
	html_escape(sb, q->text);
	if (q->required)
		strbuf_puts(sb, " <span class=\"req\" aria-hidden=\"true\">*</span>"
				"<span class=\"visually-hidden\"> (bắt buộc)</span>");
	strbuf_puts(sb, "</legend>");
	if (q->show_if >= 0)
		show_if_hint(sb, f, q, number);
	if (q->type == FORM_Q_MULTI)
		strbuf_puts(sb, "<p class=\"hint\">Có thể chọn nhiều phương án.</p>");
	if (err) {
		strbuf_puts(sb, "<p class=\"err\" id=\"e-");
		html_escape(sb, q->id);
		strbuf_puts(sb, "\">");
		html_escape(sb, err);
		strbuf_puts(sb, "</p>");
	}
	switch (q->type) {
	case FORM_Q_SCALE:
		for (i = 0; i < q->scale->ncodes; i++)
			choice(sb, v, q, "radio", q->scale->codes[i], q->scale->labels[i], native_required);
		break;
	case FORM_Q_SINGLE:
		for (i = 0; i < q->noptions; i++)
			choice(sb, v, q, "radio", q->options[i].code, q->options[i].label, native_required);
		break;
	case FORM_Q_MULTI:
		for (i = 0; i < q->noptions; i++)
			choice(sb, v, q, "checkbox", q->options[i].code, q->options[i].label, 0);
		break;
	case FORM_Q_TEXT:
		strbuf_puts(sb, "<textarea name=\"");
		html_escape(sb, q->id);
		strbuf_printf(sb, "\" rows=\"3\" maxlength=\"%zu\" aria-labelledby=\"l-", q->max_length);
		html_escape(sb, q->id);
		strbuf_printf(sb, "\"%s>", native_required ? " required" : "");
		val = posted_get(v, q->id);
		if (val)
			html_escape(sb, val);
		strbuf_puts(sb, "</textarea>");
		break;
	case FORM_Q_NUMBER:
		strbuf_puts(sb, "<input type=\"text\" inputmode=\"decimal\" name=\"");
		html_escape(sb, q->id);
		strbuf_puts(sb, "\" aria-labelledby=\"l-");
		html_escape(sb, q->id);
		strbuf_puts(sb, "\"");
		if (native_required)
			strbuf_puts(sb, " required");
		val = posted_get(v, q->id);
		if (val) {
			strbuf_puts(sb, " value=\"");
			html_escape(sb, val);
			strbuf_puts(sb, "\"");
		}
		strbuf_puts(sb, ">");
		break;
	}
	strbuf_puts(sb, "</fieldset>");
}

/* A hidden field; *mark (when not NULL) gets where its value begins in sb. */
static void hidden(struct strbuf *sb, const char *name, const char *value, size_t *mark)
{
	strbuf_printf(sb, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	if (mark)
		*mark = sb->len;
	html_escape(sb, value);
	strbuf_puts(sb, "\">");
}

static void agency_part(struct strbuf *sb, const struct html_form_view *v)
{
	const char *err = error_for(v, v->invite ? HTML_FIELD_INVITE : HTML_FIELD_AGENCY);
	const char *chosen = posted_get(v, HTML_FIELD_AGENCY);
	size_t i;

	strbuf_puts(sb, "<section><fieldset id=\"q-" HTML_FIELD_AGENCY "\"");
	if (err)
		strbuf_puts(sb, " aria-invalid=\"true\" aria-describedby=\"e-" HTML_FIELD_AGENCY "\"");
	strbuf_puts(sb, "><legend>Cơ quan, đơn vị Ông/Bà đã đến giải quyết thủ tục hành chính"
			" <span class=\"req\" aria-hidden=\"true\">*</span></legend>");
	if (err) {
		strbuf_puts(sb, "<p class=\"err\" id=\"e-" HTML_FIELD_AGENCY "\">");
		html_escape(sb, err);
		strbuf_puts(sb, "</p>");
	}
	if (v->invite) {
		hidden(sb, HTML_FIELD_INVITE, v->invite, NULL);
		strbuf_puts(sb, "<p>");
		html_escape(sb, v->invite_agency ? v->invite_agency : "");
		strbuf_puts(sb, "</p>");
	} else {
		strbuf_puts(sb, "<select name=\"" HTML_FIELD_AGENCY "\" aria-label=\"Cơ quan, đơn vị\" required>"
				"<option value=\"\">— Chọn cơ quan, đơn vị —</option>");
		for (i = 0; i < v->nagencies; i++) {
			strbuf_puts(sb, "<option value=\"");
			html_escape(sb, v->agencies[i].code);
			strbuf_puts(sb, chosen && !strcmp(chosen, v->agencies[i].code) ? "\" selected>" : "\">");
			html_escape(sb, v->agencies[i].name);
			strbuf_puts(sb, "</option>");
		}
		strbuf_puts(sb, "</select>");
	}
	strbuf_puts(sb, "</fieldset></section>");
}

/* The summary's line for field, linking to it. */
static void summary_item(struct strbuf *sb, const struct html_form_view *v, const char *field,
			 const char *qid, size_t number)
{
	const char *msg = error_for(v, field);

	if (!msg)
		return;
	strbuf_puts(sb, "<li><a href=\"#q-");
	html_escape(sb, qid ? qid : HTML_FIELD_AGENCY);
	strbuf_puts(sb, "\">");
	if (qid)
		strbuf_printf(sb, "Câu %zu", number);
	else
		strbuf_puts(sb, "Cơ quan, đơn vị");
	strbuf_puts(sb, "</a>: ");
	html_escape(sb, msg);
	strbuf_puts(sb, "</li>");
}

int html_form_render(struct strbuf *sb, const struct html_form_view *v)
{
	const struct form *f = v->form;
	size_t s, k, qi, n = 0, i;
	size_t number[FORM_MAX_QUESTIONS];
	char manifest[400];

	for (qi = 0; qi < f->nquestions && qi < FORM_MAX_QUESTIONS; qi++)
		number[qi] = ++n;
	snprintf(manifest, sizeof manifest, "/%s/%s/manifest.webmanifest", v->collect ? "collect" : "s",
		 v->survey_code);
	page_begin_app(sb, v->collect ? PAGE_STAFF : PAGE_CITIZEN, v->survey_title, manifest);
	strbuf_puts(sb, "<h1>");
	if (v->collect)
		strbuf_puts(sb, "Phỏng vấn: ");
	html_escape(sb, v->survey_title);
	strbuf_puts(sb, "</h1>");
	if (v->collect)
		strbuf_puts(sb, "<p>Điền lần lượt từng phiếu phỏng vấn. Phiếu được lưu trên máy khi không có mạng"
				" và tự động gửi khi có mạng; phiếu đã gửi được xoá khỏi máy.</p>"
				"<noscript><p class=\"err\">Chế độ phỏng vấn cần bật JavaScript.</p></noscript>");
	strbuf_puts(sb, "<div id=\"outbox\" class=\"notice\" role=\"status\" aria-live=\"polite\" hidden></div><p>");
	html_escape(sb, f->title);
	strbuf_puts(sb, "</p>");
	if (f->description) {
		strbuf_puts(sb, "<p>");
		html_escape(sb, f->description);
		strbuf_puts(sb, "</p>");
	}
	strbuf_puts(sb, "<p class=\"hint\">Phiếu khảo sát không ghi tên người trả lời. Câu có dấu"
			" <span class=\"req\">*</span> là bắt buộc.</p>");
	if (v->nerrors) {
		strbuf_printf(sb, "<div class=\"notice\" role=\"alert\" id=\"errors\" tabindex=\"-1\"><h2>Phiếu chưa gửi được:"
			      " %zu chỗ cần sửa</h2><ul>", v->nerrors);
		summary_item(sb, v, HTML_FIELD_AGENCY, NULL, 0);
		summary_item(sb, v, HTML_FIELD_INVITE, NULL, 0);
		for (qi = 0; qi < f->nquestions; qi++)
			summary_item(sb, v, f->questions[qi].id, f->questions[qi].id, number[qi]);
		for (i = 0; i < v->nerrors; i++)
			if (!v->errors[i].field || (strcmp(v->errors[i].field, HTML_FIELD_AGENCY) &&
			    strcmp(v->errors[i].field, HTML_FIELD_INVITE) && !form_question_find(f, v->errors[i].field))) {
				strbuf_puts(sb, "<li>");
				html_escape(sb, v->errors[i].message);
				strbuf_puts(sb, "</li>");
			}
		strbuf_puts(sb, "</ul></div>");
	}
	if (v->collect) {
		strbuf_puts(sb, "<form id=\"survey\" data-mode=\"collect\" data-survey=\"");
	} else {
		strbuf_puts(sb, "<form method=\"post\" action=\"/s/");
		html_escape(sb, v->survey_code);
		strbuf_printf(sb, "\" id=\"survey\" data-survey=\"");
	}
	html_escape(sb, v->survey_code);
	strbuf_printf(sb, "\" data-fresh=\"%d\" accept-charset=\"utf-8\">", v->posted || v->collect ? 0 : 1);
	hidden(sb, HTML_FIELD_CSRF, v->csrf, v->marks ? &v->marks[0] : NULL);
	if (v->client_id)
		hidden(sb, HTML_FIELD_ID, v->client_id, v->marks ? &v->marks[1] : NULL);
	agency_part(sb, v);
	if (v->collect)
		channel_part(sb);
	for (s = 0; s < f->nsections; s++) {
		const struct form_section *sec = &f->sections[s];

		strbuf_puts(sb, "<section><h2>");
		html_escape(sb, sec->title);
		strbuf_puts(sb, "</h2>");
		if (sec->description) {
			strbuf_puts(sb, "<p class=\"hint\">");
			html_escape(sb, sec->description);
			strbuf_puts(sb, "</p>");
		}
		for (k = 0; k < sec->count; k++)
			question(sb, v, sec->first + k, number);
		strbuf_puts(sb, "</section>");
	}
	strbuf_puts(sb, v->collect ? "<button type=\"submit\">Lưu và gửi phiếu, điền phiếu tiếp theo</button></form>"
				   : "<button type=\"submit\">Gửi phiếu khảo sát</button></form>");
	return tail(sb, 1);
}

int html_form_invite_page(struct strbuf *sb, const char *code, const char *title, const char *message)
{
	page_begin(sb, PAGE_CITIZEN, title);
	strbuf_puts(sb, "<h1>");
	html_escape(sb, title);
	strbuf_puts(sb, "</h1><p>Đợt khảo sát này dành cho người được mời. Vui lòng nhập mã mời"
			" in trên giấy mời (16 ký tự, ví dụ K7QM-3XPA-9RTD-HW2C).</p>");
	if (message) {
		strbuf_puts(sb, "<p class=\"err\" id=\"e-invite\">");
		html_escape(sb, message);
		strbuf_puts(sb, "</p>");
	}
	strbuf_puts(sb, "<form method=\"get\" action=\"/s/");
	html_escape(sb, code);
	strbuf_printf(sb, "\"><p><label for=\"invite\">Mã mời</label><input type=\"text\" id=\"invite\" name=\"invite\""
		      " autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\" required%s></p>"
		      "<button type=\"submit\">Tiếp tục</button></form>",
		      message ? " aria-invalid=\"true\" aria-describedby=\"e-invite\"" : "");
	return tail(sb, 0);
}
