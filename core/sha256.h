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
 * the hash fills what the other half leaves idle. An ingest's halves take over from each other
 * and gain nothing: the hash would only end later. */
md_file_hasher *md_file_hash_start_behind(const char *path);
/* Waits for the hash and frees h; out receives the hex digest. An error when the file could not
 * be read, or when it was not `size` bytes long (what the command read): it changed meanwhile. */
md_status md_file_hash_finish(md_file_hasher *h, size_t size, char out[65], md_err *err);
/* Stops the hash (within a few megabytes) and frees h; NULL is a no-op. */
void md_file_hash_cancel(md_file_hasher *h);

#endif
