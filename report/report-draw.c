/* report-draw.c - the report's drawing on cairo and pango (see report-draw.h). */
#include "report-draw.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-fonts.h"

struct rd {
	cairo_surface_t *surface;
	cairo_t *cr;
	struct report_fonts *fonts;      /* locked while rd lives */
	PangoContext *pc;
	PangoFontDescription *desc[2];   /* regular, bold */
	int page;                        /* pages begun */
	double y;
};

static const double colours[][3] = {
	[RD_INK] = { 0x1b / 255.0, 0x1b / 255.0, 0x1b / 255.0 },
	[RD_GREY] = { 0x55 / 255.0, 0x55 / 255.0, 0x55 / 255.0 },
	[RD_BLUE] = { 0x1f / 255.0, 0x4e / 255.0, 0x79 / 255.0 },
	[RD_RED] = { 0xa4 / 255.0, 0x16 / 255.0, 0x1a / 255.0 },
	[RD_RULE] = { 0xe3 / 255.0, 0xe6 / 255.0, 0xea / 255.0 },
	[RD_BASE] = { 0x33 / 255.0, 0x33 / 255.0, 0x33 / 255.0 },
	[RD_WHITE] = { 1, 1, 1 },
	[RD_SHADE] = { 0xf3 / 255.0, 0xf5 / 255.0, 0xf8 / 255.0 },
};

static void colour(cairo_t *cr, enum rd_colour c)
{
	cairo_set_source_rgb(cr, colours[c][0], colours[c][1], colours[c][2]);
}

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
	return strbuf_append(closure, (const char *)data, length) < 0 ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

int rd_open(struct report_fonts *fonts, struct strbuf *out, const char *title, const char *date, struct rd **rdp,
	    char *err, size_t errlen)
{
	struct rd *rd = calloc(1, sizeof *rd);
	cairo_font_options_t *fo = NULL;
	PangoFontMap *map;
	char iso[40];
	int r;

	if (!rd)
		return -ENOMEM;
	if ((r = report_fonts_lock(fonts, &map, err, errlen)) < 0) {
		free(rd);
		return r;
	}
	rd->fonts = fonts;
	rd->surface = cairo_pdf_surface_create_for_stream(write_out, out, RD_PAGE_W, RD_PAGE_H);
	rd->cr = cairo_create(rd->surface);
	if (cairo_status(rd->cr) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cairo: %s", cairo_status_to_string(cairo_status(rd->cr)));
		r = -EIO;
		goto fail;
	}
	/* fixed metadata: the same data give the same bytes */
	snprintf(iso, sizeof iso, "%.10sT00:00:00Z", date && strlen(date) == 10 ? date : "2000-01-01");
	cairo_pdf_surface_set_metadata(rd->surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(rd->surface, CAIRO_PDF_METADATA_CREATOR, "sipas");
	cairo_pdf_surface_set_metadata(rd->surface, CAIRO_PDF_METADATA_CREATE_DATE, iso);
	cairo_pdf_surface_set_metadata(rd->surface, CAIRO_PDF_METADATA_MOD_DATE, iso);
	rd->pc = pango_font_map_create_context(map);
	if (!rd->pc) {
		r = -ENOMEM;
		goto fail;
	}
	/* points as user units; no hinting, so text is laid out the same on every machine */
	pango_cairo_context_set_resolution(rd->pc, 72);
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	pango_cairo_context_set_font_options(rd->pc, fo);
	cairo_font_options_destroy(fo);
	pango_cairo_update_context(rd->cr, rd->pc);
	rd->desc[0] = pango_font_description_from_string(REPORT_FONT_FAMILY);
	rd->desc[1] = pango_font_description_from_string(REPORT_FONT_FAMILY " Bold");
	*rdp = rd;
	return 0;
fail:
	rd_abort(rd);
	return r;
}

void rd_abort(struct rd *rd)
{
	if (!rd)
		return;
	pango_font_description_free(rd->desc[0]);
	pango_font_description_free(rd->desc[1]);
	if (rd->pc)
		g_object_unref(rd->pc);
	if (rd->cr)
		cairo_destroy(rd->cr);
	if (rd->surface)
		cairo_surface_destroy(rd->surface);
	report_fonts_unlock(rd->fonts);
	free(rd);
}

static void footer(struct rd *rd, const char *text)
{
	static const struct rd_font f = { 7.5, false, RD_GREY, RD_LEFT, true };
	char page[32];
	struct rd_font fr = f;

	rd_line(rd, RD_MARGIN, RD_PAGE_H - RD_MARGIN - 8, RD_PAGE_W - RD_MARGIN, RD_PAGE_H - RD_MARGIN - 8, 0.5, RD_RULE, 0);
	rd_text(rd, RD_MARGIN, RD_PAGE_H - RD_MARGIN - 4, RD_TEXT_W - 60, &f, text ? text : "");
	snprintf(page, sizeof page, "Trang %d", rd->page);
	fr.align = RD_RIGHT;
	rd_text(rd, RD_PAGE_W - RD_MARGIN - 60, RD_PAGE_H - RD_MARGIN - 4, 60, &fr, page);
}

void rd_page(struct rd *rd, const char *footer_text)
{
	if (rd->page > 0)
		cairo_show_page(rd->cr);
	rd->page++;
	footer(rd, footer_text);
	rd->y = RD_MARGIN;
}

int rd_close(struct rd *rd, char *err, size_t errlen)
{
	cairo_status_t st;
	int r = 0;

	if (!rd)
		return 0;
	if (rd->page > 0)
		cairo_show_page(rd->cr);
	cairo_destroy(rd->cr);
	rd->cr = NULL;
	cairo_surface_finish(rd->surface);
	st = cairo_surface_status(rd->surface);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cairo: %s", cairo_status_to_string(st));
		r = st == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
	}
	rd_abort(rd);
	return r;
}

double rd_y(const struct rd *rd)
{
	return rd->y;
}

void rd_set_y(struct rd *rd, double y)
{
	rd->y = y;
}

void rd_need(struct rd *rd, double need, const char *footer_text)
{
	if (rd->y + need > RD_BOTTOM)
		rd_page(rd, footer_text);
}

static PangoLayout *layout(struct rd *rd, double width, const struct rd_font *f, const char *utf8)
{
	PangoLayout *l = pango_layout_new(rd->pc);
	PangoFontDescription *d = rd->desc[f->bold ? 1 : 0];

	pango_font_description_set_absolute_size(d, f->size * PANGO_SCALE);
	pango_layout_set_font_description(l, d);
	if (width > 0)
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	if (f->one_line)
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	else
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, f->align == RD_CENTER ? PANGO_ALIGN_CENTER :
				   f->align == RD_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	pango_layout_set_text(l, utf8, -1);
	return l;
}

double rd_text(struct rd *rd, double x, double y, double width, const struct rd_font *f, const char *utf8)
{
	PangoLayout *l = layout(rd, width, f, utf8);
	int w, h;

	colour(rd->cr, f->colour);
	cairo_move_to(rd->cr, x, y);
	pango_cairo_show_layout(rd->cr, l);
	pango_layout_get_size(l, &w, &h);
	g_object_unref(l);
	return (double)h / PANGO_SCALE;
}

void rd_para(struct rd *rd, const struct rd_font *f, const char *utf8, double gap)
{
	rd->y += rd_text(rd, RD_MARGIN, rd->y, RD_TEXT_W, f, utf8) + gap;
}

double rd_text_width(struct rd *rd, const struct rd_font *f, const char *utf8)
{
	struct rd_font one = *f;
	PangoLayout *l;
	int w, h;

	one.one_line = false;
	l = layout(rd, -1, &one, utf8);
	pango_layout_get_size(l, &w, &h);
	g_object_unref(l);
	return (double)w / PANGO_SCALE;
}

void rd_line(struct rd *rd, double x1, double y1, double x2, double y2, double width, enum rd_colour c, double dash)
{
	double d[2] = { dash, dash * 0.8 };

	cairo_save(rd->cr);
	colour(rd->cr, c);
	cairo_set_line_width(rd->cr, width);
	if (dash > 0)
		cairo_set_dash(rd->cr, d, 2, 0);
	cairo_move_to(rd->cr, x1, y1);
	cairo_line_to(rd->cr, x2, y2);
	cairo_stroke(rd->cr);
	cairo_restore(rd->cr);
}

void rd_dot(struct rd *rd, double x, double y, double r, enum rd_colour fill, enum rd_colour ring)
{
	cairo_save(rd->cr);
	cairo_new_path(rd->cr);
	cairo_arc(rd->cr, x, y, r, 0, 2 * G_PI);
	colour(rd->cr, fill);
	cairo_fill_preserve(rd->cr);
	colour(rd->cr, ring);
	cairo_set_line_width(rd->cr, 1.2);
	cairo_stroke(rd->cr);
	cairo_restore(rd->cr);
}

void rd_rect(struct rd *rd, double x, double y, double w, double h, enum rd_colour c)
{
	colour(rd->cr, c);
	cairo_new_path(rd->cr);
	cairo_rectangle(rd->cr, x, y, w, h);
	cairo_fill(rd->cr);
}
