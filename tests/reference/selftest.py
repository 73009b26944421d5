#!/usr/bin/python3
"""Hand-computed checks of reference.py, independent of the engine.

Each expected value below was worked out by hand from METRICS.md (the arithmetic is in the
comments), so a slip in reference.py shows up here before it can blame the engine.
    /usr/bin/python3 tests/reference/selftest.py
"""
import math
import os
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402

FAILS = []
N = 0


def check(name, got, want, tol=1e-12):
    global N
    N += 1
    ok = (got is None and want is None) or (
        got is not None and want is not None and math.isclose(got, want, rel_tol=tol, abs_tol=tol))
    if not ok:
        FAILS.append(f"{name}: got {got!r}, want {want!r}")


def check_eq(name, got, want):
    global N
    N += 1
    if got != want:
        FAILS.append(f"{name}: got {got!r}, want {want!r}")


POL, _ = ref.load_policy()

# PSI, numeric. B = 1..10: quantiles at 9q are 1, 1.9, 2.8, ..., 9.1, 10 (11 distinct edges), one
# value per bin, e = 0.1 each. W = [1, 1, 1, 1, 10]: a = [0.8, 0 x 8, 0.2] -> floors to 1e-4.
# PSI = 0.7 ln 8 + 8 (1e-4 - 0.1) ln(1e-3) + 0.1 ln 2
B = np.arange(1.0, 11.0)
W = np.array([1.0, 1, 1, 1, 10])
psi, k = ref.psi_numeric(B, W)
check("psi numeric", psi, 0.7 * math.log(8) + 8 * (1e-4 - 0.1) * math.log(1e-4 / 0.1) + 0.1 * math.log(2))
check_eq("psi numeric bins", k, 10)
# Values outside the baseline range are clipped into the end bins: same PSI with -5 and 99.
check("psi clip", ref.psi_numeric(B, np.array([-5.0, 1, 1, 1, 99]))[0], psi)

# Constant baseline c = 5: bins x == 5 and x != 5. B = [5,5,5], W = [5, 6]: e = [1, 0 -> 1e-4],
# a = [0.5, 0.5]; PSI = (0.5 - 1) ln 0.5 + (0.5 - 1e-4) ln(0.5 / 1e-4).
psi, k = ref.psi_numeric(np.array([5.0, 5, 5]), np.array([5.0, 6]))
check("psi constant", psi, -0.5 * math.log(0.5) + (0.5 - 1e-4) * math.log(0.5 / 1e-4))
check_eq("psi constant bins", k, 2)
# Its null: (1/2 + 1/3) * chi2.ppf(0.99, 1) = (5/6) * 6.634896601021214
check("psi null k=2", ref.psi_null(2, 3, 2), 5 / 6 * 6.634896601021214, 1e-12)
check("psi null k=1", ref.psi_null(2, 3, 1), 0.0)

# PSI, categorical. B = a a b, W = b c: bins a b c; e = [2/3, 1/3, 0 -> 1e-4], a = [0 -> 1e-4, 1/2, 1/2]
psi, k = ref.psi_categorical(["a", "a", "b"], ["b", "c"])
want = ((1e-4 - 2 / 3) * math.log(1e-4 / (2 / 3)) + (0.5 - 1 / 3) * math.log(0.5 / (1 / 3))
        + (0.5 - 1e-4) * math.log(0.5 / 1e-4))
check("psi categorical", psi, want)
check_eq("psi categorical bins", k, 3)

# KS: S = [1,2,3], W = [4,5]: D = 1, p = kolmogorov(sqrt(3*2/5) * 1). kolmogorov(x) =
# 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 x^2).
D, p = ref.ks(np.array([1.0, 2, 3]), np.array([4.0, 5]))
check("ks D", D, 1.0)
x = math.sqrt(6 / 5)
check("ks p", p, 2 * sum((-1) ** (j - 1) * math.exp(-2 * j * j * x * x) for j in range(1, 100)), 1e-12)
# Same samples: D = 0, p = 1.
D, p = ref.ks(np.array([1.0, 2, 3]), np.array([3.0, 2, 1]))
check("ks D same", D, 0.0)
check("ks p same", p, 1.0)
# D = max |F_S - F_W|: S = [0, 1, 2, 3], W = [1.5, 1.5]: at 1 F_S = 0.5, F_W = 0 -> D = 0.5
check("ks D half", ref.ks(np.array([0.0, 1, 2, 3]), np.array([1.5, 1.5]))[0], 0.5)

# Performance. Baseline scores 0.0, 0.1, ..., 1.0 -> edges are those 11 values.
edges = ref.psi_edges(np.linspace(0, 1, 11))
check_eq("score edges", len(edges), 11)
y = np.array([0, 1, 0, 1, 1])
s = np.array([0.05, 0.05, 0.55, 0.95, 1.0])
perf = ref.performance(y, s, edges)
# searchsorted(side=right) - 1: 0.05 -> 0, 0.55 -> 5, 0.95 -> 9, 1.0 -> 10 -> clipped to 9.
d = perf["deciles"]
check_eq("decile n", [x["n"] for x in d], [2, 0, 0, 0, 0, 1, 0, 0, 0, 2])
check("decile 1 expected", d[0]["expected"], 0.05)
check("decile 1 observed", d[0]["observed"], 0.5)
check("decile 10 expected", d[9]["expected"], 0.975)
check_eq("empty decile", (d[1]["expected"], d[1]["observed"], d[1]["lo"], d[1]["hi"]), (None, None, 0.1, 0.2))
# ECE = 2/5 |0.05 - 0.5| + 1/5 |0.55 - 0| + 2/5 |0.975 - 1|
check("ece", perf["ece"], 0.4 * 0.45 + 0.2 * 0.55 + 0.4 * 0.025)
# Brier = mean((s - y)^2)
check("brier", perf["brier"], float(np.mean((s - y) ** 2)))
# AUC: positives {0.05, 0.95, 1.0}, negatives {0.05, 0.55}: pairs won 0.5+0 +1+1 +1+1 = 4.5 of 6
check("auc", perf["auc"], 4.5 / 6)
# HL: bins 1 (E = 0.1, O = 1, n = 2), 6 (E = 0.55, O = 0, n = 1), 10 (E = 1.95, O = 2, n = 2)
hl = (1 - 0.1) ** 2 / (0.1 * (1 - 0.05)) + (0 - 0.55) ** 2 / (0.55 * (1 - 0.55)) + \
    (2 - 1.95) ** 2 / (1.95 * (1 - 0.975))
check("hl stat", perf["hl_stat"], hl, 1e-12)
# g = 3 -> g - 2 = 1 degree of freedom: chi2.sf(x, 1) = erfc(sqrt(x / 2))
check("hl p", perf["hl_pvalue"], math.erfc(math.sqrt(hl / 2)), 1e-12)
# Single class: AUC null, Brier still defined.
perf1 = ref.performance(np.array([1, 1]), np.array([0.2, 0.4]), edges)
check("auc single class", perf1["auc"], None)
check("brier single class", perf1["brier"], (0.64 + 0.36) / 2)
check("hl p g<3", perf1["hl_pvalue"], None)
# No labeled rows: everything null.
perf0 = ref.performance(np.array([], dtype=int), np.array([]), edges)
check_eq("no labels", [perf0[k] for k in ("auc", "brier", "ece", "hl_stat", "hl_pvalue")], [None] * 5)

# Missing spellings and numbers.
for t in ["", "NA", "NaN", "null", "NULL", "nan", "Null", None]:
    check_eq(f"missing {t!r}", ref.is_missing(t), True)
for t in ["0", "None", " ", "n/a", ref.JNum("0")]:
    check_eq(f"not missing {t!r}", ref.is_missing(t), False)
check_eq("number 1e3", ref.parse_number("1e3"), 1000.0)
check_eq("number -0.5", ref.parse_number("-0.5"), -0.5)
check_eq("number .5", ref.parse_number(".5"), 0.5)
check_eq("not a number inf", ref.parse_number("inf"), None)
check_eq("not a number 1_000", ref.parse_number("1_000"), None)
check_eq("not a number 0x10", ref.parse_number("0x10"), None)
check_eq("not a number ' 1'", ref.parse_number(" 1"), None)
check_eq("json number text", ref.cell_text(ref.JNum("1.50")), "1.50")

# Timestamps -> UTC windows.
ts = ref.parse_ts
check_eq("offset crosses midnight", ref.window_name(ts("2026-10-01T23:30:00-02:00"), "day"), "2026-10-02")
check_eq("offset back a day", ref.window_name(ts("2026-10-02T01:30:00+05:30"), "day"), "2026-10-01")
check_eq("hour window", ref.window_name(ts("2026-10-01T23:30:00-02:00"), "hour"), "2026-10-02T01")
# 2026-10-01T00:00:00Z = 20727 days * 86400 = 1790812800
check_eq("epoch text", ref.window_name(ts("1790812800"), "hour"), "2026-10-01T00")
check_eq("epoch json", ref.window_name(ts(ref.JNum("1790812799")), "day"), "2026-09-30")
check_eq("fraction", ref.window_name(ts("2026-10-01T12:59:59.999Z"), "hour"), "2026-10-01T12")

# Status rules with the policy in force.
row = {"psi": 0.3, "psi_null_p99": 0.5, "ks": None, "ks_pvalue": None, "missing_delta": 0.0,
       "missing_pvalue": 1.0, "schema_changes": 0, "violations": 0, "n": 500}
check_eq("psi under its null is ok", ref.status_of(row, POL)[0], "ok")
row["psi_null_p99"] = 0.01
check_eq("psi over alert and null", ref.status_of(row, POL)[0], "alert")
row["n"] = POL["psi"]["min_rows"] - 1
check_eq("psi over too few values", ref.status_of(row, POL)[0], "ok")
row["mix_pvalue"] = POL["psi"]["small_pvalue"] / 10
check_eq("few values, counts beyond chance", ref.status_of(row, POL)[0], "alert")
row["mix_pvalue"] = POL["psi"]["small_pvalue"] * 2
check_eq("few values, counts chance explains", ref.status_of(row, POL)[0], "ok")
row["n"] = 500  # over min_rows, where a rare category makes the null fail: the test decides
check_eq("many values, counts chance explains", ref.status_of(row, POL)[0], "ok")
row["mix_pvalue"] = POL["psi"]["small_pvalue"] / 10
check_eq("many values, counts beyond chance", ref.status_of(row, POL)[0], "alert")
del row["mix_pvalue"]
bins = ref.CatBins(["a"] * 50 + ["b"] * 30 + ["c"] * 20)
# c: 9 of 10 against 0.2, P(X >= 9) = 10 * 0.2^9 * 0.8 + 0.2^10, the smallest tail (a: 1 of 10
# against 0.5 gives 11/1024); twice it, times 3 categories
check("mix test", bins.mix_pvalue(["a"] + ["c"] * 9), 3 * 2 * (10 * 0.2**9 * 0.8 + 0.2**10))
# c's share 0.2 expects 5 of 25 values: the null holds from 25 on (and min_rows)
check_eq("null holds", (bins.chi2_holds(100, 100), bins.chi2_holds(24, 10), bins.chi2_holds(25, 10)),
         (True, False, True))
row["n"] = 500
row["psi"] = POL["psi"]["warn"] + 1e-3
check_eq("psi over warn", ref.status_of(row, POL)[0], "warn")
row.update(psi=0.0, missing_delta=-POL["missing_delta"]["alert"], missing_pvalue=1e-6)
check_eq("negative missing delta", ref.status_of(row, POL)[0], "alert")
row.update(missing_pvalue=0.2)
check_eq("missing delta chance explains", ref.status_of(row, POL)[0], "ok")
row.update(missing_delta=0.0, missing_pvalue=1.0, violations=1)
check_eq("violation", ref.status_of(row, POL)[0], "alert")
check("binomial test, rate up", ref.missing_pvalue(2, 5, 0.02), 0.003842387200000001)
check("binomial test, rate down", ref.missing_pvalue(20, 100, 0.3), 0.01646285324186938)
check_eq("binomial test, no change", ref.missing_pvalue(1, 4, 0.25), 1.0)

# End to end on tiny files: CSV with BOM, CRLF, quoted newline; JSONL with absent key.
with tempfile.TemporaryDirectory() as d:
    b = os.path.join(d, "b.csv")
    with open(b, "w", encoding="utf-8-sig", newline="") as f:
        f.write('ts,x,c,score,label\r\n2026-09-01T00:00:00Z,1,"a\r\nb",0.2,0\r\n'
                '2026-09-01T00:00:00Z,2,"x,y",0.8,1\r\n2026-09-01T00:00:00Z,NA,"x,y",0.5,\r\n')
    lg = os.path.join(d, "l.jsonl")
    with open(lg, "w") as f:
        f.write('{"ts":"2026-10-01T23:30:00-02:00","x":1.5,"c":"a\\r\\nb","score":0.3,"label":1}\n'
                '{"ts":1790812800,"c":"new","score":0.6,"label":false}\n'
                '{"ts":"2026-10-01T00:10:00Z","x":"oops","c":null,"score":0.6,"label":null}\n')
    e = ref.expected(b, "csv", [(lg, "jsonl")], ref.Columns(), "day", policy=POL)
    bl = e["baseline"]
    check_eq("baseline rows/labeled", (bl["rows"], bl["labeled"]), (3, 2))
    check_eq("baseline kinds", [f["kind"] for f in bl["features"]], ["numeric", "categorical"])
    check("baseline missing_rate", bl["features"][0]["missing_rate"], 1 / 3)
    check_eq("baseline categories", bl["features"][1]["counts"], {"a\r\nb": 1, "x,y": 2})
    rows = {(r["window"], r["feature"]): r for r in e["drift"]}
    check_eq("windows", sorted({r["window"] for r in e["drift"]}), ["2026-10-01", "2026-10-02"])
    r = rows[("2026-10-01", "x")]
    # window 2026-10-01: two rows, x absent (missing) and "oops" (type error) -> n = 0
    check_eq("x d1", (r["rows"], r["schema_changes"], r["psi"], r["ks"]), (2, 1, None, None))
    check("x d1 missing", r["missing_rate"], 0.5)
    check("x d1 missing delta", r["missing_delta"], 0.5 - 1 / 3)
    r = rows[("2026-10-01", "c")]
    check_eq("c d1 new", (r["new_categories"], r["schema_changes"]), (["new"], 1))
    r = rows[("2026-10-02", "c")]
    check_eq("c d2 (a\\r\\nb)", (r["new_categories"], r["schema_changes"], r["rows"]), ([], 0, 1))
    cal = {w["window"]: w for w in e["calibration"]}
    check_eq("cal d1 labeled", (cal["2026-10-01"]["rows"], cal["2026-10-01"]["labeled"]), (2, 1))

print(f"selftest: {N - len(FAILS)} passed, {len(FAILS)} failed")
for f in FAILS:
    print("  FAIL " + f)
sys.exit(1 if FAILS else 0)
