#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

struct md_file_hasher {
    char *path;
    pthread_t thread;
    bool threaded;
    bool behind; /* at a lower priority than the command's threads */
    atomic_bool stop;
    bool ok;
    size_t size; /* the bytes hashed */
    char hex[65];
};

/* Read in pieces that stay in the core's second-level cache between the copy and the hash. A
 * mapping would save the copy, but its page faults cost more than the copy does (measured on
 * processors with and without SHA extensions), and reading ends quietly where a file cut short
 * now ends, where a mapping raises SIGBUS. */
#define HASH_PIECE (256u << 10)

static void hash_file(md_file_hasher *h)
{
    EVP_MD_CTX *ctx = md_sha256_begin();
    int fd = open(h->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: no wait for a writer */
    struct stat st;
    h->ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    h->size = 0;
    if (h->ok) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL); /* a hint: failure changes nothing */
        char *buf = md_xmalloc(HASH_PIECE);
        while (!atomic_load_explicit(&h->stop, memory_order_relaxed)) {
            ssize_t n = read(fd, buf, HASH_PIECE);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                h->ok = n == 0;
                break;
            }
            EVP_DigestUpdate(ctx, buf, (size_t)n);
            h->size += (size_t)n;
        }
        free(buf);
    }
    if (fd >= 0)
        close(fd);
    md_sha256_end(ctx, h->hex); /* a digest of what was read: used only when it is the file */
}

static void *hash_thread(void *arg)
{
    md_file_hasher *h = arg;
#ifdef SYS_gettid
    if (h->behind) /* this thread's nice value; a hint: failure changes nothing */
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
#endif
    hash_file(h);
    return NULL;
}

static md_file_hasher *start(const char *path, bool behind)
{
    md_file_hasher *h = md_xcalloc(1, sizeof *h);
    h->path = md_xstrdup(path);
    h->behind = behind;
    atomic_init(&h->stop, false);
    h->threaded = pthread_create(&h->thread, NULL, hash_thread, h) == 0;
    if (!h->threaded)
        hash_file(h);
    return h;
}

md_file_hasher *md_file_hash_start(const char *path)
{
    return start(path, false);
}

md_file_hasher *md_file_hash_start_behind(const char *path)
{
    return start(path, true);
}

static void hasher_free(md_file_hasher *h)
{
    if (h->threaded)
        pthread_join(h->thread, NULL);
    free(h->path);
    free(h);
}

md_status md_file_hash_finish(md_file_hasher *h, size_t size, char out[65], md_err *err)
{
    if (h->threaded)
        pthread_join(h->thread, NULL);
    h->threaded = false;
    md_status rc = MD_OK;
    struct stat st;
    /* a writer still appending, or a rotation cutting it: what was read is not the file any
     * more (and its hash, stored, would let the whole file in again later, the rows read now
     * counted twice) */
    size_t now = stat(h->path, &st) == 0 ? (size_t)st.st_size : h->size;
    if (!h->ok)
        rc = md_err_set(err, MD_ERROR, "cannot read %s to hash it", h->path);
    else if (h->size == size && now != size)
        rc = md_err_set(err, MD_ERROR,
                        "%s changed while it was read: it had %zu bytes when opened, %zu now",
                        h->path, size, now);
    else if (h->size != size)
        rc = md_err_set(err, MD_ERROR,
                        "%s changed while it was read: it had %zu bytes when opened, %zu when "
                        "hashed",
                        h->path, size, h->size);
    memcpy(out, rc == MD_OK ? h->hex : "", rc == MD_OK ? 65 : 1);
    hasher_free(h);
    return rc;
}

void md_file_hash_cancel(md_file_hasher *h)
{
    if (!h)
        return;
    atomic_store(&h->stop, true);
    hasher_free(h);
}
