/* numfmt.h - numbers as Vietnamese readers write them: one decimal, decimal comma ("81,4"). */
#pragma once

#include <stddef.h>

/* Writes v with one decimal and a decimal comma into buf ("81,4"; "0,0" for a value that rounds
 * to -0,0) and returns buf; returns the string "–" (buf untouched) when v is not finite or buf
 * has no room. */
const char *numfmt_dec1(char *buf, size_t len, double v);
/* As numfmt_dec1, with "+" before a positive value that does not round to 0,0. */
const char *numfmt_signed1(char *buf, size_t len, double v);
/* A p-value with three decimals and a decimal comma ("0,023"), "< 0,001" below 0.001, or "–"
 * when p is not finite. Returns buf or a constant string. */
const char *numfmt_p(char *buf, size_t len, double p);
