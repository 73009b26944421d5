#!/usr/bin/python3
"""The sample-size-aware drift rule: few false alerts on small windows, every real shift caught.

One baseline of 50,000 rows (three numeric features: normal, lognormal, Poisson integers with
ties; two categorical, one of 6 categories and one of 50 skewed ones, the rarest under 1%; the
normal one missing in 3% of rows), then a scoring log of 200 hour
windows of 100 rows each drawn from the same distribution, 20 hour windows of 100 rows with a
clear shift (numeric means moved by about 1.5 standard deviations, the categorical mix
reversed), 200 no-drift hour windows each of 30 and of 10 rows (a quiet model's hours), and 20
shifted windows of 30 rows.

Passes when, for every feature and window size, at most 5% of the no-drift (feature, window)
rows are "alert", every shifted row of 100 rows is "alert", and at least 90% of those of 30 rows
(KS for numeric features, the category counts' exact test for the 6-category one; a 50-category
mix at 30 rows is shown, not judged). The printout also shows how often the bare
rule PSI >= 0.1 would have fired at n = 100, and how that rate grows as windows shrink, which
is why the rule compares PSI with its own null quantile (1/n + 1/m) * chi2.ppf(0.99, k - 1),
and below drift.psi.min_rows values (where that null fails) leaves the status to KS and to the
missingness test.

    /usr/bin/python3 tests/reference/test_null_rate.py [--keep] [--seed S] [--reference-only]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import sys
import tempfile
import time

import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import reference as ref  # noqa: E402
import run as runner  # noqa: E402

N_BASE = 50000
N_NULL_WINDOWS = 200
N_SHIFT_WINDOWS = 20
WINDOW_ROWS = 100
SMALL_WINDOWS = ((200, 30), (200, 10))  # no-drift windows below drift.psi.min_rows
SMALL_SHIFTED = (20, 30)  # shifted windows below it: caught by KS and the counts' exact test
MIN_SMALL_CAUGHT = 0.9
MISSING_RATE = 0.03  # x_normal, in the baseline and the log alike
MAX_FALSE_ALERT_RATE = 0.05
MAX_CALIBRATION_RATE = 0.01  # the Hosmer-Lemeshow rule's own level
T0 = dt.datetime(2026, 10, 1)
CATS = ["email", "sms", "push", "web", "app", "store"]
CAT_P = np.array([0.35, 0.25, 0.15, 0.12, 0.08, 0.05])
# many categories, the rarest under 1%: a window of 100 rows lacks most of the rare ones, each
# adding about its share times ln(share / 1e-4) to PSI, which the chi-square null does not allow
CAMPAIGNS = [f"cmp-{i:03d}" for i in range(50)]
CAMPAIGN_P = 1.0 / np.arange(1, 51) ** 0.7
CAMPAIGN_P /= CAMPAIGN_P.sum()
FEATURES = ["x_normal", "x_lognormal", "x_int", "channel", "campaign"]
# shifted windows of 30 rows that the category counts' exact test can catch: a 50-category mix
# at 30 rows cannot be told from chance with a false-alert rate of 1% (no rule could)
SMALL_CAUGHT_FEATURES = ["x_normal", "x_lognormal", "x_int", "channel"]


def draw(rng: np.random.Generator, n: int, shifted: bool) -> dict:
    s = 1.5 if shifted else 0.0
    x = rng.normal(10.0 + s * 2.0, 2.0, n)  # +1.5 sd
    x[rng.random(n) < MISSING_RATE] = np.nan
    return {
        "x_normal": x,
        "x_lognormal": np.exp(rng.normal(0.0 + s, 1.0, n)),  # +1.5 sd of the log
        "x_int": rng.poisson(3.0, n) + (3 if shifted else 0),  # +3 = 1.7 sd
        "channel": rng.choice(CATS, n, p=CAT_P[::-1] if shifted else CAT_P),
        "campaign": rng.choice(CAMPAIGNS, n, p=CAMPAIGN_P[::-1] if shifted else CAMPAIGN_P),
    }


def write_csv(path: str, cols: dict, ts: list, rng: np.random.Generator) -> None:
    n = len(next(iter(cols.values())))
    score = 1 / (1 + np.exp(-rng.normal(-0.5, 1.2, n)))
    label = (rng.random(n) < score).astype(int)
    with open(path, "w", encoding="utf-8") as f:
        f.write(("ts," if ts else "") + ",".join(FEATURES) + ",score,label\n")
        for i in range(n):
            parts = [ts[i]] if ts else []
            x = float(cols["x_normal"][i])
            parts += ["" if np.isnan(x) else repr(x), repr(float(cols["x_lognormal"][i])),
                      str(int(cols["x_int"][i])), str(cols["channel"][i]),
                      str(cols["campaign"][i])]
            parts += [repr(float(score[i])), str(int(label[i]))]
            f.write(",".join(parts) + "\n")


def make_files(d: str, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    base = draw(rng, N_BASE, False)
    bpath = os.path.join(d, "baseline.csv")
    write_csv(bpath, base, [], rng)
    cols = {f: [] for f in FEATURES}
    ts = []
    plan = [(N_NULL_WINDOWS, WINDOW_ROWS, False), (N_SHIFT_WINDOWS, WINDOW_ROWS, True)]
    plan += [(count, rows, False) for count, rows in SMALL_WINDOWS]
    plan.append((SMALL_SHIFTED[0], SMALL_SHIFTED[1], True))
    shifted, size = set(), {}
    w = 0
    for count, rows, shift in plan:
        for _ in range(count):
            part = draw(rng, rows, shift)
            for f in FEATURES:
                cols[f].extend(part[f])
            start = T0 + dt.timedelta(hours=w)
            ts += [(start + dt.timedelta(seconds=int(s))).strftime("%Y-%m-%dT%H:%M:%SZ")
                   for s in rng.integers(0, 3600, rows)]
            name = start.strftime("%Y-%m-%dT%H")
            size[name] = rows
            if shift:
                shifted.add(name)
            w += 1
    lpath = os.path.join(d, "log.csv")
    write_csv(lpath, cols, ts, rng)
    return bpath, lpath, shifted, size


def bare_rate_by_n(seed: int) -> list:
    """The reference's PSI >= 0.1 rate under no drift, by window size (normal feature)."""
    rng = np.random.default_rng(seed + 1)
    bins = ref.NumBins(rng.normal(size=N_BASE))
    out = []
    for n in (30, 50, 100, 300, 1000, 5000):
        ps = np.array([bins.psi(rng.normal(size=n))[0] for _ in range(400)])
        out.append((n, float(np.mean(ps >= 0.1)), ref.psi_null(n, N_BASE, 10)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description="false-alert rate of the drift rule at n = 100")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--reference-only", action="store_true")
    ap.add_argument("--bin", default=runner.default_bin())
    a = ap.parse_args()
    t0 = time.time()
    policy, psrc = ref.load_policy()
    tmp = tempfile.mkdtemp(prefix="mdref-nullrate-")
    problems = []
    try:
        bpath, lpath, shifted, size = make_files(tmp, a.seed)
        engine = None
        ks_samples = None
        if not a.reference_only:
            if not (os.path.isfile(a.bin) and os.access(a.bin, os.X_OK)):
                print(f"test_null_rate: no modeldeck binary at {a.bin}", file=sys.stderr)
                return 2
            cli = runner.Cli(a.bin, os.path.join(tmp, "store.db"), tmp)
            spec = {"model": "m", "sla_ms": None, "version": 1, "decoy": None,
                    "cols": {"ts_col": "ts", "score_col": "score", "label_col": "label"},
                    "baseline": {"file": "baseline.csv", "format": "csv"}, "contract": None,
                    "ingests": [{"file": "log.csv", "format": "csv"}], "window": "hour"}
            try:
                engine = runner.drive_engine(cli, spec, tmp)
            except runner.EngineError as e:
                print("test_null_rate: ERROR " + str(e).replace("\n", "\n    "))
                return 1
            if engine["errors"] or engine["drift"] is None or engine["baseline"] is None:
                print("test_null_rate: ERROR " + "\n".join(engine["errors"]).replace("\n", "\n    "))
                return 1
            ks_samples = {}
            for f in engine["baseline"].get("features", []):
                S = runner.ks_sample_of(f) if isinstance(f, dict) else None
                if S is not None:
                    ks_samples[f.get("name")] = S
        if not ks_samples:  # reference only: a seeded stand-in for the engine's KS sample
            rng = np.random.default_rng(3)
            base = ref.build_baseline(ref.load_table(bpath, "csv"), ref.Columns(), {})
            ks_samples = {fb.name: rng.choice(fb.values, ref.KS_SAMPLE_MAX, replace=False)
                          for fb in base.features if fb.kind == "numeric"}
        exp = ref.expected(bpath, "csv", [(lpath, "csv")], ref.Columns(), "hour", policy=policy,
                           ks_samples=ks_samples)
        refrows = {(r["window"], r["feature"]): r for r in exp["drift"]}
        if engine is not None:  # every number of this 50,000-row baseline case, as run.py does
            c = runner.Comparer()
            runner.compare_baseline(c, exp["baseline"], engine["baseline"], exp["_base"])
            runner.compare_drift(c, exp["drift"], engine["drift"], spec)
            for d in c.diffs[:10]:
                print("  - " + d.line())
            if c.diffs:
                problems.append(f"{len(c.diffs)} of {c.checked} numbers differ from the reference")
        got = {}
        if engine is not None:
            for r in engine["drift"].get("drift", []) if isinstance(engine["drift"], dict) else []:
                if isinstance(r, dict):
                    got[(r.get("window"), r.get("feature"))] = r
        wins = sorted({w for w, _ in refrows})
        small = " + ".join(f"{c} of {r}" for c, r in SMALL_WINDOWS)
        if len(wins) != len(size):
            problems.append(f"expected {len(size)} windows, reference has {len(wins)}")
        null_w = [w for w in wins if w not in shifted and size.get(w) == WINDOW_ROWS]
        print(f"null-rate test: baseline {N_BASE} rows, {N_NULL_WINDOWS} no-drift + "
              f"{N_SHIFT_WINDOWS} shifted hour windows of {WINDOW_ROWS} rows, no-drift ones "
              f"{small} rows; policy {psrc}")
        print(f"  rule: alert when psi >= {policy['psi']['alert']} and psi > psi_null_p99 over "
              f">= {policy['psi']['min_rows']} values, or ks_pvalue < {policy['ks']['pvalue']} "
              f"and ks >= {policy['ks']['min_d']} (level {policy['ks']['level']}), or "
              f"|missing_delta| >= {policy['missing_delta']['alert']} with missing_pvalue < "
              f"{policy['missing_delta']['pvalue']}, ...")
        hdr = (f"  {'feature':12} {'false alerts':>14} {'(reference)':>12} {'PSI>=0.1':>10} "
               f"{'(reference)':>12} {'shift caught':>13} {'(reference)':>12}")
        print(hdr)
        for f in FEATURES:
            rn = [refrows[(w, f)] for w in null_w]
            big = [w for w in wins if w in shifted and size.get(w) == WINDOW_ROWS]
            rs = [refrows[(w, f)] for w in big]
            ref_fa = np.mean([r["status"] == "alert" for r in rn])
            ref_bare = np.mean([r["psi"] >= 0.1 for r in rn])
            ref_caught = np.mean([r["status"] == "alert" for r in rs])
            if ref_fa > MAX_FALSE_ALERT_RATE:
                problems.append(f"{f}: the reference itself alerts on {ref_fa:.1%} of no-drift windows "
                                f"(METRICS.md's rule, not the engine)")
            if engine is not None:
                gn = [got.get((w, f)) for w in null_w]
                gs = [got.get((w, f)) for w in big]
                missing = sum(g is None for g in gn + gs)
                if missing:
                    problems.append(f"{f}: the engine has no drift row for {missing} windows")
                gn = [g for g in gn if g is not None]
                gs = [g for g in gs if g is not None]
                fa = np.mean([g.get("status") == "alert" for g in gn]) if gn else float("nan")
                bare = np.mean([isinstance(g.get("psi"), (int, float)) and g["psi"] >= 0.1
                                for g in gn]) if gn else float("nan")
                caught = np.mean([g.get("status") == "alert" for g in gs]) if gs else float("nan")
                if not fa <= MAX_FALSE_ALERT_RATE:
                    problems.append(f"{f}: {fa:.1%} of no-drift windows alert (at most "
                                    f"{MAX_FALSE_ALERT_RATE:.0%} allowed)")
                if not caught == 1.0:
                    missed = [w for w in big if (got.get((w, f)) or {}).get("status") != "alert"]
                    problems.append(f"{f}: shifted windows not alerting: {missed[:5]}"
                                    + (" ..." if len(missed) > 5 else ""))
                print(f"  {f:12} {fa:14.1%} {ref_fa:12.1%} {bare:10.1%} {ref_bare:12.1%} "
                      f"{caught:13.1%} {ref_caught:12.1%}")
            else:
                print(f"  {f:12} {'-':>14} {ref_fa:12.1%} {'-':>10} {ref_bare:12.1%} {'-':>13} "
                      f"{ref_caught:12.1%}")
            if ref_caught < 1.0:
                problems.append(f"{f}: the reference misses a shifted window (test data too weak)")
        for _, rows in SMALL_WINDOWS:  # quiet hours: the same bound on false alerts
            ws = [w for w in wins if w not in shifted and size.get(w) == rows]
            line = f"  no-drift windows of {rows:3} rows, false alerts:"
            for f in FEATURES:
                ref_fa = np.mean([refrows[(w, f)]["status"] == "alert" for w in ws])
                fa = float("nan")
                if engine is not None:
                    gn = [got.get((w, f)) for w in ws]
                    fa = np.mean([g is not None and g.get("status") == "alert" for g in gn])
                    if not fa <= MAX_FALSE_ALERT_RATE:
                        problems.append(f"{f}: {fa:.1%} of no-drift windows of {rows} rows alert "
                                        f"(at most {MAX_FALSE_ALERT_RATE:.0%} allowed)")
                if ref_fa > MAX_FALSE_ALERT_RATE:
                    problems.append(f"{f}: the reference itself alerts on {ref_fa:.1%} of no-drift "
                                    f"windows of {rows} rows")
                line += f"  {f} {fa:.1%} ({ref_fa:.1%})"
            print(line)
        if engine is not None:  # the scores are calibrated: calibration incidents are false
            with sqlite3.connect(os.path.join(tmp, "store.db")) as db:
                flagged = db.execute(
                    "SELECT count(DISTINCT e.window) FROM incident_evidence e JOIN incidents i"
                    " ON i.id = e.incident_id WHERE i.kind = 'calibration'").fetchone()[0]
            rate = flagged / len(wins)
            print(f"  calibrated scores: calibration evidence from {flagged} of {len(wins)} windows "
                  f"({rate:.1%}; the Hosmer-Lemeshow p-value counts where its chi-square holds)")
            if rate > MAX_CALIBRATION_RATE:
                problems.append(f"calibration incidents from {rate:.1%} of windows of a calibrated "
                                f"model (at most {MAX_CALIBRATION_RATE:.0%} allowed)")
        small_shift = [w for w in wins if w in shifted and size.get(w) == SMALL_SHIFTED[1]]
        line = f"  shifted windows of {SMALL_SHIFTED[1]:3} rows, caught:        "
        for f in FEATURES:
            ref_c = np.mean([refrows[(w, f)]["status"] == "alert" for w in small_shift])
            caught = float("nan")
            if engine is not None:
                caught = np.mean([(got.get((w, f)) or {}).get("status") == "alert"
                                  for w in small_shift])
                if f in SMALL_CAUGHT_FEATURES and not caught >= MIN_SMALL_CAUGHT:
                    problems.append(f"{f}: only {caught:.1%} of shifted windows of "
                                    f"{SMALL_SHIFTED[1]} rows alert (at least "
                                    f"{MIN_SMALL_CAUGHT:.0%} wanted)")
            line += f"  {f} {caught:.1%} ({ref_c:.1%})"
        print(line)
        print("  the bare rule PSI >= 0.1 under no drift, by window size (reference, normal feature,"
              " 10 bins):")
        for n, rate, null in bare_rate_by_n(a.seed):
            print(f"    n = {n:5}: fires {rate:6.1%}   psi_null_p99 = {null:.4f}")
    finally:
        if a.keep:
            print(f"  kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print("  FAIL " + p)
    if a.reference_only:
        print("  (reference only: the engine was not run)")
    ok = not problems and (engine is not None or a.reference_only)
    print(f"null-rate: {1 if ok else 0} passed, {0 if ok else 1} failed ({time.time() - t0:.1f}s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
