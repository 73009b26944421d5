/* The reader's parts for two threads: where a file splits in two at a line (a baseline's
 * halves), and readers that share the parent's header, over pieces of the file another thread
 * read (an ingest's threads, core/sha256.h's feed). */
#include <stdio.h>
#include <string.h>

#include "reader_int.h"

md_reader *md_reader_twin(const md_reader *parent)
{
    md_reader *r = md_xcalloc(1, sizeof *r);
    r->path = md_xstrdup(parent->path);
    r->fmt = parent->fmt;
    r->line = 1;
    r->fd = -1;
    md_strmap_init(&r->cols);
    if (r->fmt == MD_FMT_CSV)
        for (size_t i = 0; i < md_reader_ncols(parent); i++)
            md_strmap_intern(&r->cols, md_reader_col(parent, i), strlen(md_reader_col(parent, i)));
    r->file_size = parent->file_size;
    r->lf = parent->lf;
    return r;
}

md_reader *md_reader_open_pieces(const md_reader *parent)
{
    md_reader *r = md_reader_twin(parent);
    r->data_pos = parent->data_pos;
    r->eof = true; /* nothing to read until a piece comes */
    ensure_fields(r, 1);
    return r;
}

void md_reader_piece(md_reader *r, size_t off, char *p, size_t n)
{
    r->base = p;
    r->off = off;
    r->size = n;
    r->pos = 0;
    r->end = off + n;
    r->eof = true;                /* what is past the piece is not this reader's to read */
    r->line = r->record_line = 0; /* unknown: a piece that fails is read again in order */
    p[n] = '\n';                  /* the sentinel */
}

size_t md_reader_boundary(const md_reader *r, size_t at)
{
    FILE *f = fopen(md_reader_path(r), "rb");
    char buf[1 << 16];
    size_t size = md_reader_size(r), found = 0;
    for (; f && !found && at < size && fseek(f, (long)at, SEEK_SET) == 0;) {
        size_t n = fread(buf, 1, sizeof buf, f);
        char *nl = n ? memchr(buf, '\n', n) : NULL;
        if (nl)
            found = at + (size_t)(nl - buf) + 1;
        else if (n < sizeof buf)
            break;
        at += n;
    }
    if (f)
        fclose(f);
    return found < size ? found : 0;
}

size_t md_reader_split_point(const md_reader *r, size_t min)
{
    size_t start = md_reader_data_start(r), size = md_reader_size(r);
    if (size - start < (min ? min : MD_TWO_THREADS_MIN))
        return 0;
    return md_reader_boundary(r, start + (size - start) / 2);
}
