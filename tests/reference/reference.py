#!/usr/bin/python3
"""Independent reference for docs/METRICS.md, written with numpy, scipy and sklearn.

Given a baseline file, one or more scoring logs, the column options, an optional data contract,
the model's SLA and the policy, it computes what `modeldeck drift --json`,
`modeldeck calibration --json` and `modeldeck baseline show --json` must print.

Every number is the library call that METRICS.md names (numpy.quantile, numpy.unique,
numpy.histogram, numpy.clip, scipy.stats.ks_2samp, scipy.special.kolmogorov, scipy.stats.chi2,
sklearn.metrics.roc_auc_score, sklearn.metrics.brier_score_loss, numpy.searchsorted,
numpy.percentile); nothing is re-derived by hand. Files are read with the csv and json modules;
missing-value spellings and timestamps are handled here as METRICS.md states them.

Choices where METRICS.md is silent are marked ASSUMPTION; run.py reports disagreements that
hinge on one of them as notes with the reason, not as failures.
"""
from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import scipy.special
import scipy.stats
from sklearn.metrics import brier_score_loss, roc_auc_score

KS_SAMPLE_MAX = 10000
NEW_CATEGORIES_MAX = 20
CHI2_MIN_EXPECTED = 5  # Cochran's rule for PSI's chi-square null (METRICS.md)
PSI_FLOOR = 1e-4

# Used only when data/policy.default.json does not exist; otherwise read from its "drift" section.
FALLBACK_POLICY = {
    "psi": {"warn": 0.1, "alert": 0.25, "null_quantile": 0.99, "min_rows": 100,
            "small_pvalue": 0.01},
    "ks": {"pvalue": 0.01, "min_d": 0.1, "level": "alert"},
    "missing_delta": {"warn": 0.05, "alert": 0.2, "pvalue": 0.01},
    "schema_change": "alert",
}


# Cells, tables and row fields are read in refcells.py; its names are this module's too.
from refcells import (  # noqa: E402,F401 (re-exported for run.py, selftest.py, ...)
    _EPOCH_RE,
    MISSING_TEXT,
    Columns,
    JNum,
    Table,
    cell_text,
    is_missing,
    json_line,
    load_table,
    parse_label,
    parse_latency,
    parse_number,
    parse_score,
    parse_ts,
    window_name,
)

# --------------------------------------------------------------------------------------------
# Contract and policy
# --------------------------------------------------------------------------------------------


@dataclass
class FeatureRule:
    kind: Optional[str] = None
    min: Optional[float] = None
    max: Optional[float] = None
    allowed: Optional[List[str]] = None
    nullable: bool = True


def _contract_kind(d: dict) -> Optional[str]:
    """The type when given; else min/max mean numeric and allowed means categorical; else the
    data decide (ASSUMPTION: METRICS.md says only that the contract decides "when it names the
    feature")."""
    t = d.get("type", d.get("kind"))
    if t:
        return str(t)
    if d.get("min") is not None or d.get("max") is not None:
        return "numeric"
    if d.get("allowed") is not None:
        return "categorical"
    return None


def load_contract(path: Optional[str]) -> Dict[str, FeatureRule]:
    """Accepts {"features": {name: {...}}} or {"features": [{"name": ..., ...}]}."""
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        doc = json.load(f, parse_int=JNum, parse_float=JNum)  # allowed numbers keep their text
    feats = doc.get("features", doc)
    items = feats.items() if isinstance(feats, dict) else ((d["name"], d) for d in feats)
    out = {}
    for name, d in items:
        allowed = d.get("allowed")
        out[name] = FeatureRule(
            kind=_contract_kind(d),
            min=float(d["min"]) if d.get("min") is not None else None,
            max=float(d["max"]) if d.get("max") is not None else None,
            allowed=[cell_text(a) for a in allowed] if allowed is not None else None,
            nullable=d.get("nullable", True) is not False,
        )
    return out


def load_policy(path: Optional[str] = None) -> Tuple[dict, str]:
    """The drift thresholds: the "drift" section of data/policy.default.json when present."""
    if path is None:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.normpath(os.path.join(here, "..", "..", "data", "policy.default.json"))
    pol = json.loads(json.dumps(FALLBACK_POLICY))
    if not os.path.exists(path):
        return pol, "built-in fallback (no data/policy.default.json)"
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    d = doc.get("drift", doc)
    for grp, keys in FALLBACK_POLICY.items():
        if isinstance(keys, dict):
            for k in keys:
                if isinstance(d.get(grp), dict) and k in d[grp]:
                    pol[grp][k] = d[grp][k]
        elif grp in d:
            pol[grp] = d[grp]
    return pol, path


# --------------------------------------------------------------------------------------------
# Baseline
# --------------------------------------------------------------------------------------------


@dataclass
class FeatureBase:
    name: str
    kind: str
    rows: int
    missing: int
    values: Any  # numpy array (numeric) or list of str (categorical)
    edges: Optional[np.ndarray] = None
    counts: Any = None
    bins: Any = None  # NumBins / CatBins, the baseline side of PSI


@dataclass
class Baseline:
    rows: int
    labeled: int
    y: np.ndarray
    s_labeled: np.ndarray
    scores: np.ndarray
    score_edges: np.ndarray
    auc: Optional[float]
    brier: Optional[float]
    ece: Optional[float]
    features: List[FeatureBase]
    contract: Dict[str, FeatureRule] = field(default_factory=dict)


def psi_edges(B: np.ndarray) -> np.ndarray:
    return np.unique(np.quantile(B, np.linspace(0, 1, 11)))


def build_baseline(table: Table, cols: Columns, contract: Dict[str, FeatureRule]) -> Baseline:
    special = cols.special()
    feat_names = [c for c in table.columns if c not in special]
    n = len(table.rows)
    scores = np.array([parse_score(r.get(cols.score)) for r in table.rows], dtype=float)
    labels = [parse_label(r.get(cols.label)) for r in table.rows]
    lab_idx = [i for i, v in enumerate(labels) if v is not None]
    y = np.array([labels[i] for i in lab_idx], dtype=int)
    s_l = scores[lab_idx] if lab_idx else np.array([], dtype=float)
    score_edges = psi_edges(scores)
    perf = performance(y, s_l, score_edges)
    feats = []
    for name in feat_names:
        cells = [r.get(name) for r in table.rows]
        present = [c for c in cells if not is_missing(c)]
        rule = contract.get(name)
        if rule is not None and rule.kind in ("numeric", "categorical"):
            kind = rule.kind
        else:
            kind = "numeric" if all(parse_number(c) is not None for c in present) else "categorical"
        fb = FeatureBase(name, kind, n, n - len(present), None)
        if kind == "numeric":
            nums = [parse_number(c) for c in present]
            if any(v is None for v in nums):
                raise ValueError(f"baseline: {name}: a contract-numeric value is not a number")
            vals = np.array(nums, dtype=float)
            fb.values = vals
            if len(vals):
                fb.edges = psi_edges(vals)
                if len(fb.edges) >= 2:
                    fb.counts = np.histogram(vals, fb.edges)[0]
                else:
                    c = fb.edges[0]
                    fb.counts = np.array([np.sum(vals == c), np.sum(vals != c)])
        else:
            fb.values = [cell_text(c) for c in present]
            u, cnt = np.unique(np.array(fb.values, dtype=object), return_counts=True)
            fb.counts = {str(k): int(v) for k, v in zip(u, cnt)}
        feats.append(fb)
    return Baseline(
        rows=n,
        labeled=len(lab_idx),
        y=y,
        s_labeled=s_l,
        scores=scores,
        score_edges=score_edges,
        auc=perf["auc"],
        brier=perf["brier"],
        ece=perf["ece"],
        features=feats,
        contract=contract,
    )


# --------------------------------------------------------------------------------------------
# Windows
# --------------------------------------------------------------------------------------------


@dataclass
class Window:
    name: str
    rows: List[Dict[str, Any]] = field(default_factory=list)
    absent: Dict[str, int] = field(default_factory=dict)  # feature -> ingests lacking the column


def build_windows(tables: List[Table], cols: Columns, kind: str,
                  feature_names: List[str]) -> Tuple[Dict[str, Window], Dict[str, int]]:
    """The windows (sorted by name), and how many ingests touched each."""
    wins: Dict[str, Window] = {}
    touches: Dict[str, int] = {}
    for t in tables:
        touched = set()
        for r in t.rows:
            w = window_name(parse_ts(r.get(cols.ts)), kind)
            win = wins.get(w)
            if win is None:
                win = wins[w] = Window(w)
            win.rows.append(r)
            touched.add(w)
        for w in touched:
            touches[w] = touches.get(w, 0) + 1
            for f in feature_names:
                if f not in t.columns:
                    wins[w].absent[f] = wins[w].absent.get(f, 0) + 1
    return dict(sorted(wins.items())), touches


# --------------------------------------------------------------------------------------------
# Drift
# --------------------------------------------------------------------------------------------


def floored_psi(a: np.ndarray, e: np.ndarray) -> float:
    a = np.maximum(a, PSI_FLOOR)
    e = np.maximum(e, PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_null(n: int, m: int, k: int, quantile: float = 0.99) -> float:
    """METRICS.md: (1/n + 1/m) * chi2.ppf(0.99, k - 1); the 0.99 is the policy's
    psi.null_quantile (0.99 by default)."""
    if k <= 1:
        return 0.0
    return float((1.0 / n + 1.0 / m) * scipy.stats.chi2.ppf(quantile, k - 1))


class NumBins:
    """The baseline side of numeric PSI, computed once per feature (edges and proportions e)."""

    def __init__(self, B: np.ndarray):
        self.m = len(B)
        self.edges = psi_edges(B)
        if len(self.edges) >= 2:
            self.e = np.histogram(B, self.edges)[0] / self.m
        else:
            c = self.edges[0]
            self.e = np.array([np.sum(B == c), np.sum(B != c)]) / self.m

    def psi(self, W: np.ndarray) -> Tuple[float, int]:
        n, edges = len(W), self.edges
        if len(edges) >= 2:
            a = np.histogram(np.clip(W, edges[0], edges[-1]), edges)[0] / n
        else:
            c = edges[0]
            a = np.array([np.sum(W == c), np.sum(W != c)]) / n
        return floored_psi(a, self.e), len(self.e)


def psi_numeric(B: np.ndarray, W: np.ndarray) -> Tuple[float, int]:
    """PSI of window values W against baseline values B, and the number of bins k."""
    return NumBins(B).psi(W)


class CatBins:
    """The baseline side of categorical PSI: the category counts of B."""

    def __init__(self, B: List[str]):
        self.m = len(B)
        bu, bc = np.unique(np.array(B, dtype=object), return_counts=True)
        self.counts = dict(zip(bu, bc))

    def psi(self, W: List[str]) -> Tuple[float, int]:
        n = len(W)
        wu, wc = np.unique(np.array(W, dtype=object), return_counts=True)
        wd = dict(zip(wu, wc))
        cats = sorted(set(self.counts) | set(wd))  # the union of baseline and window categories
        e = np.array([self.counts.get(c, 0) for c in cats], dtype=float) / self.m
        a = np.array([wd.get(c, 0) for c in cats], dtype=float) / n
        return floored_psi(a, e), len(cats)

    def chi2_holds(self, n: int, min_rows: int) -> bool:
        """Whether PSI's chi-square null holds for n window values: at least min_rows of them,
        and every baseline category expecting at least CHI2_MIN_EXPECTED (Cochran's rule)."""
        least = min(int(c) for c in self.counts.values())
        return n >= min_rows and n * least / self.m >= CHI2_MIN_EXPECTED

    def mix_pvalue(self, W: List[str]) -> float:
        """The category counts' exact test: per baseline category, a two-sided binomial test
        of its window count against its baseline share (twice the smaller tail of
        scipy.stats.binom), the smallest times the number of categories, at most 1."""
        n = len(W)
        wu, wc = np.unique(np.array(W, dtype=object), return_counts=True)
        wd = dict(zip(wu, wc))
        best = 1.0
        for c, cnt in self.counts.items():
            q = int(cnt) / self.m
            x = int(wd.get(c, 0))
            lo = float(scipy.stats.binom.cdf(x, n, q))
            hi = float(scipy.stats.binom.sf(x - 1, n, q))
            best = min(best, 2 * min(lo, hi))
        return min(1.0, len(self.counts) * best)


def psi_categorical(B: List[str], W: List[str]) -> Tuple[float, int]:
    return CatBins(B).psi(W)


def ks(S: np.ndarray, W: np.ndarray) -> Tuple[float, float]:
    # Only the statistic is taken from ks_2samp (method does not change it; 'asymp' avoids the
    # exact p-value's cost); the p-value is METRICS.md's kolmogorov formula.
    with warnings.catch_warnings():  # the asymptotic p-value (unused) may warn for tiny samples
        warnings.simplefilter("ignore")
        D = float(scipy.stats.ks_2samp(S, W, method="asymp").statistic)
    ls, n = len(S), len(W)
    p = float(scipy.special.kolmogorov(math.sqrt(ls * n / (ls + n)) * D))
    return D, p


def status_of(row: dict, policy: dict) -> Tuple[str, List[str]]:
    """The status and the list of (quantity, threshold) pairs within 1e-9 of each other."""
    tol = 1e-9
    fragile = []

    def ge(x, t, what):
        if x is None:
            return False
        if abs(x - t) <= tol * max(1.0, abs(t)):
            fragile.append(what)
        return x >= t

    def lt(x, t, what):
        if x is None:
            return False
        if abs(x - t) <= tol * max(1.0, abs(t)):
            fragile.append(what)
        return x < t

    psi, null = row["psi"], row["psi_null_p99"]
    p = policy
    # PSI counts only beyond its null's quantile and over enough values (its null fails below);
    # for a categorical feature where that null does not hold (few values, or a category
    # expecting fewer than 5 of them), the counts' exact test decides instead
    mix = row.get("mix_pvalue")
    if mix is not None:
        enough = lt(mix, p["psi"]["small_pvalue"], "mix_pvalue")
    else:
        enough = row["n"] >= p["psi"]["min_rows"]
    psi_over_null = psi is not None and psi > null and enough
    if psi is not None and abs(psi - null) <= tol * max(1.0, abs(null)):
        fragile.append("psi vs psi_null_p99")
    ks_rule = lt(row["ks_pvalue"], p["ks"]["pvalue"], "ks_pvalue") and ge(
        row["ks"], p["ks"]["min_d"], "ks min_d")
    # missingness counts only when its binomial test says chance does not explain it
    md = abs(row["missing_delta"])
    if not lt(row["missing_pvalue"], p["missing_delta"]["pvalue"], "missing_pvalue"):
        md = 0.0
    alert = (
        (ge(psi, p["psi"]["alert"], "psi alert") and psi_over_null)
        or (ks_rule and p["ks"]["level"] == "alert")
        or ge(md, p["missing_delta"]["alert"], "missing_delta alert")
        or (row["schema_changes"] > 0 and p["schema_change"] == "alert")
        or row["violations"] > 0
    )
    if alert:
        return "alert", fragile
    warn = (
        (ge(psi, p["psi"]["warn"], "psi warn") and psi_over_null)
        or ge(md, p["missing_delta"]["warn"], "missing_delta warn")
        or (ks_rule and p["ks"]["level"] == "warn")
        or (row["schema_changes"] > 0 and p["schema_change"] == "warn")
    )
    return ("warn" if warn else "ok"), fragile


def missing_pvalue(missing: int, rows: int, base_rate: float) -> float:
    """One-sided binomial test of the window's missing count against the baseline's rate, in
    the direction of the change: scipy.stats.binom.sf(k - 1, n, p) when the rate rose,
    .cdf(k, n, p) when it fell, 1 when it did not move."""
    delta = missing / rows - base_rate
    if delta == 0:
        return 1.0
    if delta > 0:
        return float(scipy.stats.binom.sf(missing - 1, rows, base_rate))
    return float(scipy.stats.binom.cdf(missing, rows, base_rate))


def drift_row(fb: FeatureBase, win: Window, contract: Dict[str, FeatureRule], policy: dict,
              ks_sample: Optional[np.ndarray]) -> dict:
    rows = len(win.rows)
    rule = contract.get(fb.name)
    absent = min(win.absent.get(fb.name, 0), 1)  # 1 per window, one file without it or several
    missing = 0
    type_errors = 0
    new_rows = 0
    new_cats = set()
    violations = 0
    Wn: List[float] = []
    Wc: List[str] = []
    if fb.bins is None and len(fb.values):
        fb.bins = NumBins(fb.values) if fb.kind == "numeric" else CatBins(fb.values)
    base_cats = set(fb.bins.counts) if fb.kind == "categorical" and fb.bins is not None else set()
    allowed = set(rule.allowed) if rule is not None and rule.allowed is not None else None
    for r in win.rows:
        cell = r.get(fb.name)
        if is_missing(cell):
            missing += 1
            if rule is not None and not rule.nullable:
                violations += 1
            continue
        if fb.kind == "numeric":
            v = parse_number(cell)
            if v is None:
                type_errors += 1
                continue
            Wn.append(v)
            if rule is not None:
                if rule.min is not None and v < rule.min:
                    violations += 1
                if rule.max is not None and v > rule.max:
                    violations += 1
        else:
            t = cell_text(cell)
            Wc.append(t)
            if t not in base_cats and (allowed is None or t not in allowed):
                new_rows += 1
                new_cats.add(t)
            if allowed is not None and t not in allowed:
                violations += 1
    m = len(fb.values)
    base_missing_rate = fb.missing / fb.rows
    out = {
        "window": win.name,
        "feature": fb.name,
        "kind": fb.kind,
        "rows": rows,
        "psi": None,
        "psi_null_p99": None,
        "ks": None,
        "ks_pvalue": None,
        "missing_rate": missing / rows,
        "missing_delta": missing / rows - base_missing_rate,
        "missing_pvalue": missing_pvalue(missing, rows, base_missing_rate),
        "mix_pvalue": None,
        "schema_changes": absent + type_errors + new_rows,
        "new_categories": sorted(new_cats)[:NEW_CATEGORIES_MAX],
        "violations": violations,
        # every case stays under the bound on names kept (METRICS.md): exact, and PSI too
        "new_categories_distinct": len(new_cats) if fb.kind == "categorical" else None,
        "new_categories_estimated": False,
        "psi_max": None,
    }
    if fb.kind == "numeric":
        W = np.array(Wn, dtype=float)
        if len(W) and m:
            out["psi"], k = fb.bins.psi(W)
            out["psi_null_p99"] = psi_null(len(W), m, k, policy["psi"]["null_quantile"])
            S = fb.values if m <= KS_SAMPLE_MAX else ks_sample
            if S is not None:
                out["ks"], out["ks_pvalue"] = ks(S, W)
            else:
                out["ks"] = out["ks_pvalue"] = "unknown"  # needs the engine's KS sample
    else:
        if len(Wc) and m:
            out["psi"], k = fb.bins.psi(Wc)
            if not fb.bins.chi2_holds(len(Wc), policy["psi"]["min_rows"]):
                out["mix_pvalue"] = fb.bins.mix_pvalue(Wc)
            out["psi_null_p99"] = psi_null(len(Wc), m, k, policy["psi"]["null_quantile"])
    out["n"] = len(Wn) if fb.kind == "numeric" else len(Wc)
    if out["ks"] == "unknown":
        out["status"], out["_fragile"] = "unknown", []
    else:
        out["status"], out["_fragile"] = status_of(out, policy)
    return out


# --------------------------------------------------------------------------------------------
# Performance and calibration
# --------------------------------------------------------------------------------------------


def performance(y: np.ndarray, s: np.ndarray, edges: np.ndarray) -> dict:
    labeled = len(y)
    k = max(len(edges) - 1, 1)
    out = {"labeled": labeled, "auc": None, "brier": None, "ece": None, "hl_stat": None,
           "hl_pvalue": None, "deciles": []}
    # The bins, listed even when there is no labeled row (n = 0, null means).
    if labeled:
        b = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, k - 1)
    else:
        b = np.array([], dtype=int)
    dec = []
    for i in range(k):
        sel = b == i
        ni = int(np.sum(sel))
        lo = float(edges[i])
        hi = float(edges[i + 1]) if len(edges) > 1 else float(edges[0])  # ASSUMPTION: one edge
        dec.append({
            "decile": i + 1, "lo": lo, "hi": hi, "n": ni,
            "expected": float(np.mean(s[sel])) if ni else None,
            "observed": float(np.mean(y[sel])) if ni else None,
            "_O": float(np.sum(y[sel])) if ni else None,
            "_E": float(np.sum(s[sel])) if ni else None,
        })
    out["deciles"] = dec
    if not labeled:
        return out
    if len(np.unique(y)) == 2:
        out["auc"] = float(roc_auc_score(y, s))
    out["brier"] = float(brier_score_loss(y, s))
    out["ece"] = float(sum(d["n"] / labeled * abs(d["expected"] - d["observed"])
                           for d in dec if d["n"]))
    hl = [d for d in dec if d["n"] and 0 < d["expected"] < 1]
    g = len(hl)
    stat = float(sum((d["_O"] - d["_E"]) ** 2 / (d["_E"] * (1 - d["_E"] / d["n"])) for d in hl))
    out["hl_stat"] = stat  # ASSUMPTION: 0.0 when g = 0 (METRICS.md nulls only the p-value)
    out["hl_pvalue"] = float(scipy.stats.chi2.sf(stat, g - 2)) if g >= 3 else None
    return out


def calibration_window(base: Baseline, win: Window, cols: Columns, sla: Optional[float]) -> dict:
    labels = [parse_label(r.get(cols.label)) for r in win.rows]
    scores = [parse_score(r.get(cols.score)) for r in win.rows]
    idx = [i for i, v in enumerate(labels) if v is not None]
    y = np.array([labels[i] for i in idx], dtype=int)
    s = np.array([scores[i] for i in idx], dtype=float)
    perf = performance(y, s, base.score_edges)
    out = {"window": win.name, "rows": len(win.rows), **perf}
    out["delta_auc"] = (out["auc"] - base.auc) if (out["auc"] is not None and base.auc is not None) else None
    out["_distinct_scores"] = len(set(scores))
    if cols.latency:
        lat = [parse_latency(r.get(cols.latency)) for r in win.rows]
        x = np.array([v for v in lat if v is not None], dtype=float)
        if len(x):
            p = np.percentile(x, [50, 95, 99])
            out["latency"] = {
                "p50": float(p[0]), "p95": float(p[1]), "p99": float(p[2]),
                "over_sla": float(np.mean(x > sla)) if sla is not None else None,
            }
        else:
            out["latency"] = {"p50": None, "p95": None, "p99": None, "over_sla": None}  # ASSUMPTION
        out["_distinct_latency"] = len(set(x.tolist()))
        # For judging a histogram-kept over_sla: the share of latencies within 1% of the SLA.
        out["_over_sla_near"] = (float(np.mean(np.abs(x - sla) <= 0.01 * sla))
                                 if sla is not None and len(x) else 0.0)
    else:
        out["latency"] = None
    return out


# --------------------------------------------------------------------------------------------
# The whole expectation for one case
# --------------------------------------------------------------------------------------------


def baseline_summary(base: Baseline) -> dict:
    feats = []
    for fb in base.features:
        d = {"name": fb.name, "kind": fb.kind, "rows": fb.rows, "missing": fb.missing,
             "missing_rate": fb.missing / fb.rows if fb.rows else None,
             "ks_sample_size": (min(len(fb.values), KS_SAMPLE_MAX) if fb.kind == "numeric" else None)}
        if fb.kind == "numeric":
            d["edges"] = [float(v) for v in fb.edges] if fb.edges is not None else []
            d["counts"] = [int(v) for v in fb.counts] if fb.counts is not None else []
        else:
            d["counts"] = dict(fb.counts)
        feats.append(d)
    return {"rows": base.rows, "labeled": base.labeled, "auc": base.auc, "brier": base.brier,
            "ece": base.ece, "score_edges": [float(v) for v in base.score_edges], "features": feats}


def expected(baseline_file: str, baseline_format: str, logs: List[Tuple[str, str]],
             cols: Columns, window_kind: str, contract_file: Optional[str] = None,
             sla: Optional[float] = None, policy: Optional[dict] = None,
             ks_samples: Optional[Dict[str, np.ndarray]] = None,
             log_cols: Optional[List[Columns]] = None) -> dict:
    """Everything the engine must print for one case.

    logs: [(path, format)]; ks_samples: feature -> the engine's stored KS sample (needed only for
    baselines with more than 10,000 non-missing values of a feature)."""
    if policy is None:
        policy, _ = load_policy()
    contract = load_contract(contract_file)
    base = build_baseline(load_table(baseline_file, baseline_format), cols, contract)
    tables = [load_table(p, f) for p, f in logs]
    names = [fb.name for fb in base.features]
    wins, touches = build_windows(tables, cols, window_kind, names)
    drift = []
    for win in wins.values():
        for fb in base.features:
            S = (ks_samples or {}).get(fb.name)
            drift.append(drift_row(fb, win, contract, policy, S))
    cal = [calibration_window(base, w, cols, sla) for w in wins.values()]
    return {"baseline": baseline_summary(base), "drift": drift, "calibration": cal,
            "_base": base, "_windows": wins, "_ingests_per_window": touches}


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="print the reference drift and calibration")
    ap.add_argument("baseline")
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--format", default="csv")
    ap.add_argument("--window", default="day")
    ap.add_argument("--ts-col", default="ts")
    ap.add_argument("--id-col")
    ap.add_argument("--score-col", default="score")
    ap.add_argument("--label-col", default="label")
    ap.add_argument("--latency-col")
    ap.add_argument("--contract")
    ap.add_argument("--sla-ms", type=float)
    a = ap.parse_args()
    c = Columns(a.ts_col, a.id_col, a.score_col, a.label_col, a.latency_col)
    e = expected(a.baseline, a.format, [(p, a.format) for p in a.logs], c, a.window,
                 a.contract, a.sla_ms)
    for k in ("_base", "_windows", "_ingests_per_window"):
        e.pop(k)
    print(json.dumps(e, indent=1, default=str))
