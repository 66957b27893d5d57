/* report-fonts.c - a private fontconfig configuration with only the report's font files, made
 * once per process (see report-fonts.h). pango's font map is not safe to share between threads,
 * so one render at a time holds it; the fonts stay loaded for the next render, since pango
 * 1.50 keeps a reference to the configuration that a shut-down map never gives back (the
 * suppression in tests/valgrind.supp names this one load). */
#include "report-fonts.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct report_fonts {
	pthread_mutex_t lock;
	PangoFontMap *map;         /* NULL until the first render */
};

static const char *const files[] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" };

int report_fonts_new(struct report_fonts **out)
{
	struct report_fonts *f = calloc(1, sizeof *f);

	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	*out = f;
	return 0;
}

/* Under the lock: the configuration with the two files and the font map on it. */
static int load(struct report_fonts *f, char *err, size_t errlen)
{
	FcConfig *config = FcConfigCreate();
	char path[512];
	size_t i;

	if (!config)
		return -ENOMEM;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", REPORT_FONT_DIR, files[i]);
		if (access(path, R_OK) != 0 || !FcConfigAppFontAddFile(config, (const FcChar8 *)path)) {
			snprintf(err, errlen, "font file %s is missing (Debian package fonts-dejavu-core)", path);
			FcConfigDestroy(config);
			return -ENOENT;
		}
	}
	f->map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
	if (!f->map) {
		FcConfigDestroy(config);
		return -ENOMEM;
	}
	pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(f->map), config);   /* takes its own reference */
	FcConfigDestroy(config);
	return 0;
}

int report_fonts_lock(struct report_fonts *fonts, PangoFontMap **map, char *err, size_t errlen)
{
	int r;

	pthread_mutex_lock(&fonts->lock);
	if (!fonts->map && (r = load(fonts, err, errlen)) < 0) {
		pthread_mutex_unlock(&fonts->lock);
		return r;
	}
	*map = fonts->map;
	return 0;
}

void report_fonts_unlock(struct report_fonts *fonts)
{
	pthread_mutex_unlock(&fonts->lock);
}

void report_fonts_free(struct report_fonts *fonts)
{
	if (!fonts)
		return;
	/* break the cycle between the map and the fonts it made, so that both are freed */
	if (fonts->map) {
		pango_fc_font_map_shutdown(PANGO_FC_FONT_MAP(fonts->map));
		g_object_unref(fonts->map);
	}
	pthread_mutex_destroy(&fonts->lock);
	free(fonts);
}
