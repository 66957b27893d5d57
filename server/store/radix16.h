/* radix16.h - sorting records of 16 bytes by a 128-bit key: an LSD radix sort, for the
 * registry's million-row sorts (qsort's merge sort and its comparator calls took a quarter of
 * a draw's time). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define RADIX16_REC 16

/* The record's key word w (0 the most significant, 3 the least). */
typedef uint32_t (*radix16_word_fn)(const void *rec, int w);

/* Sorts the n records of 16 bytes at base in ascending order of their four key words, ties
 * keeping their order (stable), with a scratch copy of them on the heap. Returns 0, or -ENOMEM
 * with base untouched (the caller may qsort instead). */
int radix16_sort(void *base, size_t n, radix16_word_fn word);
