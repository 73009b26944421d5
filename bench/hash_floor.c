/* How long the files' SHA-256 takes on this machine, as baseline and ingest compute it:
 *
 *   hash_floor RUNS FILE...
 *
 * Every baseline and ingest hashes its whole file (the digest is how a file already ingested
 * is refused), through the engine's own hasher (core/sha256.h: libcrypto, on a thread of its
 * own). SHA-256 is one chain of blocks that no second core can share, so the hashes' time is a
 * floor under the monitoring pass that no parsing can go below. Prints the best total of RUNS
 * runs, in seconds, and each file's digest. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "sha256.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 0;
    if (argc < 3 || runs < 1) {
        fprintf(stderr, "usage: hash_floor RUNS FILE...\n");
        return 2;
    }
    double best = -1;
    for (int r = 0; r < runs; r++) {
        double total = 0;
        for (int i = 2; i < argc; i++) {
            struct stat st;
            if (stat(argv[i], &st) != 0) {
                perror(argv[i]);
                return 1;
            }
            char sha[65];
            md_err err = {0};
            double t0 = now();
            md_file_hasher *h = md_file_hash_start(argv[i]);
            if (md_file_hash_finish(h, (size_t)st.st_size, sha, &err) != MD_OK) {
                fprintf(stderr, "hash_floor: %s\n", err.msg);
                return 1;
            }
            total += now() - t0;
            if (r == 0)
                fprintf(stderr, "%s  %s\n", sha, argv[i]);
        }
        if (best < 0 || total < best)
            best = total;
    }
    printf("%.3f\n", best);
    return 0;
}
