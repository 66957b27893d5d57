/* report-fonts.h - the report's fonts (public type in report.h): the DejaVu Sans files of Debian's
 * fonts-dejavu-core in a private fontconfig configuration (no system or user font is ever looked
 * at, so every machine sets the same glyphs), behind a pango font map of its own. Internal to
 * report/. */
#pragma once

#include <pango/pango.h>
#include <stddef.h>

#include "report.h"

#ifndef REPORT_FONT_DIR
#define REPORT_FONT_DIR "/usr/share/fonts/truetype/dejavu"
#endif
#define REPORT_FONT_FAMILY "DejaVu Sans"

/* Takes fonts' lock and loads the fonts on first use; returns 0 and the font map (owned by
 * fonts, usable until report_fonts_unlock); -ENOENT (err names the missing file, the lock
 * released); -ENOMEM (the lock released). */
int report_fonts_lock(struct report_fonts *fonts, PangoFontMap **map, char *err, size_t errlen);
/* Gives the lock back. */
void report_fonts_unlock(struct report_fonts *fonts);
