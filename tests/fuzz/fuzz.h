/* fuzz.h - what every fuzz target defines: libFuzzer's entry point. fuzz-replay.c calls it on
 * the files of a seed corpus, so the same targets run as ordinary tests. */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A target's invariant does not hold: crash, so that the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) __builtin_trap(); } while (0)
