/* stats: every function against the numpy/scipy value docs/METRICS.md defines it by.
 *
 * The tables were computed with numpy 1.24.2 and scipy 1.10.1 (/usr/bin/python3) and pasted as
 * shortest round-trip literals (Python's repr, so each is the exact double): here
 * scipy.special.kolmogorov(x), numpy.sort(x) and numpy.quantile(x, q), numpy.linspace(0, 1,
 * k + 1), numpy.unique(x); in stats_ref.c scipy.stats.chi2.cdf/.sf(x, k), scipy.stats.chi2.ppf(p,
 * k) and scipy.stats.binom.sf/.cdf(k, n, p). The χ² x grid holds, for each k, tiny values, the
 * body, both sides of the series/continued fraction switch (x = k + 2) and the x where sf is
 * 1e-20, 1e-100 and 1e-250 (chi2.isf, rounded to four digits). */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perf.h"
#include "stats.h"
#include "stats_ref.h"

Suite *suite_stats(void);

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* {x, scipy.special.kolmogorov(x)} */
static const double kolmogorov_rows[][2] = {
    {0.01, 1.0}, {0.02, 1.0}, {0.03, 1.0},
    {0.04, 1.0}, {0.0406, 1.0}, {0.05, 1.0},
    {0.06, 1.0}, {0.07, 1.0}, {0.08, 1.0},
    {0.09, 1.0}, {0.1, 1.0}, {0.11, 1.0},
    {0.12, 1.0}, {0.13, 1.0}, {0.14, 1.0},
    {0.15, 1.0}, {0.16, 1.0}, {0.17, 1.0},
    {0.18, 0.9999999999999996}, {0.19, 0.999999999999981}, {0.2, 0.999999999999495},
    {0.21, 0.9999999999915384}, {0.22, 0.9999999999030296}, {0.23, 0.9999999991890032},
    {0.24, 0.999999994788288}, {0.25, 0.9999999731761899}, {0.26, 0.9999998856493185},
    {0.27, 0.9999995849712886}, {0.28, 0.9999986881499902}, {0.29, 0.9999963201361132},
    {0.3, 0.9999906941986655}, {0.31, 0.9999785020570597}, {0.32, 0.9999541201308876},
    {0.33, 0.9999086804678158}, {0.34, 0.9998290948601503}, {0.35, 0.9996971473702906},
    {0.36, 0.9994887769610756}, {0.37, 0.9991736569658024}, {0.38, 0.9987151458373864},
    {0.39, 0.9980706413847183}, {0.4, 0.9971923267772983}, {0.41, 0.9960282580366815},
    {0.42, 0.9945237142469574}, {0.43, 0.9926227153740532}, {0.44, 0.9902696081545563},
    {0.45, 0.9874106261529367}, {0.46, 0.983995343083883}, {0.47, 0.9799779559351086},
    {0.48, 0.9753183536399832}, {0.49, 0.969982945894297}, {0.5, 0.9639452436648751},
    {0.51, 0.9571861970810588}, {0.52, 0.9496943073294777}, {0.53, 0.9414655368786882},
    {0.54, 0.9325030471043408}, {0.55, 0.9228167945891519}, {0.56, 0.9124230175285631},
    {0.57, 0.9013436422831757}, {0.58, 0.8896056376475568}, {0.59, 0.8772403412558947},
    {0.6, 0.8642827790506042}, {0.61, 0.8507709951598499}, {0.62, 0.8367454060556158},
    {0.63, 0.8222481896276204}, {0.64, 0.8073227168928092}, {0.65, 0.792013031508925},
    {0.66, 0.776363380087464}, {0.67, 0.7604177944983462}, {0.68, 0.7442197259033893},
    {0.69, 0.7278117291165674}, {0.7, 0.7112351950296893}, {0.71, 0.6945301282244591},
    {0.72, 0.6777349664784746}, {0.73, 0.6608864386282611}, {0.74, 0.6440194571446777},
    {0.75, 0.6271670417762616}, {0.76, 0.6103602706992852}, {0.77, 0.5936282557581773},
    {0.78, 0.5769981385685901}, {0.79, 0.560495104473081}, {0.8, 0.5441424115741981},
    {0.81, 0.5279614323123148}, {0.8199999, 0.5119718641788547}, {0.82, 0.5119717052984973},
    {0.8200001, 0.5119715464181557}, {0.83, 0.4961909953505036}, {0.84, 0.4806353599086879},
    {0.85, 0.46531922022515826}, {0.86, 0.4502554359224337}, {0.87, 0.43545538170557063},
    {0.88, 0.42092902518422465}, {0.89, 0.4066850049180472}, {0.9, 0.3927307079406543},
    {0.91, 0.3790723461446418}, {0.92, 0.3657150310235156}, {0.93, 0.35266284636676787},
    {0.94, 0.3399189185925665}, {0.95, 0.32748548447955916}, {0.96, 0.31536395612605395},
    {0.97, 0.3035549830222197}, {0.98, 0.2920585111698588}, {0.99, 0.2808738392255489},
    {1.0, 0.26999967167735456}, {1.05, 0.22020555870195027}, {1.1, 0.1777181926064012},
    {1.15, 0.14195986887800088}, {1.2, 0.11224966667072497}, {1.25, 0.08786641394169108},
    {1.3, 0.06809222184476636}, {1.35, 0.05224188856470461}, {1.4, 0.03968187953811441},
    {1.45, 0.029841473010029373}, {1.5, 0.022217962616525127}, {1.55, 0.016377393036049227},
    {1.6, 0.011952043239196616}, {1.65, 0.008635679320087906}, {1.7, 0.0061774306344441286},
    {1.75, 0.004374982190571073}, {1.8, 0.003067621347579706}, {1.85, 0.0021295324707651647},
    {1.9, 0.0014636048371873506}, {1.95, 0.00099591084288358}, {2.0, 0.0006709252557796953},
    {2.05, 0.0004474915874362287}, {2.1, 0.0002954967204631142}, {2.15, 0.0001931868274441939},
    {2.2, 0.00012504300754960976}, {2.25, 8.013059478589699e-05}, {2.3, 5.083869303239775e-05},
    {2.35, 3.1933567795609304e-05}, {2.4, 1.9859008611702142e-05}, {2.45, 1.2227135932742779e-05},
    {2.5, 7.453306344157342e-06}, {2.55, 4.498111934064693e-06}, {2.6, 2.687624555263038e-06},
    {2.65, 1.5898787230698281e-06}, {2.7, 9.311431431566156e-07}, {2.75, 5.399157006726028e-07},
    {2.8, 3.099506271405799e-07}, {2.85, 1.7616358392921114e-07}, {2.9, 9.912810638344996e-08},
    {2.95, 5.52248491365607e-08}, {3.0, 3.045995948942526e-08}, {3.05, 1.6633404913656725e-08},
    {3.1, 8.992698924561707e-09}, {3.15, 4.813444872602104e-09}, {3.2, 2.5508152590520792e-09},
    {3.25, 1.3383172182585563e-09}, {3.3, 6.951782562479869e-10}, {3.35, 3.5751177422559624e-10},
    {3.4, 1.8202941528975935e-10}, {3.45, 9.175924974278551e-11}, {3.5, 4.579469691291106e-11},
    {3.55, 2.2627552400130655e-11}, {3.6, 1.1069220143402027e-11}, {3.65, 5.361095274625214e-12},
    {3.7, 2.5706744502672914e-12}, {3.75, 1.2203873355210648e-12}, {3.8, 5.735950017776196e-13},
    {3.85, 2.6691321696439687e-13}, {3.9, 1.2296792825409556e-13}, {3.95, 5.6088094764455745e-14},
    {4.0, 2.532833109818835e-14}, {4.05, 1.1323991033897901e-14}, {4.1, 5.012443774290549e-15},
    {4.15, 2.1966282596571787e-15}, {4.2, 9.530609470598176e-16}, {4.25, 4.0939434263284086e-16},
    {4.3, 1.7410853244592502e-16}, {4.35, 7.330866791202142e-17}, {4.4, 3.0559599365745875e-17},
    {4.45, 1.2612379787972805e-17}, {4.5, 5.153514218309962e-18}, {4.55, 2.0848123567803347e-18},
    {4.6, 8.350020111701088e-19}, {4.65, 3.311045324197525e-19}, {4.7, 1.2998695944141694e-19},
    {4.75, 5.052327561851385e-20}, {4.8, 1.944197004060156e-20}, {4.85, 7.407063955304742e-21},
    {4.9, 2.7938878862941783e-21}, {4.95, 1.0433473324054075e-21}, {5.0, 3.8574996959278356e-22},
    {7.5, 2.7726865872823412e-49}, {10.0, 2.767793053473475e-87},
};

/* q: numpy.linspace(0, 1, 11), then numpy.array([50, 95, 99]) / 100 */
static const double quantile_q[] = {
    0.0, 0.1, 0.2, 0.30000000000000004,
    0.4, 0.5, 0.6000000000000001, 0.7000000000000001,
    0.8, 0.9, 1.0, 0.5,
    0.95, 0.99,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = one */
static const double q_one_sorted[] = {
    3.5,
};
static const double q_one_want[] = {
    3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = two */
static const double q_two_sorted[] = {
    -1.0, 2.0,
};
static const double q_two_want[] = {
    -1.0, -0.7, -0.3999999999999999, -0.09999999999999987, 0.20000000000000018, 0.5,
    0.8000000000000003, 1.1, 1.4000000000000001, 1.7000000000000002, 2.0, 0.5, 1.8499999999999999,
    1.97,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = ties */
static const double q_ties_sorted[] = {
    -7.25, -3.0, -3.0, -0.5, 0.0, 0.1, 0.1, 0.1, 2.0, 9.75, 9.75,
};
static const double q_ties_want[] = {
    -7.25, -3.0, -3.0, -0.4999999999999998, 0.0, 0.1, 0.1, 0.1000000000000017, 2.0, 9.75, 9.75,
    0.1, 9.75, 9.75,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = equal */
static const double q_equal_sorted[] = {
    0.7, 0.7, 0.7, 0.7, 0.7, 0.7,
};
static const double q_equal_want[] = {
    0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = huge */
static const double q_huge_sorted[] = {
    -8.988465674311579e+307, -1e+300, -2.5e+299, 3e-308, 7e+299, 1e+300, 1.5e+308,
};
static const double q_huge_want[] = {
    -8.988465674311579e+307, -3.5953863297246307e+307, -8.499999999999999e+299,
    -3.999999999999998e+299, -1.4999999999999991e+299, 3e-308, 4.2000000000000044e+299,
    7.600000000000001e+299, 9.400000000000003e+299, 6.000000060000006e+307, 1.5e+308, 3e-308,
    1.050000002999999e+308, 1.4100000005999993e+308,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = normal */
static const double q_normal_sorted[] = {
    -1.4934003500510715, -1.0633458727290903, -0.9927662036783191, -0.9015900180246347,
    -0.6218279030036291, -0.5789185979867162, -0.45046568652742786, -0.4207032480720786,
    -0.2780984032532403, -0.10989363601019453, -0.015066756619143104, 0.05670727485404273,
    0.10786503435780986, 0.14037175932863036, 0.27582208239838274, 0.2856438653631982,
    0.31832011661774456, 0.3197173598823379, 0.32051604761598124, 0.36416688171674005,
    0.40610709629388014, 0.45990230508639907, 0.5333788713316836, 0.7397361484331756,
    0.7776666262444728, 1.055918704645778, 1.0803061674108045, 1.2465796701660796,
    1.2603036667468444, 1.3033549813592666, 1.5168215330266368, 1.7691028698961426,
    1.7710788869435652, 1.9209977532349114, 2.067888926982994, 2.140460602154737,
    2.536428217219667,
};
static const double q_normal_want[] = {
    -1.4934003500510715, -0.7337327490120313, -0.39218227910831094, 0.04235246855940561,
    0.27975079558430893, 0.32051604761598124, 0.5039882448335699, 1.0607961971987834,
    1.2947447184367822, 1.8310464334601035, 2.536428217219667, 0.32051604761598124,
    2.0824032620173423, 2.3938798757962925,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = scores */
static const double q_scores_sorted[] = {
    0.05, 0.06, 0.08, 0.1, 0.1, 0.18, 0.23, 0.36, 0.37, 0.39, 0.39, 0.49, 0.53, 0.53, 0.59, 0.61,
    0.62, 0.67, 0.86, 0.88, 0.96, 0.98, 0.99,
};
static const double q_scores_want[] = {
    0.05, 0.084, 0.13200000000000003, 0.30800000000000016, 0.386, 0.49, 0.5420000000000001, 0.614,
    0.7840000000000003, 0.9440000000000001, 0.99, 0.49, 0.978, 0.9878,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = negzero */
static const double q_negzero_sorted[] = {
    -1.0, -0.0,
};
static const double q_negzero_want[] = {
    -1.0, -0.9, -0.8, -0.7, -0.6, -0.5, -0.3999999999999999, -0.29999999999999993,
    -0.19999999999999996, -0.09999999999999998, 0.0, -0.5, -0.050000000000000044,
    -0.010000000000000009,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = negzero_one */
static const double q_negzero_one_sorted[] = {
    -0.0,
};
static const double q_negzero_one_want[] = {
    -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0,
};
/* numpy.sort(x) and numpy.quantile(x, q), x = negzeros */
static const double q_negzeros_sorted[] = {
    -2.0, -0.0, -0.0,
};
static const double q_negzeros_want[] = {
    -2.0, -1.6, -1.2, -0.7999999999999998, -0.3999999999999999, 0.0, 0.0, 0.0, -0.0, -0.0, 0.0,
    0.0, -0.0, -0.0,
};
/* the plain a + (b - a) * g differs from numpy in 5 of these */
static const double linspace_0[] = {
    0.0,
};
static const double linspace_1[] = {
    0.0, 1.0,
};
static const double linspace_3[] = {
    0.0, 0.3333333333333333, 0.6666666666666666, 1.0,
};
static const double linspace_10[] = {
    0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9,
    1.0,
};
static const double linspace_49[] = {
    0.0, 0.02040816326530612, 0.04081632653061224, 0.061224489795918366, 0.08163265306122448,
    0.1020408163265306, 0.12244897959183673, 0.14285714285714285, 0.16326530612244897,
    0.18367346938775508, 0.2040816326530612, 0.22448979591836732, 0.24489795918367346,
    0.26530612244897955, 0.2857142857142857, 0.3061224489795918, 0.32653061224489793,
    0.3469387755102041, 0.36734693877551017, 0.3877551020408163, 0.4081632653061224,
    0.42857142857142855, 0.44897959183673464, 0.4693877551020408, 0.4897959183673469,
    0.5102040816326531, 0.5306122448979591, 0.5510204081632653, 0.5714285714285714,
    0.5918367346938775, 0.6122448979591836, 0.6326530612244897, 0.6530612244897959,
    0.673469387755102, 0.6938775510204082, 0.7142857142857142, 0.7346938775510203,
    0.7551020408163265, 0.7755102040816326, 0.7959183673469387, 0.8163265306122448,
    0.836734693877551, 0.8571428571428571, 0.8775510204081632, 0.8979591836734693,
    0.9183673469387754, 0.9387755102040816, 0.9591836734693877, 0.9795918367346939, 1.0,
};
/* numpy.unique([3.0, 1.0, 2.0, 3.0, 1.0]) */
static const double uniq_mixed_want[] = {
    1.0, 2.0, 3.0,
};
/* numpy.unique([0.0, -0.0, 1.0]) */
static const double uniq_zero_first_want[] = {
    0.0, 1.0,
};
/* numpy.unique([-0.0, 2.0, 0.0]) */
static const double uniq_negzero_first_want[] = {
    -0.0, 2.0,
};
/* numpy.unique([5.0, 4.0, 3.0, 2.0, 1.0]) */
static const double uniq_desc_want[] = {
    1.0, 2.0, 3.0, 4.0, 5.0,
};
/* numpy.unique([2.0, 2.0, 2.0]) */
static const double uniq_same_want[] = {
    2.0,
};

static uint64_t bits_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* The same double, bit for bit (so -0.0 is not 0.0). */
static void expect_bits(double got, double want, const char *what, size_t i)
{
    ck_assert_msg(bits_of(got) == bits_of(want), "%s[%zu]: got %.17g (%a), want %.17g (%a)", what,
                  i, got, got, want, want);
}

/* Relative error at most tol where want >= 1e-300; below that (scipy underflows to 0 or to
 * subnormals there) within 1e-300. */
static void expect_rel(double got, double want, double tol, const char *what, double k, double x)
{
    if (want >= 1e-300)
        ck_assert_msg(fabs(got - want) <= tol * want,
                      "%s(k=%g, %.17g): got %.17g, want %.17g (relative error %.3g)", what, k, x,
                      got, want, fabs(got - want) / want);
    else
        ck_assert_msg(fabs(got - want) <= 1e-300, "%s(k=%g, %.17g): got %.17g, want %.17g", what, k,
                      x, got, want);
}

/* The binomial tails behind the missingness test, within 1e-11 relative of scipy's up to a
 * million trials: small tails too (no difference of nearly equal numbers is taken). */
START_TEST(binomial_tails_match_scipy)
{
    for (size_t i = 0; i < binom_rows_n; i++) {
        const struct binom_row *r = &binom_rows[i];
        double got = md_binom_tail(r->k, r->n, r->p, r->upper);
        ck_assert_msg(fabs(got - r->want) <= 1e-11 * r->want || fabs(got - r->want) <= 1e-300,
                      "binom %s(k=%lld, n=%lld, p=%g): got %.17g, want %.17g (relative %.3g)",
                      r->upper ? "sf" : "cdf", (long long)r->k, (long long)r->n, r->p, got, r->want,
                      fabs(got - r->want) / r->want);
    }
    ck_assert(isnan(md_binom_tail(1, 5, 1.5, true)));
    ck_assert(md_binom_tail(6, 5, 0.5, true) == 0.0);
    ck_assert(md_binom_tail(-1, 5, 0.5, false) == 0.0);
    ck_assert(md_binom_tail(5, 5, 1.0, true) == 1.0);
    ck_assert(md_binom_tail(4, 5, 1.0, false) == 0.0);
}
END_TEST

START_TEST(chi2_cdf_sf_match_scipy)
{
    for (size_t i = 0; i < chi2_rows_n; i++) {
        const struct chi2_row *r = &chi2_rows[i];
        expect_rel(md_chi2_cdf(r->x, r->k), r->cdf, 1e-10, "cdf", r->k, r->x);
        expect_rel(md_chi2_sf(r->x, r->k), r->sf, 1e-10, "sf", r->k, r->x);
    }
}
END_TEST

/* Ten deciles the statistic sums over, one empty and one whose mean score is 0 (left out):
 * the p-value on g - 2 = 8 degrees of freedom, as the contract and METRICS.md define it.
 * Reference: sum((O - E)^2 / (E (1 - E / n))) by hand in Python and scipy.stats.chi2.sf. */
START_TEST(hosmer_lemeshow_on_g_minus_2)
{
    const int64_t n[12] = {120, 118, 0, 121, 119, 122, 117, 120, 121, 119, 123, 40};
    const double s[12] = {3.1, 8.4, 0, 14.2, 20.5, 27.9, 33.0, 44.1, 55.6, 70.2, 95.3, 0};
    const int64_t y[12] = {2, 11, 0, 13, 24, 25, 38, 41, 60, 66, 99, 0};
    md_deciles d = {12, n, s, y, 1240};
    double p = -1;
    bool ok = false;
    double stat = md_hosmer_lemeshow(&d, &p, &ok);
    ck_assert(ok);
    expect_rel(stat, 5.789320219546325, 1e-12, "hl_stat", 10, 0);
    expect_rel(p, 0.6708176265901608, 1e-10, "hl_pvalue", 8, stat);
    /* three usable deciles: one degree of freedom, chi2.sf(x, 1) = erfc(sqrt(x / 2)) */
    md_deciles three = {3, n, s, y, 238};
    three.n = (const int64_t[]){120, 118, 121};
    three.sum_s = (const double[]){3.1, 8.4, 14.2};
    three.sum_y = (const int64_t[]){2, 11, 13};
    stat = md_hosmer_lemeshow(&three, &p, &ok);
    ck_assert(ok);
    expect_rel(p, erfc(sqrt(stat / 2)), 1e-12, "hl_pvalue", 1, stat);
    /* two: no test */
    three.k = 2;
    md_hosmer_lemeshow(&three, &p, &ok);
    ck_assert(!ok);
}
END_TEST

START_TEST(chi2_ppf_matches_scipy_and_inverts_cdf)
{
    for (size_t i = 0; i < chi2_ppf_rows_n; i++) {
        const struct chi2_ppf_row *r = &chi2_ppf_rows[i];
        double x = md_chi2_ppf(r->p, r->k);
        expect_rel(x, r->x, 1e-10, "ppf", r->k, r->p);
        expect_rel(md_chi2_cdf(x, r->k), r->p, 1e-10, "cdf(ppf)", r->k, r->p);
        if (r->p > 0.5) /* 1 - p is exact here */
            expect_rel(md_chi2_sf(x, r->k), 1.0 - r->p, 1e-10, "sf(ppf)", r->k, r->p);
    }
}
END_TEST

START_TEST(chi2_edges)
{
    ck_assert(md_chi2_ppf(0.0, 3) == 0.0);
    ck_assert(md_chi2_ppf(1.0, 3) == INFINITY);
    ck_assert(isnan(md_chi2_ppf(-0.1, 3)));
    ck_assert(isnan(md_chi2_ppf(1.1, 3)));
    ck_assert(isnan(md_chi2_ppf(NAN, 3)));
    ck_assert(isnan(md_chi2_ppf(0.5, NAN)));
    ck_assert(isnan(md_chi2_ppf(0.5, 0)));
    ck_assert(isnan(md_chi2_ppf(0.5, -2)));
    ck_assert(isnan(md_chi2_ppf(0.5, INFINITY)));

    ck_assert(md_chi2_cdf(0.0, 3) == 0.0);
    ck_assert(md_chi2_cdf(-1.0, 3) == 0.0);
    ck_assert(md_chi2_cdf(-INFINITY, 1) == 0.0);
    ck_assert(md_chi2_sf(0.0, 3) == 1.0);
    ck_assert(md_chi2_sf(-1.0, 3) == 1.0);
    ck_assert(md_chi2_sf(-INFINITY, 1) == 1.0);
    ck_assert(md_chi2_cdf(INFINITY, 3) == 1.0);
    ck_assert(md_chi2_sf(INFINITY, 3) == 0.0);
    ck_assert(isnan(md_chi2_cdf(NAN, 3)));
    ck_assert(isnan(md_chi2_sf(NAN, 3)));
    ck_assert(isnan(md_chi2_cdf(1.0, NAN)));
    ck_assert(isnan(md_chi2_sf(1.0, NAN)));
    ck_assert(isnan(md_chi2_cdf(1.0, 0)));
    ck_assert(isnan(md_chi2_sf(1.0, -1)));
    /* scipy's limits for k = ∞: all the mass is beyond any finite x. */
    ck_assert(md_chi2_cdf(1e300, INFINITY) == 0.0);
    ck_assert(md_chi2_sf(1e300, INFINITY) == 1.0);
}
END_TEST

START_TEST(kolmogorov_matches_scipy)
{
    for (size_t i = 0; i < LEN(kolmogorov_rows); i++) {
        double x = kolmogorov_rows[i][0], want = kolmogorov_rows[i][1];
        double got = md_kolmogorov_sf(x);
        ck_assert_msg(fabs(got - want) <= 1e-12, "kolmogorov(%.17g): got %.17g, want %.17g", x, got,
                      want);
        /* The tail p-values are compared relatively too: an absolute 1e-12 would accept 0. */
        if (x >= 1.0)
            ck_assert_msg(fabs(got - want) <= 1e-12 * want,
                          "kolmogorov(%.17g): got %.17g, want %.17g", x, got, want);
    }
    ck_assert(md_kolmogorov_sf(0.0) == 1.0);
    ck_assert(md_kolmogorov_sf(-1.0) == 1.0);
    ck_assert(md_kolmogorov_sf(-INFINITY) == 1.0);
    ck_assert(md_kolmogorov_sf(INFINITY) == 0.0);
    ck_assert(isnan(md_kolmogorov_sf(NAN)));
}
END_TEST

static void expect_quantiles(const char *name, const double *sorted, size_t n, const double *want)
{
    double out[LEN(quantile_q) + 1];
    out[LEN(quantile_q)] = 42.0;
    md_quantiles_linear(sorted, n, quantile_q, LEN(quantile_q), out);
    for (size_t j = 0; j < LEN(quantile_q); j++)
        expect_bits(out[j], want[j], name, j);
    ck_assert_msg(out[LEN(quantile_q)] == 42.0, "%s: wrote past the %zu quantiles", name,
                  LEN(quantile_q));
}

#define EXPECT_QUANTILES(x) expect_quantiles(#x, q_##x##_sorted, LEN(q_##x##_sorted), q_##x##_want)

START_TEST(quantiles_match_numpy_bit_for_bit)
{
    EXPECT_QUANTILES(one);
    EXPECT_QUANTILES(two);
    EXPECT_QUANTILES(ties);
    EXPECT_QUANTILES(equal);
    EXPECT_QUANTILES(huge);
    EXPECT_QUANTILES(normal);
    EXPECT_QUANTILES(scores);
    EXPECT_QUANTILES(negzero);
    EXPECT_QUANTILES(negzeros);
    EXPECT_QUANTILES(negzero_one);
    /* numpy rejects a NaN q; here it must give NaN rather than index with it. */
    double q = NAN, out = 0.0;
    md_quantiles_linear(q_ties_sorted, LEN(q_ties_sorted), &q, 1, &out);
    ck_assert(isnan(out));
}
END_TEST

static void expect_linspace(size_t k, const double *want)
{
    double out[64];
    for (size_t i = 0; i < LEN(out); i++)
        out[i] = 42.0;
    md_linspace01(k, out);
    for (size_t i = 0; i <= k; i++)
        expect_bits(out[i], want[i], "linspace", i);
    ck_assert_msg(out[k + 1] == 42.0, "linspace(%zu) wrote past its %zu values", k, k + 1);
}

START_TEST(linspace_matches_numpy_bit_for_bit)
{
    expect_linspace(0, linspace_0);
    expect_linspace(1, linspace_1);
    expect_linspace(3, linspace_3);
    expect_linspace(10, linspace_10);
    /* 49 * (1 / 49) < 1: numpy sets the last value rather than computing it. */
    expect_linspace(49, linspace_49);
}
END_TEST

static void expect_unique(const double *in, size_t n, const double *want, size_t nwant)
{
    double v[8];
    ck_assert(n <= LEN(v));
    memcpy(v, in, n * sizeof *v);
    size_t m = md_unique(v, n);
    ck_assert_uint_eq(m, nwant);
    for (size_t i = 0; i < m; i++)
        expect_bits(v[i], want[i], "unique", i);
}

START_TEST(unique_matches_numpy)
{
    static const double mixed[] = {3.0, 1.0, 2.0, 3.0, 1.0};
    static const double zero_first[] = {0.0, -0.0, 1.0};
    static const double negzero_first[] = {-0.0, 2.0, 0.0};
    static const double desc[] = {5.0, 4.0, 3.0, 2.0, 1.0};
    static const double same[] = {2.0, 2.0, 2.0};
    expect_unique(mixed, LEN(mixed), uniq_mixed_want, LEN(uniq_mixed_want));
    expect_unique(zero_first, LEN(zero_first), uniq_zero_first_want, LEN(uniq_zero_first_want));
    expect_unique(negzero_first, LEN(negzero_first), uniq_negzero_first_want,
                  LEN(uniq_negzero_first_want));
    expect_unique(desc, LEN(desc), uniq_desc_want, LEN(uniq_desc_want));
    expect_unique(same, LEN(same), uniq_same_want, LEN(uniq_same_want));
    double one = 7.0;
    ck_assert_uint_eq(md_unique(&one, 1), 1);
    ck_assert(one == 7.0);
    ck_assert_uint_eq(md_unique(&one, 0), 0);
}
END_TEST

static double ksum_of(const double *v, size_t n)
{
    md_ksum k = {0.0, 0.0};
    for (size_t i = 0; i < n; i++)
        md_ksum_add(&k, v[i]);
    return md_ksum_value(&k);
}

START_TEST(ksum_compensates)
{
    /* Expected values are Python's math.fsum (exactly rounded). Plain summation gives 0.0,
     * 0.9999999999999999 and 0.0; Kahan's, which loses the error when |v| > |sum|, 0.0 for the
     * first and the last. */
    static const double cancel[] = {1e100, 1.0, -1e100};
    static const double tenth[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    static const double kahan[] = {1.0, 1e100, 1.0, -1e100};
    ck_assert(ksum_of(cancel, LEN(cancel)) == 1.0);
    ck_assert(ksum_of(tenth, LEN(tenth)) == 1.0);
    ck_assert(ksum_of(kahan, LEN(kahan)) == 2.0);
    ck_assert(ksum_of(NULL, 0) == 0.0);

    static const double with_inf[] = {1.0, INFINITY, 2.0};
    ck_assert(ksum_of(with_inf, LEN(with_inf)) == INFINITY);
    static const double inf_minus_inf[] = {1.0, INFINITY, -INFINITY};
    ck_assert(isnan(ksum_of(inf_minus_inf, LEN(inf_minus_inf))));
}
END_TEST

Suite *suite_stats(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, chi2_cdf_sf_match_scipy);
    tcase_add_test(tc, binomial_tails_match_scipy);
    tcase_add_test(tc, chi2_ppf_matches_scipy_and_inverts_cdf);
    tcase_add_test(tc, chi2_edges);
    tcase_add_test(tc, hosmer_lemeshow_on_g_minus_2);
    tcase_add_test(tc, kolmogorov_matches_scipy);
    tcase_add_test(tc, quantiles_match_numpy_bit_for_bit);
    tcase_add_test(tc, linspace_matches_numpy_bit_for_bit);
    tcase_add_test(tc, unique_matches_numpy);
    tcase_add_test(tc, ksum_compensates);
    suite_add_tcase(s, tc);
    return s;
}
