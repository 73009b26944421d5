/* The drift numbers of one feature in one window (docs/METRICS.md): PSI and its null's 99th
 * percentile, KS and its p-value, missingness, schema changes, and the status the policy gives
 * them. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "sql.h"
#include "stats.h"
#include "window.h"

static double prop(int64_t c, int64_t n)
{
    double p = (double)c / (double)n;
    return p < MD_PSI_FLOOR ? MD_PSI_FLOOR : p;
}

static void psi_add(md_ksum *s, int64_t wc, int64_t n, int64_t bc, int64_t m)
{
    double a = prop(wc, n), e = prop(bc, m);
    md_ksum_add(s, (a - e) * log(a / e));
}

/* |cumS / nS - cumW / nW| as scipy computes it: two divisions and a subtraction in doubles. */
static inline double ks_gap(int64_t cumS, int64_t cumW, double nS, double nW)
{
    return fabs((double)cumS / nS - (double)cumW / nW);
}

/* md_chi2_ppf(q, k) for PSI's null: every window of a pass asks for the same few (q, k), so
 * each thread keeps the last eight it computed (the function's own values, not a table). */
static double null_quantile(double q, double k)
{
    static _Thread_local struct {
        double q, k, v;
    } memo[8];
    static _Thread_local unsigned next;
    for (size_t i = 0; i < 8; i++)
        if (memo[i].k == k && memo[i].q == q && k > 0)
            return memo[i].v;
    double v = md_chi2_ppf(q, k);
    unsigned at = next++ % 8;
    memo[at].q = q, memo[at].k = k, memo[at].v = v;
    return v;
}

/* The largest gap so far: as a whole number (top), and in doubles (d). */
typedef struct {
    int64_t s, w; /* nS, nW */
    double nS, nW;
    bool every; /* nS * nW too large for whole numbers to decide: every gap in doubles */
    int64_t top;
    double d;
} ks_walk;

static inline void ks_point(ks_walk *t, int64_t cumS, int64_t cumW)
{
    if (t->every) {
        t->d = fmax(t->d, ks_gap(cumS, cumW, t->nS, t->nW));
        return;
    }
    int64_t x = cumS * t->w - cumW * t->s;
    x = x < 0 ? -x : x;
    if (__builtin_expect(x >= t->top, 0)) {
        double g = ks_gap(cumS, cumW, t->nS, t->nW);
        t->d = x > t->top ? g : fmax(t->d, g);
        t->top = x;
    }
}

/* D = ks_2samp(S, W).statistic from the counters around S's distinct values: the largest gap
 * between the two empirical CDFs, at each S value and just below it.
 *
 * The gaps are compared as whole numbers, |cumS * nW - cumW * nS| (the gap times nS * nW), and
 * only a gap that reaches the largest so far is computed in doubles: no division per point.
 * While nS * nW < 2^50, two gaps that differ at all differ by at least 1 / (nS * nW) > 2^-50,
 * more than the doubles' rounding can move them (under 6 * 2^-53 together), so the largest
 * double is that of a largest whole-number gap and D is what doubles at every point give.
 * Larger windows take the doubles at every point. */
static double ks_statistic_dense(const md_bfeature *bf, const uint32_t *ks, int64_t nw)
{
    double nS = (double)bf->ks_n, nW = (double)nw;
    ks_walk t = {bf->ks_n, nw, nS, nW, !(nS * nW < 0x1p50), 0, 0};
    int64_t cumS = 0, cumW = 0;
    for (size_t j = 0; j <= bf->ks_k; j++) {
        cumW += ks[2 * j]; /* the largest window value below s_j */
        ks_point(&t, cumS, cumW);
        if (j == bf->ks_k)
            break;
        cumW += ks[2 * j + 1];
        cumS += bf->ks_counts[j];
        ks_point(&t, cumS, cumW);
    }
    return t.d;
}

/* The first counter at or after i that is not zero, else n: two at a time past runs of zeros. */
static size_t next_counted(const uint32_t *c, size_t i, size_t n)
{
    for (; i + 4 <= n; i += 4) {
        uint64_t a, b;
        memcpy(&a, c + i, 8);
        memcpy(&b, c + i + 2, 8);
        if (a | b)
            break;
    }
    while (i < n && c[i] == 0)
        i++;
    return i;
}

/* The same D for a window with few values, from the points around them only. Point i (0 ..
 * 2k) has cumW = the counters up to i and cumS = ks_cum[(i + 1) / 2]. Between two counted
 * points cumW stands still while cumS only grows, so the gap there is monotone and its largest
 * size is at one end of the stretch: the ends of every stretch give the same largest gap as
 * every point (points inside a stretch that tie with an end have its cumS and cumW). */
static double ks_statistic_sparse(const md_bfeature *bf, const uint32_t *ks, int64_t nw)
{
    double nS = (double)bf->ks_n, nW = (double)nw;
    ks_walk t = {bf->ks_n, nw, nS, nW, !(nS * nW < 0x1p50), 0, 0};
    const int64_t *cum = bf->splits.ks_cum;
    size_t n = 2 * bf->ks_k + 1, start = 0;
    int64_t cumW = 0;
    for (size_t i = next_counted(ks, 0, n); i < n; i = next_counted(ks, i + 1, n)) {
        if (i > start) { /* the stretch [start, i - 1] */
            ks_point(&t, cum[(start + 1) / 2], cumW);
            ks_point(&t, cum[i / 2], cumW);
        }
        cumW += ks[i];
        start = i;
    }
    ks_point(&t, cum[(start + 1) / 2], cumW); /* the last stretch ends at a gap of 0 */
    return t.d;
}

/* A window with fewer values than a quarter of the sample's distinct values walks the points
 * around its values; one with more, every point. */
static double ks_statistic(const md_bfeature *bf, const uint32_t *ks, int64_t nw)
{
    if (bf->splits.ks_cum && (size_t)nw < bf->ks_k / 4)
        return ks_statistic_sparse(bf, ks, nw);
    return ks_statistic_dense(bf, ks, nw);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Categories seen neither in the baseline nor in the contract's allowed list: the first 20
 * names in byte order (of those kept, past the bound), and the rows of all. */
static json_t *new_category_list(const md_bfeature *bf, const md_wfeat *f, int64_t *rows)
{
    size_t n = 0, total = md_strmap_size(&f->newcats);
    const char **names = md_xcalloc(total + 1, sizeof *names);
    *rows = f->newother;
    for (size_t i = 0; i < total; i++) {
        const char *k = md_strmap_key(&f->newcats, i);
        if (bf->rule.has_allowed && md_strmap_find(&bf->rule.allowed, k, strlen(k)) >= 0)
            continue; /* the contract knows it: not new */
        names[n++] = k;
        *rows += f->newcnt[i];
    }
    qsort(names, n, sizeof *names, cmp_str);
    json_t *a = json_array();
    for (size_t i = 0; i < n && i < 20; i++)
        json_array_append_new(a, md_json_str_or_null(names[i]));
    free(names);
    return a;
}

static void numeric_drift(const md_bfeature *bf, const md_wfeat *f, md_drift_row *r,
                          const md_drift_policy *p)
{
    int64_t m = 0, n = f->present;
    json_t *hist = json_array();
    for (size_t i = 0; i < bf->nbins; i++) {
        m += bf->counts[i];
        json_array_append_new(hist, json_integer(f->bins[i]));
    }
    r->hist = hist;
    if (m == 0 || n == 0)
        return;
    md_ksum s = {0, 0};
    for (size_t i = 0; i < bf->nbins; i++)
        psi_add(&s, f->bins[i], n, bf->counts[i], m);
    r->has_psi = true;
    r->psi = md_ksum_value(&s);
    r->psi_null = (1.0 / (double)n + 1.0 / (double)m) *
                  (bf->nbins > 1 ? null_quantile(p->psi_null_quantile, (double)bf->nbins - 1) : 0);
    r->has_ks = bf->ks_n > 0;
    r->ks = ks_statistic(bf, f->ks, n);
    r->ks_p = md_kolmogorov_sf(sqrt((double)bf->ks_n * (double)n / (double)(bf->ks_n + n)) * r->ks);
}

/* The category counts' exact test, for windows where PSI's null does not hold: for each baseline
 * category a two-sided binomial test of its count against its baseline share (twice the smaller
 * tail, at most 1), the smallest times the number of categories (Bonferroni), at most 1. Under
 * no drift it falls below a level a at most a fraction a of the time, whatever n. */
static double mix_pvalue(const md_bfeature *bf, const md_wfeat *f, int64_t n, int64_t m)
{
    size_t k = md_strmap_size(&bf->cats);
    double best = 1.0;
    for (size_t i = 0; i < k; i++) {
        double q = (double)bf->cat_counts[i] / (double)m;
        double lo = md_binom_tail(f->cat[i], n, q, false),
               hi = md_binom_tail(f->cat[i], n, q, true);
        double two = 2 * (lo < hi ? lo : hi);
        best = two < best ? two : best;
    }
    double all = (double)k * best;
    return all < 1.0 ? all : 1.0;
}

static void categorical_drift(const md_bfeature *bf, const md_wfeat *f, md_drift_row *r,
                              const md_drift_policy *p)
{
    size_t k = md_strmap_size(&bf->cats), knew = md_strmap_size(&f->newcats);
    int64_t m = 0, n = f->present;
    json_t *hist = json_object();
    for (size_t i = 0; i < k; i++) {
        m += bf->cat_counts[i];
        if (f->cat[i])
            json_object_set_new(hist, md_strmap_key(&bf->cats, i), json_integer(f->cat[i]));
    }
    for (size_t i = 0; i < knew; i++)
        json_object_set_new(hist, md_strmap_key(&f->newcats, i), json_integer(f->newcnt[i]));
    r->hist = hist;
    if (m == 0 || n == 0)
        return;
    md_ksum s = {0, 0};
    for (size_t i = 0; i < k; i++)
        psi_add(&s, f->cat[i], n, bf->cat_counts[i], m);
    for (size_t i = 0; i < knew; i++)
        psi_add(&s, f->newcnt[i], n, 0, m);
    /* categories past the bound: what each adds, (a - e) ln(a / e) with e and a floored, is
     * nothing while its rows are at most the floor's share of n, and together they add no more
     * than one category holding all their rows would (the term is convex and 0 at 0) */
    double most = (prop(f->newother, n) - MD_PSI_FLOOR) * log(prop(f->newother, n) / MD_PSI_FLOOR);
    size_t allowed = 0; /* named though not new: the contract allows them */
    for (size_t i = 0; bf->rule.has_allowed && i < knew; i++)
        allowed += md_strmap_find(&bf->rule.allowed, md_strmap_key(&f->newcats, i),
                                  md_strmap_len(&f->newcats, i)) >= 0;
    size_t bins = k + allowed + (size_t)r->new_distinct; /* md_window_drift_row's count */
    r->has_psi = true;
    r->psi = md_ksum_value(&s);
    r->has_psi_max = most > 0;
    r->psi_max = r->psi + most;
    /* PSI's chi-square null needs every category's expected count large (Cochran's rule): with
     * rare categories, each one a small window lacks adds about its share times ln(share/1e-4)
     * to PSI, past that null's quantile by chance alone. There the exact test decides. */
    int64_t least = m;
    for (size_t i = 0; i < k; i++)
        least = bf->cat_counts[i] > 0 && bf->cat_counts[i] < least ? bf->cat_counts[i] : least;
    if (n < p->psi_min_rows || (double)n * (double)least / (double)m < MD_CHI2_MIN_EXPECTED)
        r->mix_pvalue = mix_pvalue(bf, f, n, m);
    r->psi_null = (1.0 / (double)n + 1.0 / (double)m) *
                  (bins > 1 ? null_quantile(p->psi_null_quantile, (double)bins - 1) : 0);
}

void md_drift_row_levels(const md_drift_row *r, const md_drift_policy *p,
                         md_level out[MD_DRIFT_TEST_COUNT])
{
    bool ks = md_ks_reaches(p, r->has_ks, r->ks, r->ks_p);
    out[MD_DRIFT_TEST_PSI] =
        md_psi_level(p, r->has_psi, r->psi, r->psi_null, r->present, r->mix_pvalue);
    out[MD_DRIFT_TEST_KS] = ks ? p->ks_level : MD_LEVEL_OK;
    out[MD_DRIFT_TEST_MISSING] = md_missing_level(p, r->missing_delta, r->missing_pvalue);
    out[MD_DRIFT_TEST_SCHEMA] = r->schema_changes > 0 ? p->schema_level : MD_LEVEL_OK;
    out[MD_DRIFT_TEST_CONTRACT] = r->violations > 0 ? p->schema_level : MD_LEVEL_OK;
}

md_level md_drift_row_level(const md_drift_row *r, const md_drift_policy *p)
{
    md_level lv[MD_DRIFT_TEST_COUNT], l = MD_LEVEL_OK;
    md_drift_row_levels(r, p, lv);
    for (int t = 0; t < MD_DRIFT_TEST_COUNT; t++)
        l = lv[t] > l ? lv[t] : l;
    return l;
}

static double col_or_nan(sqlite3_stmt *st, int col)
{
    return md_sql_col_null(st, col) ? NAN : sqlite3_column_double(st, col);
}

void md_drift_row_stored(sqlite3_stmt *st, int first, md_drift_row *r)
{
    memset(r, 0, sizeof *r);
    int c = first;
    r->has_psi = !md_sql_col_null(st, c);
    r->psi = sqlite3_column_double(st, c++);
    r->psi_null = sqlite3_column_double(st, c++);
    r->has_ks = !md_sql_col_null(st, c);
    r->ks = sqlite3_column_double(st, c++);
    r->ks_p = sqlite3_column_double(st, c++);
    r->missing_delta = sqlite3_column_double(st, c++);
    r->missing_pvalue = col_or_nan(st, c++);
    r->mix_pvalue = col_or_nan(st, c++);
    r->schema_changes = sqlite3_column_int64(st, c++);
    r->violations = sqlite3_column_int64(st, c++);
    r->present = sqlite3_column_int64(st, c);
}

void md_window_drift_row(const md_window *w, const md_baseline *b, size_t i,
                         const md_drift_policy *p, md_drift_row *r)
{
    const md_bfeature *bf = &b->features[i];
    const md_wfeat *f = &w->f[i];
    memset(r, 0, sizeof *r);
    r->mix_pvalue = NAN;
    r->feature = bf->name;
    r->kind = bf->kind;
    r->rows = w->rows;
    r->present = f->present;
    r->missing = f->missing;
    r->missing_rate = w->rows ? (double)f->missing / (double)w->rows : 0;
    double base_rate = bf->rows ? (double)bf->missing / (double)bf->rows : 0;
    r->missing_delta = r->missing_rate - base_rate;
    /* one-sided, in the direction of the change: how likely a count this far from the
     * baseline's rate is by chance alone */
    r->missing_pvalue = r->missing_delta == 0
                            ? 1.0
                            : md_binom_tail(f->missing, w->rows, base_rate, r->missing_delta > 0);
    r->type_errors = f->type_errors;
    r->violations = f->violations;
    r->absent = f->absent;
    int64_t new_rows = 0;
    r->new_categories = new_category_list(bf, f, &new_rows);
    if (bf->kind == MD_CATEGORICAL)
        r->new_distinct = md_newcats_distinct(f, bf, &r->new_estimated);
    r->schema_changes = (f->absent ? 1 : 0) + f->type_errors + new_rows;
    if (bf->kind == MD_NUMERIC)
        numeric_drift(bf, f, r, p);
    else
        categorical_drift(bf, f, r, p);
    r->status = md_drift_row_level(r, p);
}
