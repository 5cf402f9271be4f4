/* fuzz.h — what every fuzz target shares. Each target defines
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (make fuzz,
 * clang) or with replay.c, which runs saved inputs through it (make check,
 * any compiler), so every input a fuzzer ever found stays a test. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Once per process: the data directory of the source tree, a fixed clock,
 * and the commands' messages to /dev/null (they are the expected output of
 * bad input, and would drown the fuzzer's) unless FUZZ_VERBOSE is set. */
void fuzz_setup(void);

/* The input as a NUL-terminated copy; free it. */
char *fuzz_string(const uint8_t *data, size_t size);

#endif
