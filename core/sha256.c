#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
    size_t size;
    bool cut;      /* the file was cut short while it was hashed ... */
    size_t cut_to; /* ... to this size */
    char hex[65];
};

/* By read(), where the file cannot be mapped (an unusual file system). */
static bool hash_by_reading(md_file_hasher *h, int fd, EVP_MD_CTX *ctx)
{
    char *buf = md_xmalloc(1u << 20);
    bool ok = true;
    h->size = 0;
    while (!atomic_load_explicit(&h->stop, memory_order_relaxed)) {
        ssize_t n = read(fd, buf, 1u << 20);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        h->size += (size_t)n;
    }
    free(buf);
    return ok;
}

/* A mapped file cut short while it is hashed (a log rotation's copytruncate) raises SIGBUS on
 * the first page past its new end. The thread hashing it has its jump buffer here; the handler
 * jumps back to it, and anywhere else puts the action it found back, so that the fault, raised
 * again, does what it did before. */
static _Thread_local sigjmp_buf *bus_guard;
static struct sigaction bus_before;

static void on_bus(int sig, siginfo_t *info, void *uctx)
{
    (void)sig, (void)info, (void)uctx;
    if (bus_guard)
        siglongjmp(*bus_guard, 1);
    sigaction(SIGBUS, &bus_before, NULL);
}

static void install_bus_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &bus_before);
}

/* Hashes the mapping 8 MiB at a time, handing each chunk's pages back once hashed: no copy of
 * the file, and no more than a chunk of it resident. False when the file was cut short. */
static bool hash_mapped(md_file_hasher *h, const unsigned char *map, EVP_MD_CTX *ctx)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_bus_handler);
    sigjmp_buf jb;
    if (sigsetjmp(jb, 1)) { /* SIGBUS: the pages past the file's new end are gone */
        bus_guard = NULL;
        return false;
    }
    bus_guard = &jb;
    const size_t chunk = 8u << 20;
    for (size_t off = 0; off < h->size; off += chunk) {
        if (atomic_load_explicit(&h->stop, memory_order_relaxed))
            break;
        size_t n = h->size - off < chunk ? h->size - off : chunk;
        EVP_DigestUpdate(ctx, map + off, n);
        madvise((void *)(map + off), n, MADV_DONTNEED);
    }
    bus_guard = NULL;
    return true;
}

/* Through a read-only mapping (hash_mapped), else by read(). */
static void hash_file(md_file_hasher *h)
{
    EVP_MD_CTX *ctx = md_sha256_begin();
    int fd = open(h->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: no wait for a writer */
    struct stat st;
    h->ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (h->ok)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    h->size = h->ok ? (size_t)st.st_size : 0;
    const unsigned char *map =
        h->ok && h->size ? mmap(NULL, h->size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    if (map != MAP_FAILED) {
        if (!hash_mapped(h, map, ctx)) {
            h->cut = true;
            h->cut_to = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0;
        }
        munmap((void *)map, h->size);
    } else if (h->ok && h->size) {
        h->ok = hash_by_reading(h, fd, ctx);
    }
    if (fd >= 0)
        close(fd);
    md_sha256_end(ctx, h->hex); /* a digest of what was read; not used when cut */
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
    /* a writer still appending: what was read is not the file any more (and its hash, stored,
     * would let the whole file in again later, the rows read now counted twice) */
    size_t now = stat(h->path, &st) == 0 ? (size_t)st.st_size : h->size;
    if (h->cut || (h->ok && h->size == size && now != size))
        rc = md_err_set(err, MD_ERROR,
                        "%s changed while it was read: it had %zu bytes when opened, %zu now",
                        h->path, h->size, h->cut ? h->cut_to : now);
    else if (!h->ok)
        rc = md_err_set(err, MD_ERROR, "cannot read %s to hash it", h->path);
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
