/* qr-svg.c - QR codes as inline SVG: the one home of libqrencode (see qr-svg.h). */
#include "qr-svg.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "page.h"

#define QUIET 4

int qr_svg(struct strbuf *sb, const char *text, double size_mm, const char *label)
{
	QRcode *q;
	int x, y, w, r;

	if (!text[0] || strlen(text) > QR_TEXT_MAX)
		return -EINVAL;
	errno = 0;
	q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return errno ? -errno : -EINVAL;
	w = q->width + 2 * QUIET;
	strbuf_printf(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" aria-label=\"");
	html_escape(sb, label);
	strbuf_printf(sb, "\" viewBox=\"0 0 %d %d\" width=\"%.1fmm\" height=\"%.1fmm\" shape-rendering=\"crispEdges\">"
		      "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", w, w, size_mm, size_mm, w, w);
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x++) {
			int run = 0;

			while (x + run < q->width && (q->data[y * q->width + x + run] & 1))
				run++;
			if (run)        /* one rectangle per horizontal run of dark modules */
				strbuf_printf(sb, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
			x += run;
		}
	r = strbuf_puts(sb, "\"/></svg>");
	QRcode_free(q);
	return r;
}
