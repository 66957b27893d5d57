/* static-files.h - the files of pages/static/, compiled in by the build
 * (pages/static/embed-file.py): the scripts are served as they are under /static/, the
 * stylesheet is inlined by the shell (page.c). Each array ends with a NUL past NAME_len. */
#pragma once

#include <stddef.h>

/* form.js: the citizens' form's enhancement (conditional questions, progress). */
extern const char form_js[];
extern const size_t form_js_len;
/* upload.js: the survey teams' upload page. */
extern const char upload_js[];
extern const size_t upload_js_len;
/* sipas.css: the one stylesheet of every page. */
extern const char sipas_css[];
extern const size_t sipas_css_len;
/* outbox.js: offline collection in the page (service worker registration, IndexedDB, sending). */
extern const char outbox_js[];
extern const size_t outbox_js_len;
/* sw.js: the service worker, served as /sw.js (scope /). */
extern const char sw_js[];
extern const size_t sw_js_len;
