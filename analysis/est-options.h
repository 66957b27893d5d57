/* est-options.h - the estimator's options by name: the interval method (`ci`) and the
 * lonely-PSU rule (`lonely_psu`), as the CLI and the API spell them (method.md §4). */
#pragma once

#include "est-compute.h"

/* The method named name: "logit", "beta" or "wald" (exactly, lower case). Returns 0 and *out,
 * or -EINVAL (name NULL or another word; *out unchanged). */
int est_ci_parse(const char *name, enum est_ci *out);
/* The rule named name: "fail", "adjust", "remove" or "certainty" (exactly, lower case).
 * Returns 0 and *out, or -EINVAL (name NULL or another word; *out unchanged). */
int est_lonely_parse(const char *name, enum est_lonely *out);
/* The name of a method ("logit" for a value out of range); static storage. */
const char *est_ci_name(enum est_ci ci);
