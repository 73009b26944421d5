/* What the fuzz targets share: reporting a broken property. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

void md_fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: property broken: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

#include <string.h>
#include <unistd.h>

#include "fuzz_file.h"

static char fuzz_path[4096];

static void remove_file(void)
{
    if (fuzz_path[0])
        unlink(fuzz_path);
}

const char *md_fuzz_file(const char *suffix, const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0) {
        const char *dir = getenv("TMPDIR");
        snprintf(fuzz_path, sizeof fuzz_path, "%s/md-fuzz-XXXXXX%s", dir && *dir ? dir : "/tmp",
                 suffix);
        fd = mkstemps(fuzz_path, (int)strlen(suffix));
        if (fd < 0)
            md_fuzz_fail("cannot make a temporary file %s", fuzz_path);
        atexit(remove_file);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        md_fuzz_fail("cannot write %s", fuzz_path);
    return fuzz_path;
}

int md_fuzz_utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* the second byte's range */
        if (c < 0x80)
            len = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80; /* E0: no overlong */
            hi = c == 0xED ? 0x9F : 0xBF; /* ED: no surrogate */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80; /* F0: no overlong */
            hi = c == 0xF4 ? 0x8F : 0xBF; /* F4: nothing past U+10FFFF */
        } else
            return 0;
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            unsigned b = s[i + k];
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
                return 0;
        }
        i += len;
    }
    return 1;
}
