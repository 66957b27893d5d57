/* report-draw.h - the drawing the report's pages share: an A4 PDF document on cairo, text set
 * by pango in the private DejaVu fonts, lines, dots and page breaks. Internal to report/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define RD_PAGE_W 595.276          /* A4 in points */
#define RD_PAGE_H 841.890
#define RD_MARGIN 42.0
#define RD_TEXT_W (RD_PAGE_W - 2 * RD_MARGIN)
#define RD_BOTTOM (RD_PAGE_H - RD_MARGIN - 18)   /* content ends above the footer */

/* Colours of the dashboard's chart (server/handlers/handlers-dashboard.c). */
enum rd_colour { RD_INK, RD_GREY, RD_BLUE, RD_RED, RD_RULE, RD_BASE, RD_WHITE, RD_SHADE };

enum rd_align { RD_LEFT, RD_CENTER, RD_RIGHT };

/* How a piece of text is set. */
struct rd_font {
	double size;               /* points */
	bool bold;
	enum rd_colour colour;
	enum rd_align align;
	bool one_line;             /* cut with "…" at the width instead of wrapping */
};

struct rd;

struct report_fonts;

/* Opens a document writing into out, titled title, dated date (ISO "YYYY-MM-DD"), holding fonts
 * until rd_close or rd_abort. Returns 0 and *rd; -ENOENT when the font files are missing; -EIO
 * (err filled); -ENOMEM. */
int rd_open(struct report_fonts *fonts, struct strbuf *out, const char *title, const char *date, struct rd **rd,
	    char *err, size_t errlen);
/* Finishes the document (the last page included) and frees rd; returns 0 or -EIO (err filled).
 * With rd NULL returns 0. */
int rd_close(struct rd *rd, char *err, size_t errlen);
/* Frees rd without finishing (after a failure); NULL is fine. */
void rd_abort(struct rd *rd);

/* Starts a new page (ending the one before, with its footer); the cursor goes to its top. */
void rd_page(struct rd *rd, const char *footer);
/* The cursor: the top of the next block, in points from the page's top. */
double rd_y(const struct rd *rd);
void rd_set_y(struct rd *rd, double y);
/* Starts a new page (with footer) when fewer than need points are left above the bottom. */
void rd_need(struct rd *rd, double need, const char *footer);

/* Sets utf8 at (x, y) in a box width points wide; returns the height it took. */
double rd_text(struct rd *rd, double x, double y, double width, const struct rd_font *f, const char *utf8);
/* As rd_text at the cursor's left margin across the text width, moving the cursor below it
 * plus gap points. */
void rd_para(struct rd *rd, const struct rd_font *f, const char *utf8, double gap);
/* The width utf8 takes in font f (one line). */
double rd_text_width(struct rd *rd, const struct rd_font *f, const char *utf8);

/* A line from (x1, y1) to (x2, y2); dashed when dash > 0 (dash and gap of that length). */
void rd_line(struct rd *rd, double x1, double y1, double x2, double y2, double width, enum rd_colour c, double dash);
/* A dot of radius r, filled with fill and ringed with ring. */
void rd_dot(struct rd *rd, double x, double y, double r, enum rd_colour fill, enum rd_colour ring);
/* A filled rectangle. */
void rd_rect(struct rd *rd, double x, double y, double w, double h, enum rd_colour c);
