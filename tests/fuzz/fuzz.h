/* What the fuzz targets share (tests/fuzz/README.md says how they are built and run). */
#ifndef MD_FUZZ_H
#define MD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry point, which each target defines; replay.c calls it on saved inputs. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property: the message on stderr, then abort(), which both libFuzzer and the replay
 * report as a failure with the input that caused it. */
__attribute__((format(printf, 1, 2), noreturn)) void md_fuzz_fail(const char *fmt, ...);

#endif
