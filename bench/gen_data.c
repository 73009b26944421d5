/* Synthetic scoring data for the monitoring benchmark (bench/run.sh).
 *
 * Writes a CSV scoring log (or, with --baseline, a training-time baseline) for a churn-like
 * model: ts, customer_id, score, label, 12 numeric and 4 categorical features. Output is fully
 * determined by the options (fixed-seed xoshiro256**, no floating-point printf), streamed through
 * a fixed buffer, so 20,000,000 rows take the same few hundred KiB of memory as 2,000.
 *
 *   cc -O2 -o build/bench/gen_data bench/gen_data.c -lm
 *   gen_data --baseline --rows 200000 --out baseline.csv
 *   gen_data --rows 2000000 --days 10 --out log.csv
 *
 * Options:
 *   --rows N        rows to write (default 2000000)
 *   --days D        consecutive UTC days the timestamps cover (default 10; 30 with --baseline)
 *   --start DATE    first day, YYYY-MM-DD (default 2026-10-01; 2026-09-01 with --baseline)
 *   --seed S        RNG seed (default 20261001); baseline and log draw from different streams
 *   --baseline      no drift, no new categories: the reference distribution
 *   --out FILE      output path, "-" for stdout (default "-")
 *
 * What is in the log: rows in roughly time order (each row's time is its slot in the stream plus
 * a jitter of about a minute, 10% of rows up to half an hour away, 0.2% arriving up to six hours
 * late), always inside [start, start + days). Missing values are empty fields or "NA" (5% of
 * labels are empty). Over the last third of the days three features drift mildly
 * (monthly_spend upward, channel towards "app", email_open_rate goes missing more often), a new
 * campaign "cmp-2026-051" appears, and labels become slightly miscalibrated against the scores. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- RNG: xoshiro256** seeded by splitmix64 ------------------------------------------------ */

typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double unif(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform integer in [0, n). */
static inline uint32_t unif_int(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Standard normal (Marsaglia polar; the spare value is kept). */
typedef struct {
    rng_t r;
    int have_spare;
    double spare;
} gen_t;

static double norm(gen_t *g)
{
    if (g->have_spare) {
        g->have_spare = 0;
        return g->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * unif(&g->r) - 1.0;
        v = 2.0 * unif(&g->r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double m = sqrt(-2.0 * log(s) / s);
    g->spare = v * m;
    g->have_spare = 1;
    return u * m;
}

/* Poisson: Knuth's product method for small means, rounded normal beyond. */
static int poisson(gen_t *g, double lambda)
{
    if (lambda > 30.0) {
        double x = floor(lambda + sqrt(lambda) * norm(g) + 0.5);
        return x < 0 ? 0 : (int)x;
    }
    double L = exp(-lambda), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= unif(&g->r);
    } while (p > L);
    return k - 1;
}

static inline double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* ---- output ------------------------------------------------------------------------------ */

#define OBUF_SIZE (1u << 20)
#define ROW_MAX 1024

typedef struct {
    FILE *f;
    char *buf;
    size_t len;
} out_t;

static void out_flush(out_t *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
        fprintf(stderr, "gen_data: write failed: %s\n", strerror(errno));
        exit(1);
    }
    o->len = 0;
}

static inline char *out_reserve(out_t *o)
{
    if (o->len + ROW_MAX > OBUF_SIZE)
        out_flush(o);
    return o->buf + o->len;
}

static inline char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static inline char *put_uint(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static inline char *put_int(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_uint(p, (uint64_t)(-v));
    }
    return put_uint(p, (uint64_t)v);
}

/* v with at most `dec` decimals (rounded half away from zero, trailing zeros dropped), the way
 * "%.{dec}f" then trimming would print it; |v| < 9e12. */
static char *put_fixed(char *p, double v, int dec)
{
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    int neg = v < 0;
    double a = neg ? -v : v;
    uint64_t scaled = (uint64_t)(a * pow10[dec] + 0.5);
    uint64_t ip = scaled / (uint64_t)pow10[dec];
    uint64_t fp = scaled % (uint64_t)pow10[dec];
    if (neg && scaled)
        *p++ = '-';
    p = put_uint(p, ip);
    if (fp) {
        char digits[12];
        for (int i = dec - 1; i >= 0; i--) {
            digits[i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        int n = dec;
        while (n > 0 && digits[n - 1] == '0')
            n--;
        *p++ = '.';
        memcpy(p, digits, (size_t)n);
        p += n;
    }
    return p;
}

static inline char *put_2d(char *p, int v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

/* ---- dates ------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* ---- the model of the data --------------------------------------------------------------- */

static const char *const CHANNELS[] = {"email", "web", "app", "store", "call_center", "partner",
                                       "sms"};
static const double CHANNEL_W[] = {0.24, 0.26, 0.20, 0.12, 0.07, 0.06, 0.05};
#define N_CHANNELS 7

static const char *const REGIONS[] = {"north",      "south",      "east",     "west",
                                      "central",    "north_east", "north_west", "south_east",
                                      "south_west", "islands",    "capital",  "abroad"};
static const double REGION_W[] = {0.12, 0.11, 0.10, 0.10, 0.09, 0.09,
                                  0.08, 0.08, 0.07, 0.03, 0.11, 0.02};
#define N_REGIONS 12

static const char *const PLANS[] = {"basic", "plus", "premium", "family", "student"};
static const double PLAN_W[] = {0.38, 0.27, 0.15, 0.12, 0.08};
#define N_PLANS 5

#define N_CAMPAIGNS 50 /* cmp-2026-001 .. -050; cmp-2026-051 is new in the drifted days */

static int pick(gen_t *g, const double *w, int n)
{
    double u = unif(&g->r);
    for (int i = 0; i < n - 1; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

static const char HEADER[] =
    "ts,customer_id,score,label,age,tenure_days,monthly_spend,sessions_30d,pages_per_session,"
    "email_open_rate,days_since_purchase,support_tickets,discount_share,cart_value,engagement_z,"
    "num_devices,channel,region,plan,campaign\n";

/* A missing field: empty (2/3 of the time) or "NA". */
static inline char *put_missing(gen_t *g, char *p)
{
    if (unif_int(&g->r, 3) == 0)
        p = put_str(p, "NA");
    return p;
}

static void usage(void)
{
    fprintf(stderr, "usage: gen_data [--baseline] [--rows N] [--days D] [--start YYYY-MM-DD] "
                    "[--seed S] [--out FILE|-]\n");
    exit(2);
}

static long long parse_ll(const char *opt, const char *s, long long lo)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo) {
        fprintf(stderr, "gen_data: %s: bad value '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long long rows = 2000000, days = -1, seed = 20261001;
    int baseline = 0;
    const char *start = NULL, *out_path = "-";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--baseline") == 0) {
            baseline = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            usage();
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (strcmp(a, "--rows") == 0)
            rows = parse_ll(a, v, 0);
        else if (strcmp(a, "--days") == 0)
            days = parse_ll(a, v, 1);
        else if (strcmp(a, "--seed") == 0)
            seed = parse_ll(a, v, 0);
        else if (strcmp(a, "--start") == 0)
            start = v;
        else if (strcmp(a, "--out") == 0)
            out_path = v;
        else
            usage();
    }
    if (days < 0)
        days = baseline ? 30 : 10;
    if (!start)
        start = baseline ? "2026-09-01" : "2026-10-01";
    int sy, sm, sd;
    char tail;
    if (sscanf(start, "%4d-%2d-%2d%c", &sy, &sm, &sd, &tail) != 3 || sm < 1 || sm > 12 || sd < 1 ||
        sd > 31) {
        fprintf(stderr, "gen_data: --start: expected YYYY-MM-DD, got '%s'\n", start);
        return 2;
    }
    int64_t day0 = days_from_civil(sy, (unsigned)sm, (unsigned)sd);

    /* "YYYY-MM-DDT" for every day covered. */
    char(*daystr)[32] = malloc((size_t)days * sizeof *daystr);
    if (!daystr) {
        fprintf(stderr, "gen_data: out of memory\n");
        return 1;
    }
    for (long long d = 0; d < days; d++) {
        int y, m, dd;
        civil_from_days(day0 + d, &y, &m, &dd);
        snprintf(daystr[d], sizeof daystr[d], "%04d-%02d-%02dT", y, m, dd);
    }

    out_t o = {.f = stdout, .buf = malloc(OBUF_SIZE), .len = 0};
    if (!o.buf) {
        fprintf(stderr, "gen_data: out of memory\n");
        return 1;
    }
    if (strcmp(out_path, "-") != 0) {
        o.f = fopen(out_path, "wb");
        if (!o.f) {
            fprintf(stderr, "gen_data: %s: %s\n", out_path, strerror(errno));
            return 1;
        }
    }

    gen_t g = {.have_spare = 0};
    rng_seed(&g.r, (uint64_t)seed ^ (baseline ? 0x5EEDBA5E11E5ull : 0x10C5CA11ull));

    memcpy(out_reserve(&o), HEADER, sizeof HEADER - 1);
    o.len += sizeof HEADER - 1;

    const double span = (double)days * 86400.0;
    /* Drift ramps from 0 at the start of the last third of the days to 1 on the last day. */
    const double drift_from = (double)days * 2.0 / 3.0;

    for (long long i = 0; i < rows; i++) {
        /* Time: the row's slot in the stream, jittered. */
        double t = ((double)i + unif(&g.r)) / (double)rows * span;
        double j = unif(&g.r);
        if (j < 0.002)
            t -= unif(&g.r) * 6 * 3600.0; /* late arrival */
        else if (j < 0.10)
            t += (unif(&g.r) - 0.5) * 3600.0;
        else
            t += norm(&g) * 60.0;
        if (t < 0)
            t = unif(&g.r) * 60.0;
        if (t >= span)
            t = span - 1.0 - unif(&g.r) * 60.0;
        int64_t sec = (int64_t)t;
        int64_t d = sec / 86400, sod = sec % 86400;
        double drift = 0.0;
        if (!baseline && (double)d + 1.0 > drift_from)
            drift = fmin(1.0, ((double)d + 1.0 - drift_from) / fmax(1.0, (double)days - drift_from));

        /* Latent customer profile. */
        double age = 41.0 + 12.5 * norm(&g);
        if (age < 18)
            age = 18 + unif(&g.r) * 4;
        if (age > 92)
            age = 92;
        double tenure = floor(exp(5.6 + 1.1 * norm(&g)));
        if (tenure > 7300)
            tenure = 7300;
        double spend = exp(3.75 + 0.15 * drift + 0.62 * norm(&g));
        int sessions = poisson(&g, 6.0 + 1.2 * drift);
        double pages = 4.2 + 1.5 * norm(&g);
        if (pages < 1.0)
            pages = 1.0 + unif(&g.r) * 0.2;
        double open_rate = sigmoid(-1.3 + 0.9 * norm(&g));
        int since_purchase = (int)floor(-30.0 * log(1.0 - unif(&g.r)));
        int tickets = poisson(&g, 0.35);
        double discount = unif(&g.r) < 0.55 ? 0.0 : unif(&g.r) * 0.6;
        double cart = exp(4.2 + 0.9 * norm(&g));
        double engagement = norm(&g);
        int devices = 1 + poisson(&g, 0.9);
        if (devices > 6)
            devices = 6;

        double cw[N_CHANNELS];
        memcpy(cw, CHANNEL_W, sizeof cw);
        cw[2] += 0.16 * drift; /* app */
        cw[0] -= 0.08 * drift; /* email */
        cw[1] -= 0.08 * drift; /* web */
        int channel = pick(&g, cw, N_CHANNELS);
        int region = pick(&g, REGION_W, N_REGIONS);
        int plan = pick(&g, PLAN_W, N_PLANS);
        int campaign;
        if (drift > 0.5 && unif(&g.r) < 0.02)
            campaign = N_CAMPAIGNS; /* cmp-2026-051: launched during the log */
        else {
            /* Skewed: low-numbered campaigns are the big ones. */
            double u = unif(&g.r);
            campaign = (int)(u * u * N_CAMPAIGNS);
        }

        /* The model's score: logistic of a linear combination, plus noise it did not see. */
        double z = -1.6 - 0.012 * (age - 41.0) - 0.35 * (log(tenure + 1.0) - 5.6) -
                   0.4 * (log(spend) - 3.75) - 0.09 * (sessions - 6) + 0.9 * (0.25 - open_rate) +
                   0.011 * (since_purchase - 30) + 0.45 * tickets - 0.8 * discount -
                   0.25 * engagement - 0.1 * (devices - 2) + (channel == 4 ? 0.35 : 0.0) +
                   (plan == 0 ? 0.25 : plan == 2 ? -0.3 : 0.0) + 0.25 * norm(&g);
        double score = sigmoid(z);
        /* The truth: close to the score, slightly off once things drift. */
        double p_true = sigmoid(z + 0.3 * drift);
        int label = unif(&g.r) < p_true;

        char *p0 = out_reserve(&o), *p = p0;
        p = put_str(p, daystr[d]);
        p = put_2d(p, (int)(sod / 3600));
        *p++ = ':';
        p = put_2d(p, (int)(sod / 60 % 60));
        *p++ = ':';
        p = put_2d(p, (int)(sod % 60));
        *p++ = 'Z';
        *p++ = ',';
        p = put_str(p, "cust_");
        {
            uint64_t id = rng_next(&g.r) % 4000000000ull;
            char digits[10];
            for (int k = 9; k >= 0; k--) {
                digits[k] = (char)('0' + id % 10);
                id /= 10;
            }
            memcpy(p, digits, 10);
            p += 10;
        }
        *p++ = ',';
        p = put_fixed(p, score, 6);
        *p++ = ',';
        if (unif(&g.r) >= 0.05)
            *p++ = (char)('0' + label);
        *p++ = ',';

        /* age: integer, 1% missing */
        if (unif(&g.r) < 0.01)
            p = put_missing(&g, p);
        else
            p = put_int(p, (int64_t)age);
        *p++ = ',';
        /* tenure_days: integer, 0.5% missing */
        if (unif(&g.r) < 0.005)
            p = put_missing(&g, p);
        else
            p = put_int(p, (int64_t)tenure);
        *p++ = ',';
        /* monthly_spend: lognormal, 2% missing */
        if (unif(&g.r) < 0.02)
            p = put_missing(&g, p);
        else
            p = put_fixed(p, spend, 2);
        *p++ = ',';
        p = put_int(p, sessions);
        *p++ = ',';
        /* pages_per_session: 0.3% missing */
        if (unif(&g.r) < 0.003)
            p = put_missing(&g, p);
        else
            p = put_fixed(p, pages, 6);
        *p++ = ',';
        /* email_open_rate: 3% missing, up to 9% as the tracking pixel breaks */
        if (unif(&g.r) < 0.03 + 0.06 * drift)
            p = put_missing(&g, p);
        else
            p = put_fixed(p, open_rate, 6);
        *p++ = ',';
        p = put_int(p, since_purchase);
        *p++ = ',';
        p = put_int(p, tickets);
        *p++ = ',';
        p = put_fixed(p, discount, 6);
        *p++ = ',';
        /* cart_value: 4% missing (no cart) */
        if (unif(&g.r) < 0.04)
            p = put_missing(&g, p);
        else
            p = put_fixed(p, cart, 2);
        *p++ = ',';
        p = put_fixed(p, engagement, 6);
        *p++ = ',';
        p = put_int(p, devices);
        *p++ = ',';

        p = put_str(p, CHANNELS[channel]);
        *p++ = ',';
        /* region: 1% missing */
        if (unif(&g.r) < 0.01)
            p = put_missing(&g, p);
        else
            p = put_str(p, REGIONS[region]);
        *p++ = ',';
        p = put_str(p, PLANS[plan]);
        *p++ = ',';
        p = put_str(p, "cmp-2026-");
        {
            int c = campaign + 1;
            *p++ = (char)('0' + c / 100);
            *p++ = (char)('0' + c / 10 % 10);
            *p++ = (char)('0' + c % 10);
        }
        *p++ = '\n';
        o.len += (size_t)(p - p0);
    }
    out_flush(&o);
    if (o.f != stdout ? fclose(o.f) != 0 : fflush(o.f) != 0) {
        fprintf(stderr, "gen_data: %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    free(o.buf);
    free(daystr);
    return 0;
}
