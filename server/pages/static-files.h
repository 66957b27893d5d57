/* static-files.h - the scripts the pages load, compiled in from pages/static/ by the build
 * (pages/static/embed-file.py) and served as they are under /static/. */
#pragma once

#include <stddef.h>

/* form.js: the citizens' form's enhancement (conditional questions, progress). */
extern const char form_js[];
extern const size_t form_js_len;
/* upload.js: the survey teams' upload page. */
extern const char upload_js[];
extern const size_t upload_js_len;
