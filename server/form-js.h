/* form-js.h - the web form's enhancement script, served as /static/form.js. */
#pragma once

#include <stddef.h>

extern const char form_js[];
extern const size_t form_js_len;
