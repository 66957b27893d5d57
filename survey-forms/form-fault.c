/* form-fault.c - JSON paths and the fault list of the form loader. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "form-load.h"

static void path_append(struct form_loader *ld, const char *s, size_t n)
{
	size_t room = sizeof ld->path - 1 - ld->plen;

	if (n > room)
		n = room;
	memcpy(ld->path + ld->plen, s, n);
	ld->plen += n;
	ld->path[ld->plen] = '\0';
}

static bool plain_key(const char *key)
{
	size_t i;

	if (!((key[0] >= 'A' && key[0] <= 'Z') || (key[0] >= 'a' && key[0] <= 'z') || key[0] == '_'))
		return false;
	for (i = 1; key[i]; i++) {
		char c = key[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

size_t form_path_key(struct form_loader *ld, const char *key)
{
	size_t old = ld->plen, i;

	if (plain_key(key)) {
		path_append(ld, ".", 1);
		path_append(ld, key, strlen(key));
		return old;
	}
	path_append(ld, "[\"", 2);
	for (i = 0; key[i] && i < 40; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c == '"' || c == '\\')
			path_append(ld, "\\", 1);
		if (c < 0x20)
			path_append(ld, "?", 1);
		else
			path_append(ld, key + i, 1);
	}
	if (key[i])
		path_append(ld, "...", 3);
	path_append(ld, "\"]", 2);
	return old;
}

size_t form_path_index(struct form_loader *ld, size_t i)
{
	size_t old = ld->plen;
	char buf[32];
	int n = snprintf(buf, sizeof buf, "[%zu]", i);

	path_append(ld, buf, (size_t)n);
	return old;
}

void form_path_pop(struct form_loader *ld, size_t len)
{
	ld->plen = len;
	ld->path[len] = '\0';
}

void form_path_question(struct form_loader *ld, size_t q, const char *suffix)
{
	const struct form_question *fq = &ld->f->questions[q];
	size_t s = fq->section;

	ld->plen = 0;
	ld->path[0] = '\0';
	path_append(ld, "$.sections", 10);
	form_path_index(ld, s);
	path_append(ld, ".questions", 10);
	form_path_index(ld, q - ld->f->sections[s].first);
	if (suffix)
		path_append(ld, suffix, strlen(suffix));
}

void form_fault(struct form_loader *ld, const char *fmt, ...)
{
	struct form_faults *ff = ld->ff;
	va_list ap;

	if (ff->count < FORM_MAX_FAULTS) {
		struct form_fault *ft = &ff->list[ff->count];

		snprintf(ft->path, sizeof ft->path, "%s", ld->path);
		va_start(ap, fmt);
		vsnprintf(ft->message, sizeof ft->message, fmt, ap);
		va_end(ap);
	}
	ff->count++;
}
