/* export-file.c - a finished export file as a streamed reply, and the export's columns. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "export-file.h"

struct file_stream {
	int fd;
};

static ssize_t file_read(void *ud, uint64_t pos, char *buf, size_t max)
{
	struct file_stream *s = ud;
	ssize_t n;

	do
		n = pread(s->fd, buf, max, (off_t)pos);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return HTTP_STREAM_ERROR;
	return n == 0 ? HTTP_STREAM_END : n;
}

static void file_free(void *ud)
{
	struct file_stream *s = ud;

	close(s->fd);
	free(s);
}

void export_attachment(struct http_req *req, const char *survey, const char *name)
{
	char disp[200];

	snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s\"", survey, name);
	http_add_header(req, "Content-Disposition", disp);
}

int export_reply_file(struct http_req *req, int fd, const char *type, const char *survey, const char *name)
{
	struct file_stream *s = malloc(sizeof *s);

	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->fd = fd;
	export_attachment(req, survey, name);
	return http_reply_stream(req, 200, type, file_read, s, file_free);
}

/* True when a coded question of f has a code past 254: its responses may keep two bytes a code. */
static bool wide_codes(const struct form *f)
{
	size_t i, k;

	for (i = 0; i < f->nquestions; i++) {
		const struct form_question *q = &f->questions[i];

		if (q->type == FORM_Q_SCALE && q->scale)
			for (k = 0; k < q->scale->ncodes; k++)
				if (q->scale->codes[k] > 254)
					return true;
		if (q->type == FORM_Q_SINGLE)
			for (k = 0; k < q->noptions; k++)
				if (q->options[k].code > 254)
					return true;
	}
	return false;
}

void export_columns(const struct form *f, struct db_export_column *cols)
{
	bool wide = wide_codes(f);
	size_t i;

	for (i = 0; i < f->nquestions; i++) {
		const struct form_question *q = &f->questions[i];

		cols[i].id = q->id;
		cols[i].kind = q->type == FORM_Q_MULTI ? DB_EXPORT_MULTI :
			       q->type == FORM_Q_TEXT ? DB_EXPORT_TEXT : DB_EXPORT_CODE;
		cols[i].slot = q->type == FORM_Q_SCALE || q->type == FORM_Q_SINGLE ? q->slot : -1;
		cols[i].wide = wide;
	}
}
