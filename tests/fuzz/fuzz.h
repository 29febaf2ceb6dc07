/* fuzz.h -- the libFuzzer entry point every target in tests/fuzz defines. */
#ifndef DVC_TESTS_FUZZ_H
#define DVC_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv); /* optional */

#endif
