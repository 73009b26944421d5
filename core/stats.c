/* The numbers behind drift and calibration statuses, each equal to the numpy/scipy function that
 * docs/METRICS.md defines it by, without linking a special-function library.
 *
 * χ²: the regularized incomplete gamma ratios P(a, x) and Q(a, x) from lgamma, by the power
 * series below x = a + 1 and the Lentz continued fraction above it, so that a small P (left tail)
 * or a small Q (right tail) is computed directly, never as 1 minus the other, and keeps its
 * relative accuracy. The prefactor x^a e^-x / Γ(a) is taken in logs; its rounding error grows
 * like a·ε: under 1e-13 relative up to k = 100, 1e-12 at k = 1000, 1e-10 at k = 1e5. The
 * quantile inverts P (or Q above the median) by Newton's method on log P (or log Q) against
 * log x, both concave, with a bisection safeguard.
 *
 * Kolmogorov: scipy.special.kolmogorov's two series with scipy's cutover at x = 0.82.
 *
 * Binomial tails: the terms summed from the observed count away from the mode, each from the
 * one before by their ratio, the first by Loader's saddle-point form; the tail on the mode's
 * side is 1 minus the other, which is then at least about a half, so nothing small is taken as a
 * difference.
 *
 * Quantiles and linspace follow numpy's own arithmetic step for step, because the PSI and decile
 * edges they produce are compared bit for bit and a value landing on an edge changes its bin. */
#include "stats.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define STATS_PI   3.14159265358979323846
#define IGAM_MAXIT 100000 /* both expansions need O(sqrt(a)) terms near x = a */
#define INV_MAXIT  200

/* log Γ(x) for x > 0: lgamma_r, since lgamma sets the global signgam and the two threads of an
 * ingest compute p-values at once. */
static double log_gamma(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

/* log(x^a e^-x / Γ(a)), given log x. */
static double igam_log_prefactor(double a, double x, double log_x)
{
    return a * log_x - x - log_gamma(a);
}

/* S with P(a, x) = x^a e^-x / Γ(a) · S: the series Σ x^n / (a (a+1) ... (a+n)); for x < a + 1. */
static double igam_series(double a, double x)
{
    double term = 1.0 / a;
    double sum = term;
    for (int n = 1; n < IGAM_MAXIT; n++) {
        term *= x / (a + n);
        sum += term;
        if (term <= sum * DBL_EPSILON)
            break;
    }
    return sum;
}

/* H with Q(a, x) = x^a e^-x / Γ(a) · H: the continued fraction
 * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))), by the modified Lentz method; for x >= a + 1. */
static double igam_cfrac(double a, double x)
{
    const double tiny = DBL_MIN / DBL_EPSILON;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < IGAM_MAXIT; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) <= DBL_EPSILON)
            break;
    }
    return h;
}

/* P(a, x) (upper = false) or Q(a, x) (upper = true), for a > 0 and finite x > 0. */
static double igam(double a, double x, bool upper)
{
    double lpre = igam_log_prefactor(a, x, log(x));
    if (x < a + 1.0) {
        double p = exp(lpre + log(igam_series(a, x)));
        return upper ? 1.0 - p : p;
    }
    double q = exp(lpre + log(igam_cfrac(a, x)));
    return upper ? q : 1.0 - q;
}

/* log P(a, y) (upper = false) or log Q(a, y) (upper = true) at y = e^t, and in *slope the
 * magnitude of its derivative with respect to t, y·density(y) / P (or / Q). */
static double igam_log_side(double a, double t, bool upper, double *slope)
{
    double y = exp(t);
    double lpre = igam_log_prefactor(a, y, t);
    double lp, lq;
    if (y < a + 1.0) {
        double s = igam_series(a, y);
        lp = lpre + log(s);
        if (!upper) {
            *slope = 1.0 / s;
            return lp;
        }
        lq = log1p(-exp(lp));
        *slope = exp(lpre - lq);
        return lq;
    }
    double h = igam_cfrac(a, y);
    lq = lpre + log(h);
    if (upper) {
        *slope = 1.0 / h;
        return lq;
    }
    lp = log1p(-exp(lq));
    *slope = exp(lpre - lp);
    return lp;
}

/* A start for solving Q(a, y) = e^target, from Q ≈ y^a e^-y / (Γ(a) (y + 1 - a)), the first
 * convergent of the continued fraction; never below a + 1, which is above the median. */
static double igam_upper_start(double a, double target)
{
    double y = a + 1.0 - target;
    for (int i = 0; i < 8; i++) {
        y = a * log(y) - log_gamma(a) - log(y + 1.0 - a) - target;
        if (!(y > a + 1.0))
            return a + 1.0;
    }
    return y;
}

/* y with P(a, y) = p, 0 < p < 1. Works in t = log y on log P (p <= 1/2) or on log Q = log(1 - p)
 * (p > 1/2, where 1 - p is exact): both are concave in t, so Newton's iterates approach the
 * root from one side after at most one overshoot; a bracket catches steps into underflow. */
static double igam_inv(double a, double p)
{
    bool upper = p > 0.5;
    double target = upper ? log(1.0 - p) : log(p);
    /* P(a, y) <= y^a / Γ(a + 1), so this start is at or below the root. */
    double t = upper ? log(igam_upper_start(a, target)) : (target + log_gamma(a + 1.0)) / a;
    double lo = -INFINITY, hi = INFINITY; /* the root is in [lo, hi] */
    for (int i = 0; i < INV_MAXIT; i++) {
        double slope;
        double f = igam_log_side(a, t, upper, &slope) - target; /* > 0: t is past the root */
        if (f == 0.0 || isnan(f))
            break;
        /* Past the root means to the right for P, which grows with t, to the left for Q. */
        bool right = (f > 0.0) != upper;
        if (right)
            hi = t;
        else
            lo = t;
        double next = upper ? t + f / slope : t - f / slope;
        if (!(next > lo && next < hi)) { /* overshoot, or log P or log Q is -inf */
            if (isfinite(lo) && isfinite(hi))
                next = 0.5 * (lo + hi);
            else /* no bracket yet: a factor e towards the root */
                next = right ? t - 1.0 : t + 1.0;
        }
        double step = next - t;
        t = next;
        if (fabs(step) <= 4.0 * DBL_EPSILON * fmax(1.0, fabs(t)))
            break;
    }
    return exp(t);
}

/* Outside k > 0 the result is NaN, as scipy's; k = ∞ puts all the mass at +∞, as scipy's
 * limits do. */
double md_chi2_cdf(double x, double k)
{
    if (isnan(x) || !(k > 0.0))
        return NAN;
    if (x <= 0.0)
        return 0.0;
    if (isinf(x) || isinf(k))
        return isinf(x) ? 1.0 : 0.0;
    return igam(k / 2.0, x / 2.0, false);
}

double md_chi2_sf(double x, double k)
{
    if (isnan(x) || !(k > 0.0))
        return NAN;
    if (x <= 0.0)
        return 1.0;
    if (isinf(x) || isinf(k))
        return isinf(x) ? 0.0 : 1.0;
    return igam(k / 2.0, x / 2.0, true);
}

double md_chi2_ppf(double p, double k)
{
    if (!(p >= 0.0 && p <= 1.0) || !(k > 0.0 && isfinite(k)))
        return NAN;
    if (p == 0.0)
        return 0.0;
    if (p == 1.0)
        return INFINITY;
    return 2.0 * igam_inv(k / 2.0, p);
}

/* log(n!) - log(sqrt(2 pi n) (n/e)^n), Stirling's error, for whole n >= 1: from lgamma while
 * the numbers are small, else its asymptotic series (enough terms for double precision). */
static double stirlerr(double n)
{
    const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188;
    if (n <= 15)
        return log_gamma(n + 1) - (n + 0.5) * log(n) + n - 0.5 * log(2 * STATS_PI);
    double nn = n * n;
    if (n > 500)
        return (s0 - s1 / nn) / n;
    if (n > 80)
        return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35)
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/* x log(x / m) + m - x, the deviance term, without the cancellation of its three terms when x is
 * near m (a series in v = (x - m) / (x + m) there). */
static double bd0(double x, double m)
{
    if (fabs(x - m) < 0.1 * (x + m)) {
        double v = (x - m) / (x + m), sum = (x - m) * v, ej = 2 * x * v;
        for (int j = 1; j < 1000; j++) {
            ej *= v * v;
            double next = sum + ej / (2 * j + 1);
            if (next == sum)
                return next;
            sum = next;
        }
        return sum;
    }
    return x * log(x / m) + m - x;
}

/* log of the binomial probability of k successes in n trials, 0 < p < 1, by Loader's saddle
 * point form (Loader, "Fast and accurate computation of binomial probabilities", 2000): no
 * difference of large logarithms, so it keeps about 1e-15 relative accuracy at any n. */
static double binom_logpmf(double k, double n, double p)
{
    if (k == 0)
        return n * log1p(-p);
    if (k == n)
        return n * log(p);
    double q = 1 - p;
    return stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * p) - bd0(n - k, n * q) +
           0.5 * log(n / (2 * STATS_PI * k * (n - k)));
}

/* Σ pmf(j) from j = k away from the mode (up to n when up, else down to 0): the terms fall from
 * the first on, by the ratio of neighbouring terms, until they no longer change the sum. */
static double binom_run(int64_t k, int64_t n, double p, bool up)
{
    double q = p / (1 - p), t = exp(binom_logpmf((double)k, (double)n, p)), sum = t;
    for (int64_t j = k; t > sum * DBL_EPSILON / 4 && (up ? j < n : j > 0); j += up ? 1 : -1) {
        t *= up ? (double)(n - j) / (double)(j + 1) * q : (double)j / (double)(n - j + 1) / q;
        sum += t;
    }
    return sum;
}

double md_binom_tail(int64_t k, int64_t n, double p, bool upper)
{
    if (!(p >= 0 && p <= 1) || n < 0)
        return NAN;
    if (upper ? k <= 0 : k >= n)
        return 1.0;
    if (upper ? k > n : k < 0)
        return 0.0;
    if (p == 0 || p == 1) /* all the mass at 0 or at n */
        return upper == (p == 1) ? 1.0 : 0.0;
    double mean = (double)n * p;
    /* the side away from the mode directly; the other as 1 minus the far side's tail */
    if (upper)
        return (double)k > mean ? binom_run(k, n, p, true) : 1.0 - binom_run(k - 1, n, p, false);
    return (double)k < mean ? binom_run(k, n, p, false) : 1.0 - binom_run(k + 1, n, p, true);
}

/* CDF for small x, from the Jacobi theta identity:
 * sqrt(2π)/x Σ_{k>=1} exp(-(2k-1)² π² / (8x²)). */
static double kolmogorov_cdf_theta(double x)
{
    double w = -STATS_PI * STATS_PI / (8.0 * x * x);
    double sum = 0.0;
    for (int k = 1; k < 100; k++) {
        double odd = 2.0 * k - 1.0;
        double term = exp(w * odd * odd);
        sum += term;
        if (term <= sum * DBL_EPSILON)
            break;
    }
    return sqrt(2.0 * STATS_PI) / x * sum;
}

/* Survival function for larger x: 2 Σ_{k>=1} (-1)^(k-1) exp(-2k²x²). */
static double kolmogorov_sf_alternating(double x)
{
    double w = -2.0 * x * x;
    double sum = 0.0;
    double sign = 1.0;
    for (int k = 1; k < 100; k++) {
        double term = exp(w * k * k);
        sum += sign * term;
        if (term <= fabs(sum) * DBL_EPSILON)
            break;
        sign = -sign;
    }
    return 2.0 * sum;
}

double md_kolmogorov_sf(double x)
{
    if (isnan(x))
        return NAN;
    if (x <= 0.0)
        return 1.0;
    /* scipy's cutover: each series needs at most a handful of terms on its side of it. */
    double sf = x <= 0.82 ? 1.0 - kolmogorov_cdf_theta(x) : kolmogorov_sf_alternating(x);
    return fmin(1.0, fmax(0.0, sf));
}

/* A product rounded to double on its own. Bit-for-bit equality with numpy needs every product
 * rounded before it is added: a compiler allowed to contract across statements
 * (-ffp-contract=fast, GCC's default outside ISO mode) would otherwise fuse it into an FMA. */
static double rounded_product(double a, double b)
{
    volatile double p = a * b;
    return p;
}

/* numpy's _lerp: a + (b - a)·g, but b - (b - a)·(1 - g) when g >= 1/2, so the result is exact
 * at both ends. */
static double numpy_lerp(double a, double b, double g)
{
    double diff = b - a;
    if (g >= 0.5)
        return b - rounded_product(diff, 1.0 - g);
    return a + rounded_product(diff, g);
}

/* numpy's _quantile with method "linear", index by index: virtual index v = (n - 1)·q; at or past
 * the last index both neighbours are the last element and numpy's previous index is -1 (so
 * g = v + 1); otherwise the neighbours are floor(v) and floor(v) + 1 and g = v - floor(v). */
static double quantile_linear(md_value_at at, const void *ctx, size_t n, double q)
{
    if (isnan(q))
        return NAN;
    double last = (double)(n - 1);
    double v = rounded_product(last, q);
    if (v >= last) {
        double x = at(ctx, n - 1);
        return numpy_lerp(x, x, v + 1.0);
    }
    if (v < 0.0) { /* q < 0, which numpy rejects before getting here */
        double x = at(ctx, 0);
        return numpy_lerp(x, x, v);
    }
    double prev = floor(v);
    size_t i = (size_t)prev;
    return numpy_lerp(at(ctx, i), at(ctx, i + 1), v - prev);
}

void md_quantiles_linear_at(md_value_at at, const void *ctx, size_t n, const double *q, size_t nq,
                            double *out)
{
    for (size_t j = 0; j < nq; j++)
        out[j] = quantile_linear(at, ctx, n, q[j]);
}

static double sorted_at(const void *ctx, size_t i)
{
    return ((const double *)ctx)[i];
}

void md_quantiles_linear(const double *sorted, size_t n, const double *q, size_t nq, double *out)
{
    md_quantiles_linear_at(sorted_at, sorted, n, q, nq, out);
}

/* numpy.linspace: step = (stop - start) / (num - 1), y = arange(num) * step + start, then the
 * last element set to stop. For k = 0 (one point) it is just start. */
void md_linspace01(size_t k, double *out)
{
    out[0] = 0.0;
    if (k == 0)
        return;
    double step = 1.0 / (double)k;
    for (size_t i = 1; i < k; i++)
        out[i] = (double)i * step;
    out[k] = 1.0;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* -0.0 and 0.0 compare equal, so numpy keeps whichever its sort puts first; for the arrays of up
 * to 16 elements that numpy sorts by insertion (stable) that is the first zero in input order,
 * and this keeps that one at any size (numpy's choice beyond 16 is not specified). */
size_t md_unique(double *v, size_t n)
{
    if (n == 0)
        return 0;
    double zero = 0.0;
    bool have_zero = false;
    for (size_t i = 0; i < n && !have_zero; i++)
        if (v[i] == 0.0) {
            zero = v[i];
            have_zero = true;
        }
    qsort(v, n, sizeof *v, cmp_double);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[m - 1])
            v[m++] = v[i];
    if (have_zero)
        for (size_t i = 0; i < m; i++)
            if (v[i] == 0.0) {
                v[i] = zero;
                break;
            }
    return m;
}

/* Neumaier's variant of Kahan summation: the rounding error of each addition is carried in c,
 * whichever operand is larger. Start from {0, 0}. Once the sum is infinite or NaN, the error term
 * is left alone, so the value is what plain summation would give. */
void md_ksum_add(md_ksum *k, double v)
{
    double t = k->sum + v;
    if (isfinite(t)) {
        if (fabs(k->sum) >= fabs(v))
            k->c += (k->sum - t) + v;
        else
            k->c += (v - t) + k->sum;
    }
    k->sum = t;
}

double md_ksum_value(const md_ksum *k)
{
    return k->sum + k->c;
}
