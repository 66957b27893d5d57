/* qr-svg.h - QR codes as inline SVG; libqrencode lives only in qr-svg.c. */
#pragma once

#include "strbuf.h"

#define QR_TEXT_MAX 512     /* bytes of text one code carries */

/* Appends an <svg> of the QR code of text (error correction M, 8-bit mode, a quiet zone of 4
 * modules), size_mm wide, with aria-label label (escaped). Returns 0, -EINVAL (empty or too
 * long text), -ENOMEM, or another negative errno from the encoder. */
int qr_svg(struct strbuf *sb, const char *text, double size_mm, const char *label);
