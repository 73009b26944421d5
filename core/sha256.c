#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mem.h"

EVP_MD_CTX *md_sha256_begin(void)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        md_fatal("SHA-256 is not available from libcrypto");
    return ctx;
}

void md_sha256_end(EVP_MD_CTX *ctx, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void hash_by_reading(const char *path, EVP_MD_CTX *ctx)
{
    char *buf = md_xmalloc(1u << 20);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    for (ssize_t n; fd >= 0 && (n = read(fd, buf, 1u << 20)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
    }
    if (fd >= 0)
        close(fd);
    free(buf);
}

/* Hashes the file through a read-only mapping, 8 MiB at a time, handing each chunk's pages back
 * once hashed: no copy of the file, and no more than a chunk of it resident. */
void md_file_sha256(const char *path, size_t size, char out[65])
{
    EVP_MD_CTX *ctx = md_sha256_begin();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    const unsigned char *map =
        fd >= 0 && size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    if (fd >= 0)
        close(fd);
    const size_t chunk = 8u << 20;
    for (size_t off = 0; map != MAP_FAILED && off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        EVP_DigestUpdate(ctx, map + off, n);
        madvise((void *)(map + off), n, MADV_DONTNEED);
    }
    if (map != MAP_FAILED)
        munmap((void *)map, size);
    else if (size) /* no mapping (an unusual file system): read it instead */
        hash_by_reading(path, ctx);
    md_sha256_end(ctx, out);
}
