/* dashboard.h - what the dashboard's pages share (handlers-dashboard.c, dashboard-rounds.c):
 * number formats and the sections on other rounds. */
#pragma once

#include <stddef.h>

#include "analyst.h"
#include "strbuf.h"

/* "81,4" (one decimal, decimal comma), or "–" when not a number, written into buf (at least
 * 24 bytes), which is returned; the same for the two below. */
const char *dash_fmt1(char *buf, size_t len, double v);
/* As dash_fmt1 with a sign: "+2,1", "-0,4", "0,0". */
const char *dash_fmt_signed(char *buf, size_t len, double v);
/* A p-value: "0,023", "&lt; 0,001" (HTML), or "–". */
const char *dash_fmt_p(char *buf, size_t len, double p);
/* The characters (not bytes) of a UTF-8 string. */
size_t dash_chars(const char *s);
/* The axis range of a chart: whole tens around every interval [lo, hi] and the baseline (NAN:
 * none), within 0..100 and at least 10 wide. */
void dash_axis_range(const double *lo, const double *hi, size_t n, double base, double *amin, double *amax);
/* The main page's section "this round against another round of the same form" per agency:
 * ?against=CODE, else the previous round of the same form; a notice when there is none.
 * x->est[0] holds this round by agency. Returns 0, an HTTP status with the reply set (an
 * unknown or unrelated against), or a negative errno. */
int dash_rounds_section(struct strbuf *sb, struct http_req *req, struct analyst_ctx *x);
/* The agency page's section: the agency's headline index in every round of the same form,
 * oldest first, as a table and an SVG chart. x->est[0] holds this round by agency. Returns 0
 * or a negative errno. */
int dash_trend_section(struct strbuf *sb, struct http_req *req, struct analyst_ctx *x, const char *agency);
