/* report-fonts.c - a private fontconfig configuration with only the report's font files (see
 * report-fonts.h). */
#include "report-fonts.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct report_fonts {
	FcConfig *config;
	PangoFontMap *map;
};

static const char *const files[] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" };

int report_fonts_new(struct report_fonts **out, char *err, size_t errlen)
{
	struct report_fonts *f = calloc(1, sizeof *f);
	char path[512];
	size_t i;
	int r = -ENOMEM;

	if (!f || !(f->config = FcConfigCreate()))
		goto fail;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", REPORT_FONT_DIR, files[i]);
		if (access(path, R_OK) != 0 || !FcConfigAppFontAddFile(f->config, (const FcChar8 *)path)) {
			snprintf(err, errlen, "font file %s is missing (Debian package fonts-dejavu-core)", path);
			r = -ENOENT;
			goto fail;
		}
	}
	f->map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
	if (!f->map)
		goto fail;
	pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(f->map), f->config);
	*out = f;
	return 0;
fail:
	report_fonts_free(f);
	return r;
}

PangoFontMap *report_fonts_map(struct report_fonts *fonts)
{
	return fonts->map;
}

void report_fonts_free(struct report_fonts *fonts)
{
	if (!fonts)
		return;
	if (fonts->map)
		g_object_unref(fonts->map);
	if (fonts->config)
		FcConfigDestroy(fonts->config);
	free(fonts);
}
