/* The file the reader targets read: md_reader reads paths, so each input is written to one
 * temporary file (made once a process, in $TMPDIR or /tmp, removed at exit). */
#ifndef MD_FUZZ_FILE_H
#define MD_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>

/* The file's path after it was overwritten with data[0..size); suffix: its extension. */
const char *md_fuzz_file(const char *suffix, const uint8_t *data, size_t size);

/* RFC 3629 UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF), written here
 * from the RFC's table so that it does not share code with core/text.c. */
int md_fuzz_utf8_ok(const unsigned char *s, size_t n);

#endif
