/* loopback: a test HTTP server on 127.0.0.1, plain or TLS, run in a thread of the test process
 * and answering from a script of statuses; shared by check_http.c and the jobs' webhook tests.
 *
 * Why a real server: retries, timeouts, TLS trust and what reaches the wire are libcurl's
 * behaviour under our options; only a socket shows them. Why one copy: the suites need the
 * same server, and a fix to it (a request read in full, a stop that cuts a delay short) must
 * reach all of them. The TLS key and self-signed certificate are made in memory at test time,
 * so nothing secret or expiring is checked in. */
#ifndef MD_TEST_LOOPBACK_H
#define MD_TEST_LOOPBACK_H

#include <jansson.h>
#include <openssl/types.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* The server: answers request i with statuses[i] (the last one repeats). Set the script's
 * fields before lb_start; read requests and last after lb_stop. */
typedef struct {
    int statuses[8];
    int nstatus;
    int delay_ms;          /* before each answer; cut short when the server stops */
    const char *location;  /* a Location header, for 3xx */
    const char *resp_body; /* NULL: "{}" */
    size_t chunk;          /* > 0: the body goes out in pieces this big, 2 ms apart */
    SSL_CTX *tls;          /* non-NULL: speak TLS (lb_tls_setup) */
    /* filled in by the server */
    int port, fd, stop[2];
    bool running;
    pthread_t thread;
    atomic_int requests; /* complete requests read */
    char last[16384];    /* the last request, as far as it fits */
    /* the TLS material behind tls, freed by lb_teardown */
    EVP_PKEY *key;
    X509 *cert;
} lb_server;

/* For a checked fixture: clears s, ignores SIGPIPE (the server writes to clients that gave up)
 * and keeps proxies from the environment out of the way. */
void lb_setup(lb_server *s);
/* Stops s, frees its TLS material and restores SIGPIPE. */
void lb_teardown(lb_server *s);

/* Starts s on a free port, scripted by the statuses (ended by 0). */
void lb_start(lb_server *s, const int *statuses);
/* Stops s if it runs, cutting a delayed answer short. */
void lb_stop(lb_server *s);
/* "http(s)://127.0.0.1:port" + path; the buffer is static, valid until the next call. */
const char *lb_url(const lb_server *s, const char *path);
/* The body of the last request, parsed as JSON (after lb_stop); fails the test if it is not. */
json_t *lb_body(const lb_server *s);

/* A socket bound to 127.0.0.1 on a free port; listening when `listening`. */
int lb_bound_socket(bool listening, int *port);
/* A P-256 key and a self-signed certificate for `san` ("IP:127.0.0.1"), which s serves from
 * then on; returns the certificate's PEM file under tu_dir(). */
const char *lb_tls_setup(lb_server *s, const char *san);

#endif
