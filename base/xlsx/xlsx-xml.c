/* xlsx-xml.c - expat's one home: streams a zip member through a namespace-aware parser that
 * refuses DTDs and entities, handing local names to our handlers. */
#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <string.h>

#include "xlsx-int.h"

#define MAX_ATTRS  32    /* attributes passed on per element; the rest are not ours */
#define MAX_DEPTH  64

struct xml_ctx {
	XML_Parser p;
	const struct xml_handlers *h;
	void *ud;
	int status;
	int depth;
	struct xlsx_error *err;
};

static const char *local(const char *name)
{
	const char *s = strrchr(name, '|');

	return s ? s + 1 : name;
}

static void stop(struct xml_ctx *x, int r)
{
	if (!x->status)
		x->status = r;
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xml_ctx *x = ud;
	const char *a[2 * MAX_ATTRS + 1];
	size_t i, n = 0;
	int r;

	if (x->status)
		return;
	if (++x->depth > MAX_DEPTH) {
		xlsx_fail(x->err, "bad_workbook", 0, 0, "the workbook's XML is nested too deep",
			  "Tệp bảng tính có cấu trúc XML lồng quá sâu.");
		stop(x, -E2BIG);
		return;
	}
	for (i = 0; atts[i] && n < 2 * MAX_ATTRS; i += 2) {
		a[n++] = local(atts[i]);
		a[n++] = atts[i + 1];
	}
	a[n] = NULL;
	if (x->h->start && (r = x->h->start(x->ud, local(name), a)) < 0)
		stop(x, r);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct xml_ctx *x = ud;
	int r;

	if (x->status)
		return;
	x->depth--;
	if (x->h->end && (r = x->h->end(x->ud, local(name))) < 0)
		stop(x, r);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xml_ctx *x = ud;
	int r;

	if (x->status || !x->h->text)
		return;
	if ((r = x->h->text(x->ud, s, (size_t)len)) < 0)
		stop(x, r);
}

static void entities(struct xml_ctx *x)
{
	xlsx_fail(x->err, "xml_entities", 0, 0,
		  "the workbook's XML declares a DOCTYPE or entities, which a workbook never needs",
		  "Tệp bảng tính chứa khai báo DOCTYPE hoặc thực thể XML không được phép.");
	stop(x, -EINVAL);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal)
{
	entities(ud);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
			      int value_len, const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	entities(ud);
}

static int on_chunk(void *ud, const char *data, size_t len, bool last)
{
	struct xml_ctx *x = ud;
	char where[96];

	if (XML_Parse(x->p, data, (int)len, last) != XML_STATUS_ERROR)
		return 0;
	if (x->status)
		return x->status;
	if (XML_GetErrorCode(x->p) == XML_ERROR_NO_MEMORY)
		return -ENOMEM;
	snprintf(where, sizeof where, "the workbook's XML is malformed (%s, line %lu)",
		 XML_ErrorString(XML_GetErrorCode(x->p)), (unsigned long)XML_GetCurrentLineNumber(x->p));
	xlsx_fail(x->err, "bad_workbook", 0, 0, where, "Tệp bảng tính bị hỏng (XML không hợp lệ).");
	return -EINVAL;
}

int xml_parse_member(struct xzip *z, const char *name, const struct xml_handlers *h, void *ud,
		     struct xlsx_error *err)
{
	struct xml_ctx x = { .h = h, .ud = ud, .err = err };
	int r;

	x.p = XML_ParserCreateNS(NULL, '|');
	if (!x.p)
		return -ENOMEM;
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, on_start, on_end);
	XML_SetCharacterDataHandler(x.p, on_text);
	XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
	XML_SetEntityDeclHandler(x.p, on_entity);
	XML_SetParamEntityParsing(x.p, XML_PARAM_ENTITY_PARSING_NEVER);
	r = xzip_stream(z, name, on_chunk, &x, err);
	XML_ParserFree(x.p);
	return r;
}

const char *xml_attr(const char **attrs, const char *name)
{
	size_t i;

	for (i = 0; attrs[i]; i += 2)
		if (!strcmp(attrs[i], name))
			return attrs[i + 1];
	return NULL;
}
