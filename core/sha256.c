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

/* Read in pieces that stay in the core's second-level cache between the copy and the hash. A
 * mapping would save the copy, but its page faults cost more than the copy does (measured on
 * processors with and without SHA extensions), and reading ends quietly where a file cut short
 * now ends, where a mapping raises SIGBUS. */
#define HASH_PIECE (256u << 10)

/* Raw pieces read ahead at most, and buffers kept for reuse: pieces taken while the pass runs
 * come back at once, and those read ahead are given back to the system as they come back. */
#define FEED_AHEAD 16
#define FEED_KEEP  4

/* A buffer of the feed: bytes [off, off + len) of the file at mem + 16, with 16 bytes before
 * them and 33 after what a piece uses (a sentinel, and the reader's 32-byte block scans). */
typedef struct {
    char *mem;
    size_t cap; /* bytes mem + 16 holds before the padding */
    size_t off, len;
} feed_buf;

struct md_file_hasher {
    char *path;
    pthread_t thread;
    bool threaded;
    bool behind; /* at a lower priority than the command's threads */
    atomic_bool stop;
    bool ok;
    size_t size; /* the bytes hashed */
    char hex[65];
    int fd;          /* the file, while it is read */
    EVP_MD_CTX *ctx; /* the digest, while it is computed */
    /* a feed (md_file_hash_start_feed): the threads that take pieces read and hash them, one
     * at a time (mu), in the file's order */
    pthread_mutex_t mu;
    size_t piece;     /* raw bytes read at a time; 0: no feed */
    bool feeding;     /* pieces are handed out (until md_file_hash_unfeed or the finish) */
    size_t feed_size; /* pieces cover [0, feed_size): the size when the file was opened */
    bool fed;         /* read to feed_size */
    feed_buf *next;   /* the raw piece read last; the next piece starts at next_from in it */
    size_t next_from;
    feed_buf **all, **free_bufs; /* every buffer made; those not in use */
    size_t nall, nfree, cap_all;
    /* the read-ahead: from the feed's start until a thread first takes a piece, a thread of its
     * own reads and hashes the first raw pieces (the other core is idle while the command
     * prepares its pass); the pass takes them first, in order */
    pthread_t ahead_thread;
    bool ahead_running;
    atomic_bool taking; /* a piece was asked for: the read-ahead ends */
    feed_buf *ahead[FEED_AHEAD];
    size_t nahead, ahead_at; /* pieces read ahead; the next one to take */
};

/* Opens the file and starts the digest; h->ok tells whether it is a regular file. */
static void hash_open(md_file_hasher *h)
{
    h->ctx = md_sha256_begin();
    h->fd = open(h->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO: no wait for a writer */
    struct stat st;
    h->ok = h->fd >= 0 && fstat(h->fd, &st) == 0 && S_ISREG(st.st_mode);
    h->size = 0;
    if (h->ok) {
        fcntl(h->fd, F_SETFL, fcntl(h->fd, F_GETFL) & ~O_NONBLOCK);
        posix_fadvise(h->fd, 0, 0, POSIX_FADV_SEQUENTIAL); /* a hint: failure changes nothing */
        h->feed_size = (size_t)st.st_size;
    }
}

/* Hashes what is left of the file, from where reading stopped to its end, and ends the digest. */
static void hash_rest(md_file_hasher *h)
{
    if (h->ok) {
        char *buf = md_xmalloc(HASH_PIECE);
        while (!atomic_load_explicit(&h->stop, memory_order_relaxed)) {
            ssize_t n = read(h->fd, buf, HASH_PIECE);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                h->ok = n == 0;
                break;
            }
            EVP_DigestUpdate(h->ctx, buf, (size_t)n);
            h->size += (size_t)n;
        }
        free(buf);
    }
    if (h->fd >= 0)
        close(h->fd);
    h->fd = -1;
    md_sha256_end(h->ctx, h->hex); /* a digest of what was read: used only when it is the file */
    h->ctx = NULL;
}

static void *hash_thread(void *arg)
{
    md_file_hasher *h = arg;
#ifdef SYS_gettid
    if (h->behind) /* this thread's nice value; a hint: failure changes nothing */
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
#endif
    if (!h->ctx)
        hash_open(h);
    hash_rest(h);
    return NULL;
}

/* The rest of the hash on a thread of its own (or at once, without one). */
static void hash_behind(md_file_hasher *h)
{
    h->threaded = pthread_create(&h->thread, NULL, hash_thread, h) == 0;
    if (!h->threaded)
        hash_thread(h);
}

static void *read_ahead(void *arg);

static md_file_hasher *start(const char *path, bool behind, size_t piece)
{
    md_file_hasher *h = md_xcalloc(1, sizeof *h);
    h->path = md_xstrdup(path);
    h->behind = behind;
    h->fd = -1;
    atomic_init(&h->stop, false);
    atomic_init(&h->taking, false);
    pthread_mutex_init(&h->mu, NULL);
    if (!piece) {
        hash_behind(h);
        return h;
    }
    hash_open(h);
    h->piece = piece;
    h->feeding = true;
    h->ahead_running = h->ok && pthread_create(&h->ahead_thread, NULL, read_ahead, h) == 0;
    return h;
}

md_file_hasher *md_file_hash_start(const char *path)
{
    return start(path, false, 0);
}

md_file_hasher *md_file_hash_start_behind(const char *path)
{
    return start(path, true, 0);
}

md_file_hasher *md_file_hash_start_feed(const char *path, size_t piece)
{
    return start(path, false, piece ? piece : MD_FEED_PIECE);
}

/* ---- the feed: one read of the file for its hash and its parse ------------------------------ */

/* A buffer not in use (under mu); a new one when all are: two threads taking pieces use three. */
static feed_buf *take_buf(md_file_hasher *h)
{
    if (h->nfree)
        return h->free_bufs[--h->nfree];
    if (h->nall == h->cap_all) {
        h->cap_all = h->cap_all ? 2 * h->cap_all : 4;
        h->all = md_xrealloc(h->all, h->cap_all * sizeof *h->all);
        h->free_bufs = md_xrealloc(h->free_bufs, h->cap_all * sizeof *h->free_bufs);
    }
    feed_buf *b = md_xcalloc(1, sizeof *b);
    b->cap = h->piece + (64u << 10); /* room for the next piece's first line */
    b->mem = md_xmalloc(16 + b->cap + 33);
    h->all[h->nall++] = b;
    return b;
}

static void give_buf(md_file_hasher *h, feed_buf *b)
{
    if (!b)
        return;
    if (h->nfree < FEED_KEEP) {
        h->free_bufs[h->nfree++] = b;
        return;
    }
    for (size_t i = 0; i < h->nall; i++)
        if (h->all[i] == b) {
            h->all[i] = h->all[--h->nall];
            break;
        }
    free(b->mem);
    free(b);
}

static void ensure_cap(feed_buf *b, size_t need)
{
    if (need <= b->cap)
        return;
    b->mem = md_xrealloc(b->mem, 16 + need + 33);
    b->cap = need;
}

/* Reads the next raw piece of [0, feed_size) into b, from b->off = the bytes hashed so far,
 * and hashes it: false on a read error. b->len: the bytes read, 0 at feed_size (or at the end
 * of a file cut short since it was opened). */
static bool feed_read(md_file_hasher *h, feed_buf *b)
{
    size_t left = h->feed_size - h->size, want = left < h->piece ? left : h->piece;
    b->off = h->size;
    b->len = 0;
    while (b->len < want) {
        ssize_t n = read(h->fd, b->mem + 16 + b->len, want - b->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            break;
        b->len += (size_t)n;
    }
    EVP_DigestUpdate(h->ctx, b->mem + 16, b->len);
    h->size += b->len;
    return true;
}

/* The next raw piece (under mu): the first one read ahead, else one read now. */
static bool pull(md_file_hasher *h, feed_buf **out)
{
    if (h->ahead_at < h->nahead) {
        *out = h->ahead[h->ahead_at++];
        return true;
    }
    *out = take_buf(h);
    if (feed_read(h, *out))
        return true;
    give_buf(h, *out);
    *out = NULL;
    return false;
}

static void *read_ahead(void *arg)
{
    md_file_hasher *h = arg;
#ifdef SYS_gettid
    /* only what the command's own threads leave idle; a hint: failure changes nothing */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
#endif
    pthread_mutex_lock(&h->mu);
    while (h->nahead < FEED_AHEAD && h->ok && !h->fed &&
           !atomic_load_explicit(&h->taking, memory_order_relaxed)) {
        feed_buf *b = take_buf(h);
        if (!feed_read(h, b))
            h->ok = false;
        if (!h->ok || b->len == 0) { /* the end: pull() reads it again, and finds it */
            give_buf(h, b);
            break;
        }
        h->ahead[h->nahead++] = b;
        pthread_mutex_unlock(&h->mu); /* a thread taking a piece gets in between */
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* The read-ahead ended (called where no other thread takes pieces). */
static void ahead_stop(md_file_hasher *h)
{
    atomic_store(&h->taking, true);
    if (h->ahead_running)
        pthread_join(h->ahead_thread, NULL);
    h->ahead_running = false;
}

/* The next piece (under mu): the rest of `next`, and of the raw pieces after it up to and with
 * their first line end. */
static bool next_piece(md_file_hasher *h, md_piece *out)
{
    if (!h->next && !h->fed) {
        h->next_from = 0;
        if (!pull(h, &h->next))
            return h->ok = false;
        h->fed = h->next->len == 0;
    }
    while (h->next) {
        feed_buf *cur = h->next, *nb = NULL;
        if (!h->fed) {
            if (!pull(h, &nb))
                return h->ok = false;
            h->fed = nb->len == 0;
        }
        size_t n = nb ? nb->len : 0;
        const char *nl = n ? memchr(nb->mem + 16, '\n', n) : NULL;
        size_t head = nl ? (size_t)(nl - (nb->mem + 16)) + 1 : n;
        ensure_cap(cur, cur->len + head);
        memcpy(cur->mem + 16 + cur->len, nb ? nb->mem + 16 : "", head);
        cur->len += head;
        if (nb && !nl && !h->fed) { /* no line ends in it: cur's last line goes on */
            give_buf(h, nb);
            continue;
        }
        size_t from = h->next_from;
        h->next = nl ? nb : NULL;
        h->next_from = head;
        if (!nl)
            give_buf(h, nb);
        if (cur->len > from) {
            *out = (md_piece){cur->off + from, cur->mem + 16 + from, cur->len - from, cur};
            return true;
        }
        give_buf(h, cur);
    }
    return false;
}

bool md_file_hash_piece(md_file_hasher *h, md_piece *out)
{
    atomic_store_explicit(&h->taking, true, memory_order_relaxed);
    pthread_mutex_lock(&h->mu);
    bool got = h->feeding && h->ok && next_piece(h, out);
    pthread_mutex_unlock(&h->mu);
    return got;
}

void md_file_hash_piece_done(md_file_hasher *h, md_piece *p)
{
    pthread_mutex_lock(&h->mu);
    give_buf(h, p->buf);
    pthread_mutex_unlock(&h->mu);
    p->buf = NULL;
}

void md_file_hash_unfeed(md_file_hasher *h)
{
    if (!h->feeding)
        return;
    ahead_stop(h);
    h->feeding = false;
    give_buf(h, h->next);
    h->next = NULL;
    while (h->ahead_at < h->nahead) /* hashed: the hash goes on after them */
        give_buf(h, h->ahead[h->ahead_at++]);
    hash_behind(h); /* the rest beside the pass, which reads the file itself now */
}

static void hasher_free(md_file_hasher *h)
{
    ahead_stop(h);
    if (h->threaded)
        pthread_join(h->thread, NULL);
    if (h->fd >= 0)
        close(h->fd);
    if (h->ctx)
        EVP_MD_CTX_free(h->ctx);
    for (size_t i = 0; i < h->nall; i++) {
        free(h->all[i]->mem);
        free(h->all[i]);
    }
    free(h->all);
    free(h->free_bufs);
    pthread_mutex_destroy(&h->mu);
    free(h->path);
    free(h);
}

md_status md_file_hash_finish(md_file_hasher *h, size_t size, char out[65], md_err *err)
{
    ahead_stop(h);
    if (h->feeding) { /* all pieces taken: what the file may have gained since, then the end */
        h->feeding = false;
        hash_rest(h);
    }
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
