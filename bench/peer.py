#!/usr/bin/env python3
"""The Python peer of `modeldeck baseline` + `modeldeck ingest`, for bench/run.sh.

What teams run today: pandas.read_csv of the whole scoring log, then numpy, scipy and sklearn
per feature and window, each number as docs/METRICS.md defines it:

  per feature and window  PSI (np.quantile edges from the baseline, np.histogram; categorical:
                          value counts over the union of categories), its chi-square null
                          (scipy.stats.chi2.ppf), KS against a seeded sample of at most 10,000
                          baseline values (scipy.stats.ks_2samp, p-value via
                          scipy.special.kolmogorov), missing rate and its delta, new categories
  per window              roc_auc_score, brier_score_loss, decile calibration with
                          np.searchsorted on the baseline's score deciles, ECE, Hosmer-Lemeshow
                          (scipy.stats.chi2.sf, g - 2 degrees of freedom)

  /usr/bin/python3 bench/peer.py BASELINE.csv LOG.csv [--json OUT.json]

Prints one summary line (windows and features processed, sums of PSI/KS, mean AUC and ECE) so
that a run visibly did the work; --json writes every number, for comparison with modeldeck's.
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import pandas as pd
from scipy import special, stats
from sklearn.metrics import brier_score_loss, roc_auc_score

# Missing, as docs/METRICS.md defines it (pandas' own default list also has "N/A", "#NA", ...).
NA_VALUES = ["", "NA", "na", "Na", "nA", "NaN", "nan", "NAN", "null", "NULL", "Null"]
TS_COL, ID_COL, SCORE_COL, LABEL_COL = "ts", "customer_id", "score", "label"
FLOOR = 1e-4
KS_SAMPLE = 10000
SEED = 20261001


def read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=NA_VALUES)


def psi(a, e):
    a = np.maximum(a, FLOOR)
    e = np.maximum(e, FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_null_p99(n, m, k):
    return 0.0 if k <= 1 else (1.0 / n + 1.0 / m) * float(stats.chi2.ppf(0.99, k - 1))


def none_if_nan(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


class NumericRef:
    def __init__(self, col, rng):
        self.rows = len(col)
        b = col.to_numpy(dtype=np.float64)
        b = b[~np.isnan(b)]
        self.m = len(b)
        self.missing_rate = (self.rows - self.m) / self.rows
        self.edges = np.unique(np.quantile(b, np.linspace(0, 1, 11)))
        if len(self.edges) >= 2:
            self.e = np.histogram(b, self.edges)[0] / self.m
        else:
            self.e = np.array([1.0, 0.0])
        self.sample = b if self.m <= KS_SAMPLE else rng.choice(b, KS_SAMPLE, replace=False)

    def window(self, x):
        rows = len(x)
        w = x[~np.isnan(x)]
        n = len(w)
        out = {"missing_rate": (rows - n) / rows}
        out["missing_delta"] = out["missing_rate"] - self.missing_rate
        if n == 0:
            out.update(psi=None, psi_null_p99=None, ks=None, ks_pvalue=None)
            return out
        if len(self.edges) >= 2:
            a = np.histogram(np.clip(w, self.edges[0], self.edges[-1]), self.edges)[0] / n
        else:
            eq = np.count_nonzero(w == self.edges[0])
            a = np.array([eq, n - eq]) / n
        out["psi"] = psi(a, self.e)
        out["psi_null_p99"] = psi_null_p99(n, self.m, len(a))
        d = float(stats.ks_2samp(self.sample, w).statistic)
        s = len(self.sample)
        out["ks"] = d
        out["ks_pvalue"] = float(special.kolmogorov(math.sqrt(s * n / (s + n)) * d))
        return out


class CategoricalRef:
    def __init__(self, col):
        self.rows = len(col)
        b = col.dropna().astype(str)
        self.m = len(b)
        self.missing_rate = (self.rows - self.m) / self.rows
        self.counts = b.value_counts()

    def window(self, col):
        rows = len(col)
        w = col.dropna().astype(str)
        n = len(w)
        out = {"missing_rate": (rows - n) / rows}
        out["missing_delta"] = out["missing_rate"] - self.missing_rate
        counts = w.value_counts()
        new = counts.index.difference(self.counts.index)
        out["new_categories"] = sorted(new)[:20]
        out["schema_changes"] = int(counts[new].sum())
        if n == 0:
            out.update(psi=None, psi_null_p99=None)
            return out
        cats = self.counts.index.union(counts.index)
        e = self.counts.reindex(cats, fill_value=0).to_numpy() / self.m
        a = counts.reindex(cats, fill_value=0).to_numpy() / n
        out["psi"] = psi(a, e)
        out["psi_null_p99"] = psi_null_p99(n, self.m, len(cats))
        return out


def performance(y, s, edges, base_auc):
    labeled = len(y)
    if labeled == 0:
        return {"labeled": 0}
    auc = float(roc_auc_score(y, s)) if 0 < y.sum() < labeled else None
    out = {"labeled": labeled, "auc": auc,
           "delta_auc": None if auc is None or base_auc is None else auc - base_auc,
           "brier": float(brier_score_loss(y, s))}
    k = max(len(edges) - 1, 1)
    b = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, k - 1)
    n = np.bincount(b, minlength=k)
    sum_s = np.bincount(b, weights=s, minlength=k)
    sum_y = np.bincount(b, weights=y, minlength=k)
    deciles, ece, hl, g = [], 0.0, 0.0, 0
    for i in range(k):
        lo = float(edges[i])
        hi = float(edges[i + 1]) if len(edges) > 1 else lo
        if n[i] == 0:
            deciles.append({"n": 0, "expected": None, "observed": None, "lo": lo, "hi": hi})
            continue
        exp_i, obs_i = sum_s[i] / n[i], sum_y[i] / n[i]
        deciles.append({"n": int(n[i]), "expected": float(exp_i), "observed": float(obs_i),
                        "lo": lo, "hi": hi})
        ece += n[i] / labeled * abs(exp_i - obs_i)
        if 0 < exp_i < 1:
            hl += (sum_y[i] - sum_s[i]) ** 2 / (sum_s[i] * (1 - sum_s[i] / n[i]))
            g += 1
    out.update(deciles=deciles, ece=float(ece), hl_stat=float(hl),
               hl_pvalue=float(stats.chi2.sf(hl, g - 2)) if g >= 3 else None)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("baseline")
    ap.add_argument("log")
    ap.add_argument("--json", help="write every number to this file")
    args = ap.parse_args()
    t0 = time.monotonic()

    # ---- baseline ----
    base = read(args.baseline)
    features = [c for c in base.columns if c not in (TS_COL, ID_COL, SCORE_COL, LABEL_COL)]
    rng = np.random.default_rng(SEED)
    refs = {}
    for f in features:
        if pd.api.types.is_numeric_dtype(base[f]) and not pd.api.types.is_bool_dtype(base[f]):
            refs[f] = NumericRef(base[f], rng)
        else:
            refs[f] = CategoricalRef(base[f])
    bs = base[SCORE_COL].to_numpy(dtype=np.float64)
    score_edges = np.unique(np.quantile(bs, np.linspace(0, 1, 11)))
    bl = base[LABEL_COL].to_numpy(dtype=np.float64)
    lab = ~np.isnan(bl)
    by = bl[lab]
    base_auc = float(roc_auc_score(by, bs[lab])) if 0 < by.sum() < len(by) else None
    del base
    t_base = time.monotonic()

    # ---- log ----
    log = read(args.log)
    t_read = time.monotonic()
    day = pd.to_datetime(log[TS_COL], utc=True).dt.floor("D")
    groups = log.groupby(day, sort=True).indices
    cols = {}
    for f in features:
        if f not in log.columns:
            cols[f] = None
        elif isinstance(refs[f], NumericRef):
            c = log[f]
            if not pd.api.types.is_numeric_dtype(c):
                c = pd.to_numeric(c, errors="coerce")  # type errors: counted below
            cols[f] = c.to_numpy(dtype=np.float64)
        else:
            cols[f] = log[f]
    raw = {f: log[f] for f in features if isinstance(refs[f], NumericRef) and f in log.columns
           and not pd.api.types.is_numeric_dtype(log[f])}
    score = log[SCORE_COL].to_numpy(dtype=np.float64)
    label = log[LABEL_COL].to_numpy(dtype=np.float64)

    windows = []
    for key, idx in groups.items():
        w = {"window": key.strftime("%Y-%m-%d"), "rows": int(len(idx)), "features": {}}
        for f in features:
            ref, c = refs[f], cols[f]
            if c is None:
                w["features"][f] = {"missing_rate": 1.0, "schema_changes": 1, "psi": None}
                continue
            if isinstance(ref, NumericRef):
                x = c[idx]
                r = ref.window(x)
                te = 0
                if f in raw:  # values that do not parse: schema changes, not missing
                    rc = raw[f].iloc[idx]
                    te = int((rc.notna() & np.isnan(x)).sum())
                r["schema_changes"] = te
            else:
                r = ref.window(c.iloc[idx])
            w["features"][f] = r
        y = label[idx]
        s = score[idx]
        keep = ~np.isnan(y)
        w["performance"] = performance(y[keep], s[keep], score_edges, base_auc)
        windows.append(w)
    t_end = time.monotonic()

    psis = [r["psi"] for w in windows for r in w["features"].values() if r.get("psi") is not None]
    kss = [r["ks"] for w in windows for r in w["features"].values() if r.get("ks") is not None]
    aucs = [w["performance"]["auc"] for w in windows if w["performance"].get("auc") is not None]
    eces = [w["performance"]["ece"] for w in windows if "ece" in w["performance"]]
    n_num = sum(isinstance(r, NumericRef) for r in refs.values())
    print(f"peer: {len(windows)} windows x {len(features)} features ({n_num} numeric, "
          f"{len(features) - n_num} categorical), {len(log)} rows; "
          f"psi_sum={sum(psis):.6f} ks_sum={sum(kss):.6f} "
          f"auc_mean={np.mean(aucs) if aucs else float('nan'):.6f} "
          f"ece_mean={np.mean(eces) if eces else float('nan'):.6f}; "
          f"baseline {t_base - t0:.2f} s, read_csv {t_read - t_base:.2f} s, "
          f"metrics {t_end - t_read:.2f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"baseline_auc": base_auc, "score_edges": score_edges.tolist(),
                       "windows": windows}, fh, indent=1, default=none_if_nan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
