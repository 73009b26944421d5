/* SHA-256 through OpenSSL's libcrypto, as lower-case hex.
 *
 * Why: the audit chain hashes its rows and an ingest hashes its file (to refuse the same file
 * twice); both want the same digest, spelled the same way. */
#ifndef MD_SHA256_H
#define MD_SHA256_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* A digest in progress (feed it with EVP_DigestUpdate); libcrypto without SHA-256 is fatal. */
EVP_MD_CTX *md_sha256_begin(void);
/* Finishes and frees the digest; out receives 64 hex digits and a NUL. */
void md_sha256_end(EVP_MD_CTX *ctx, char out[65]);

/* A file's SHA-256, computed on a thread of its own from the moment a command knows the file:
 * on a large file it is the longest single task, and while the command sets up its work (the
 * store, the baseline) the other core would otherwise wait. */
typedef struct md_file_hasher md_file_hasher;
md_file_hasher *md_file_hash_start(const char *path);
/* The same, yielding the cores to the command's own threads (a lower priority): for work split
 * in fixed halves (a baseline), whose half sharing a core with the hash would end last, while
 * the hash fills what the other half leaves idle. (An ingest's threads read the file through
 * the hash instead: md_file_hash_start_feed.) */
md_file_hasher *md_file_hash_start_behind(const char *path);
/* A file's SHA-256 that reads the file once for the hash and for the command's parse (a second
 * read of the file into the parse's own buffers costs the two threads about as much CPU as a
 * fifth of the hash): the parse's threads take the file in pieces, and the thread that takes
 * the next piece reads it and hashes it (one at a time, in the file's order), then parses it
 * from the feed's buffer. A piece holds whole lines: raw pieces of `piece` bytes (0:
 * MD_FEED_PIECE) are read, and a piece runs on to the first line end of the next one (so it
 * may be longer); together they are the file from its first byte, as it was when opened.
 * Until the first piece is asked for, a thread of its own (at the lowest priority) reads and
 * hashes the first raw pieces ahead, 16 at most, on the core the command leaves idle while it
 * prepares. After the last piece, or md_file_hash_unfeed, the hash reads what is left by
 * itself. */
#define MD_FEED_PIECE (1u << 20)
typedef struct {
    size_t off; /* the file offset of p[0] */
    char *p;    /* n bytes, writable; 16 readable before, 33 writable after */
    size_t n;
    void *buf; /* the feed's */
} md_piece;
md_file_hasher *md_file_hash_start_feed(const char *path, size_t piece);
/* The next piece in file order (read and hashed now, while another thread waits for its own
 * next piece); false when there are none left (the file's end, a read error, or
 * md_file_hash_unfeed). Two threads may take pieces at once. */
bool md_file_hash_piece(md_file_hasher *h, md_piece *out);
/* Gives the piece's buffer back: taken pieces have to come back before md_file_hash_finish. */
void md_file_hash_piece_done(md_file_hasher *h, md_piece *p);
/* No more pieces are wanted: the hash reads the rest of the file on a thread of its own. Called
 * when no thread takes pieces any more. */
void md_file_hash_unfeed(md_file_hasher *h);
/* Waits for the hash and frees h; out receives the hex digest. An error when the file could not
 * be read, or when it was not `size` bytes long (what the command read): it changed meanwhile. */
md_status md_file_hash_finish(md_file_hasher *h, size_t size, char out[65], md_err *err);
/* Stops the hash (within a few megabytes) and frees h; NULL is a no-op. */
void md_file_hash_cancel(md_file_hasher *h);

#endif
