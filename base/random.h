/* random.h - random bytes from the kernel (getrandom). */
#pragma once

#include <stddef.h>

/* Fills buf with n random bytes; returns 0 or a negative errno. */
int random_bytes(void *buf, size_t n);
