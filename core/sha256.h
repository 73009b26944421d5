/* SHA-256 through OpenSSL's libcrypto, as lower-case hex.
 *
 * Why: the audit chain hashes its rows and an ingest hashes its file (to refuse the same file
 * twice); both want the same digest, spelled the same way. */
#ifndef MD_SHA256_H
#define MD_SHA256_H

#include <openssl/evp.h>
#include <stddef.h>

/* A digest in progress (feed it with EVP_DigestUpdate); libcrypto without SHA-256 is fatal. */
EVP_MD_CTX *md_sha256_begin(void);
/* Finishes and frees the digest; out receives 64 hex digits and a NUL. */
void md_sha256_end(EVP_MD_CTX *ctx, char out[65]);
/* The SHA-256 of the file's first `size` bytes. */
void md_file_sha256(const char *path, size_t size, char out[65]);

#endif
