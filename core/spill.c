#include "spill.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

typedef struct {
    int64_t tag;
    int stream, owner;
    off_t offset;
    size_t n;
} run;

struct md_spill {
    pthread_mutex_t lock;
    FILE *file; /* in $TMPDIR or /tmp, unlinked at once (open_file) */
    off_t end;
    run *runs;
    size_t nruns, cap;
};

md_spill *md_spill_new(void)
{
    md_spill *s = md_xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void md_spill_free(md_spill *s)
{
    if (!s)
        return;
    if (s->file)
        fclose(s->file);
    pthread_mutex_destroy(&s->lock);
    free(s->runs);
    free(s);
}

/* The directory spilled runs go to: $TMPDIR, else /tmp. */
static const char *spill_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

/* A file in spill_dir() removed from the directory at once: gone when closed, even after a
 * crash, and no other process can open it by name. */
static FILE *open_file(md_err *err)
{
    char *path = md_xasprintf("%s/modeldeck-spill-XXXXXX", spill_dir());
    int fd = mkstemp(path);
    FILE *f = NULL;
    if (fd < 0) {
        md_err_set(err, MD_ERROR,
                   "cannot create a temporary file in %s (set TMPDIR to another "
                   "directory): %s",
                   spill_dir(), strerror(errno));
    } else {
        unlink(path);
        if (!(f = fdopen(fd, "w+"))) {
            md_err_set(err, MD_ERROR, "cannot open a temporary file in %s: %s", spill_dir(),
                       strerror(errno));
            close(fd);
        }
    }
    free(path);
    return f;
}

static md_status put(md_spill *s, int owner, int64_t tag, int stream, const uint64_t *keys,
                     size_t n, bool more, md_err *err)
{
    md_status rc = MD_OK;
    pthread_mutex_lock(&s->lock);
    run *last = s->nruns ? &s->runs[s->nruns - 1] : NULL;
    bool lengthen = more && last && last->owner == owner && last->tag == tag &&
                    last->stream == stream &&
                    last->offset + (off_t)(last->n * sizeof *keys) == s->end;
    if (!s->file && !(s->file = open_file(err)))
        rc = err->code;
    if (rc == MD_OK && (fseeko(s->file, s->end, SEEK_SET) != 0 ||
                        fwrite(keys, sizeof *keys, n, s->file) != n || fflush(s->file) != 0))
        rc = md_err_set(err, MD_ERROR,
                        "cannot write a temporary file in %s (full? set TMPDIR "
                        "to another directory): %s",
                        spill_dir(), strerror(errno));
    if (rc == MD_OK && lengthen) {
        last->n += n;
    } else if (rc == MD_OK) {
        s->runs = md_xgrow(s->runs, &s->cap, s->nruns + 1, sizeof *s->runs);
        s->runs[s->nruns++] = (run){tag, stream, owner, s->end, n};
    }
    if (rc == MD_OK)
        s->end += (off_t)(n * sizeof *keys);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

md_status md_spill_put(md_spill *s, int owner, int64_t tag, int stream, const uint64_t *keys,
                       size_t n, md_err *err)
{
    return put(s, owner, tag, stream, keys, n, false, err);
}

md_status md_spill_put_more(md_spill *s, int owner, int64_t tag, int stream, const uint64_t *keys,
                            size_t n, md_err *err)
{
    return put(s, owner, tag, stream, keys, n, true, err);
}

void md_spill_drop(md_spill *s, int owner)
{
    size_t keep = 0;
    for (size_t i = 0; i < s->nruns; i++)
        if (s->runs[i].owner != owner)
            s->runs[keep++] = s->runs[i];
    s->nruns = keep;
}

size_t md_spill_count(md_spill *s, int64_t tag, int stream)
{
    size_t n = 0;
    for (size_t i = 0; s && i < s->nruns; i++)
        if (s->runs[i].tag == tag && s->runs[i].stream == stream)
            n += s->runs[i].n;
    return n;
}

/* ---- merging ---------------------------------------------------------------------------------- */

#define CHUNK 4096

typedef struct {
    int fd;
    off_t next;        /* file offset of the next unread key */
    size_t left;       /* keys not yet read from the file */
    uint64_t buf[CHUNK];
    size_t pos, n;     /* position in buf, keys in buf */
    const uint64_t *mem; /* or: an array in memory */
} source;

struct md_keys {
    source *src;
    size_t nsrc;
    bool ok;
    size_t total; /* keys in all sources */
    struct {
        uint64_t key; /* the source's next key */
        size_t src;
    } * heap; /* the sources with keys left, by their next key (a min-heap) */
    size_t nheap;
    bool started;
    bool any_order; /* the sources one after the other, not merged */
};

static bool refill(source *s)
{
    if (s->mem || s->pos < s->n)
        return s->pos < s->n;
    size_t want = s->left < CHUNK ? s->left : CHUNK;
    if (want == 0)
        return false;
    ssize_t got = pread(s->fd, s->buf, want * sizeof *s->buf, s->next);
    if (got != (ssize_t)(want * sizeof *s->buf))
        return false;
    s->next += got;
    s->left -= want;
    s->pos = 0;
    s->n = want;
    return true;
}

md_keys *md_keys_open(md_spill *s, int64_t tag, int stream, const uint64_t *mem, size_t n)
{
    md_keys *it = md_xcalloc(1, sizeof *it);
    size_t runs = 0;
    for (size_t i = 0; s && i < s->nruns; i++)
        runs += s->runs[i].tag == tag && s->runs[i].stream == stream;
    it->src = md_xcalloc(runs + 1, sizeof *it->src);
    it->ok = true;
    for (size_t i = 0; s && i < s->nruns; i++) {
        const run *r = &s->runs[i];
        if (r->tag != tag || r->stream != stream)
            continue;
        source *src = &it->src[it->nsrc++];
        src->fd = fileno(s->file);
        src->next = r->offset;
        src->left = r->n;
        it->ok &= refill(src) || r->n == 0;
    }
    source *m = &it->src[it->nsrc++];
    m->mem = mem;
    m->n = n;
    it->total = n;
    for (size_t i = 0; s && i < s->nruns; i++)
        it->total += s->runs[i].tag == tag && s->runs[i].stream == stream ? s->runs[i].n : 0;
    return it;
}

size_t md_keys_total(const md_keys *it)
{
    return it->total;
}

static inline uint64_t head(const source *s)
{
    return s->mem ? s->mem[s->pos] : s->buf[s->pos];
}

/* Whether source s has a key to give (refilling its buffer from the file); a short read of the
 * file marks the iteration failed. */
static bool has_key(md_keys *it, source *s)
{
    if (s->pos < s->n || refill(s))
        return true;
    it->ok &= s->mem || s->left == 0;
    return false;
}

static void sift_down(md_keys *it, size_t i)
{
    size_t n = it->nheap;
    __typeof__(*it->heap) x = it->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        c += c + 1 < n && it->heap[c + 1].key < it->heap[c].key;
        if (it->heap[c].key >= x.key)
            break;
        it->heap[i] = it->heap[c];
        i = c;
    }
    it->heap[i] = x;
}

/* The sources in a heap by their next key: the merge costs log(runs) a key, not runs. */
static void start(md_keys *it)
{
    it->started = true;
    it->heap = md_xmalloc((it->nsrc + 1) * sizeof *it->heap);
    for (size_t i = 0; i < it->nsrc; i++)
        if (has_key(it, &it->src[i])) {
            it->heap[it->nheap].key = head(&it->src[i]);
            it->heap[it->nheap++].src = i;
        }
    for (size_t i = it->nheap / 2; i-- > 0;)
        sift_down(it, i);
}

/* Up to max keys of source s, copied as they are. */
static size_t copy_from(md_keys *it, source *s, uint64_t *out, size_t max)
{
    size_t n = 0;
    while (n < max && has_key(it, s)) {
        size_t k = s->n - s->pos < max - n ? s->n - s->pos : max - n;
        memcpy(out + n, (s->mem ? s->mem : s->buf) + s->pos, k * sizeof *out);
        s->pos += k;
        n += k;
    }
    return n;
}

md_keys *md_keys_open_any_order(md_spill *s, int64_t tag, int stream, const uint64_t *mem, size_t n)
{
    md_keys *it = md_keys_open(s, tag, stream, mem, n);
    it->any_order = true;
    return it;
}

bool md_keys_next(md_keys *it, uint64_t *key)
{
    return md_keys_take(it, key, 1) == 1;
}

size_t md_keys_take(md_keys *it, uint64_t *out, size_t max)
{
    size_t n = 0;
    if (it->nsrc == 1 || it->any_order) { /* straight copies, one source after the other */
        for (size_t i = 0; i < it->nsrc && n < max; i++)
            n += copy_from(it, &it->src[i], out + n, max - n);
        return n;
    }
    if (!it->started)
        start(it);
    while (n < max && it->nheap) {
        source *s = &it->src[it->heap[0].src];
        out[n++] = it->heap[0].key;
        s->pos++;
        if (has_key(it, s)) {
            it->heap[0].key = head(s);
        } else { /* spent: the last source takes its place */
            it->heap[0] = it->heap[--it->nheap];
            if (!it->nheap)
                break;
        }
        sift_down(it, 0);
    }
    return n;
}

bool md_keys_ok(const md_keys *it)
{
    return it->ok;
}

void md_keys_close(md_keys *it)
{
    if (!it)
        return;
    free(it->heap);
    free(it->src);
    free(it);
}
