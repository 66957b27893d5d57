/* report-fonts.h - the report's fonts: the DejaVu Sans files of Debian's fonts-dejavu-core in a
 * private fontconfig configuration (no system or user font is ever looked at, so every machine
 * sets the same glyphs), behind a pango font map of its own. Internal to report/. */
#pragma once

#include <pango/pango.h>
#include <stddef.h>

#ifndef REPORT_FONT_DIR
#define REPORT_FONT_DIR "/usr/share/fonts/truetype/dejavu"
#endif
#define REPORT_FONT_FAMILY "DejaVu Sans"

struct report_fonts;

/* Loads the font files into a configuration of their own and makes a font map on it. Returns 0
 * and *out (report_fonts_free); -ENOENT (err names the missing file); -ENOMEM. */
int report_fonts_new(struct report_fonts **out, char *err, size_t errlen);
/* The font map (owned by fonts). */
PangoFontMap *report_fonts_map(struct report_fonts *fonts);
/* Frees fonts; NULL is fine. */
void report_fonts_free(struct report_fonts *fonts);
