#!/usr/bin/python3
"""Seeded generator of reference cases for docs/METRICS.md.

A case is a directory holding a baseline file, one or more scoring logs, an optional data
contract and `case.json`, which says how to feed them to modeldeck:

    {"id": "007-jsonl-hour", "desc": "...", "model": "m", "sla_ms": 250 | null,
     "cols": {"ts_col": "ts", "id_col": null, "score_col": "score", "label_col": "label",
              "latency_col": null},
     "baseline": {"file": "baseline.csv", "format": "csv"},
     "contract": "contract.json" | null,
     "version": 1 | 2,
     "decoy": null | {"baseline": {...}, "ingests": [{...}]},   # version 1 when version is 2
     "ingests": [{"file": "log1.csv", "format": "csv"}, ...],
     "window": "day" | "hour"}

The first cases are fixed recipes that each cover a named concern (listed by `gen.py --list`);
the rest are random mixtures. Everything is drawn from numpy's PCG64 seeded with (seed, case).

    /usr/bin/python3 gen.py OUTDIR [--seed S] [--cases N] [--only ID]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
from typing import Any, Callable, Dict, List, Optional

import numpy as np

DEFAULT_SEED = 20261001
DEFAULT_CASES = 60
T0 = dt.datetime(2026, 10, 1)  # the first window of every case (UTC)
EPOCH = dt.datetime(1970, 1, 1)

CSV_MISSING = ["", "NA", "NaN", "null", "NULL", "nan"]
JSON_MISSING = [None, "ABSENT", "NA", "NaN", "null", "NULL", "nan", ""]
TYPE_ERRORS = ["oops", "12abc", "#REF!", "1,5", "--"]

VOCAB_PLAIN = ["email", "sms", "push", "web", "app", "store", "call_center", "partner"]
VOCAB_TRICKY = ['gold, "vip"', "silver\nlegacy", "bronze", "café", "東京", "plan \"a\"",
                "x,y,z", " ", "None", "línea\r\nnueva", "tab\there", "L" * 300 + "-long",
                "emoji 🚀 ü"]
NEW_CATS = ["tiktok", "ctv", "podcast", "zzz-new", "Ärger", "new,comma", "quote\"new",
            "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11", "n12",
            "n13", "n14", "n15", "n16", "n17", "n18", "n19", "n20", "n21", "n22"]


class Raw(str):
    """Text written into a JSONL line as is (a JSON number in a chosen spelling)."""


# --------------------------------------------------------------------------------------------
# Feature values (logical): float/int for numbers, str for categories, None for missing.
# --------------------------------------------------------------------------------------------


def draw_feature(rng: np.random.Generator, f: dict, n: int, shift: float) -> List[Any]:
    t = f["type"]
    if t == "normal":
        return list(rng.normal(f.get("mu", 0.0) + shift * f.get("sd", 1.0), f.get("sd", 1.0), n))
    if t == "rounded":
        d = f.get("decimals", 1)
        return [round(v, d) for v in rng.normal(10 + 2 * shift, 2.0, n)]
    if t == "int":
        return [int(v) for v in rng.poisson(f.get("lam", 4.0) * (1 + 0.5 * shift), n)]
    if t == "binary":
        return [int(v) for v in rng.random(n) < min(0.95, 0.3 + 0.3 * shift)]
    if t == "const":
        c = f.get("value", 3.5)
        if shift == 0:
            return [c] * n
        return [c if u < 0.7 else c + 1 for u in rng.random(n)]
    if t == "lognormal":
        return list(rng.lognormal(shift, 1.5, n))
    if t == "pareto":
        return list((rng.pareto(1.2, n) + 1) * 10 * (1 + shift))
    if t == "cauchy":
        return list(np.clip(rng.standard_cauchy(n) + shift, -1e12, 1e12))
    if t == "tiny":
        return list(rng.normal(0, 1e-12, n) + 1e-9)
    if t in ("cat", "cat_tricky", "cat_codes"):
        vocab = f["vocab"]
        w = np.array(f.get("weights") or [1.0] * len(vocab), dtype=float)
        if shift:
            w = w * np.linspace(1, 1 + 4 * shift, len(vocab))[::-1]
        w = w / w.sum()
        idx = rng.choice(len(vocab), size=n, p=w)
        out = [vocab[i] for i in idx]
        pnew = f.get("p_new", 0.0)
        if pnew:
            for i in np.nonzero(rng.random(n) < pnew)[0]:
                out[i] = NEW_CATS[int(rng.integers(0, f.get("n_new", 5)))]
        return out
    raise ValueError(t)


# --------------------------------------------------------------------------------------------
# Cells: how a logical value is written in CSV text or in a JSONL value.
# --------------------------------------------------------------------------------------------


def num_text(rng: np.random.Generator, v: Any, style: str) -> str:
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if style == "odd":  # other spellings of the same number: .5, 5., 1E3, -0.25
        r = rng.integers(0, 4)
        t = repr(v)
        if r == 1 and t.startswith("0."):
            return t[1:]
        if r == 1 and t.startswith("-0."):
            return "-" + t[2:]
        if r == 2 and t.endswith(".0"):
            return t[:-1]
        if r == 3:
            return f"{v:.15E}"
        return t
    if style == "mixed":
        r = rng.integers(0, 4)
        if r == 1:
            return f"{v:.6e}"
        if r == 2:
            return f"{v:.17g}"
        if r == 3 and v == int(v) and abs(v) < 1e15:
            return str(int(v))
    return repr(v)


def encode(rng: np.random.Generator, v: Any, fmt: str, cfg: dict, missing_pool: List[Any]) -> Any:
    """CSV: a str. JSONL: a JSON-able value, Raw text, or the string "ABSENT" (key left out)."""
    if v is None:
        return missing_pool[int(rng.integers(0, len(missing_pool)))]
    if isinstance(v, str):
        return v
    if isinstance(v, (list, dict)) and fmt == "jsonl":
        return Raw(json.dumps(v))  # an array or object, its numbers as written
    if fmt == "csv":
        return num_text(rng, v, cfg.get("num_style", "repr"))
    style = cfg.get("num_style", "repr")
    if cfg.get("json_num_strings") and rng.random() < 0.3:
        return num_text(rng, v, style)  # a JSON string holding a number (any text spelling)
    if isinstance(v, (int, np.integer)):
        return Raw(str(int(v)))
    if style == "odd":  # JSON allows neither .5 nor 5.
        return Raw(f"{float(v):.15E}" if rng.random() < 0.5 else repr(float(v)))
    return Raw(num_text(rng, v, style))


OFFSETS_MIN = [-720, -600, -300, -150, -120, -60, 60, 120, 330, 345, 540, 840]


def ts_text(u: np.ndarray, t: dt.datetime, styles: List[str], fmt: str) -> Any:
    """u: three uniforms in [0, 1) that choose the style, the offset and the milliseconds."""
    style = styles[int(u[0] * len(styles))]
    if style == "epoch_json" and fmt != "jsonl":
        style = "epoch_text"
    if style == "epoch_text":
        return str(int((t - EPOCH).total_seconds()))
    if style == "epoch_frac":
        return "%d.%03d" % (int((t - EPOCH).total_seconds()), int(u[2] * 1000))
    if style == "epoch_json":
        return Raw(str(int((t - EPOCH).total_seconds())))
    if style == "frac":
        return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % int(u[2] * 1000)
    if style == "off":
        mins = OFFSETS_MIN[int(u[1] * len(OFFSETS_MIN))]
        local = t + dt.timedelta(minutes=mins)
        sign = "+" if mins >= 0 else "-"
        return local.strftime("%Y-%m-%dT%H:%M:%S") + "%s%02d:%02d" % (sign, abs(mins) // 60,
                                                                      abs(mins) % 60)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def label_text(rng: np.random.Generator, y: Optional[int], fmt: str, cfg: dict,
               missing_pool: List[Any]) -> Any:
    if y is None:
        return missing_pool[int(rng.integers(0, len(missing_pool)))]
    r = int(rng.integers(0, 3)) if cfg.get("label_spellings") else 0
    if fmt == "csv":
        return [str(y), f"{y}.0", "true" if y else "false"][r]
    return [Raw(str(y)), Raw(f"{y}.0"), y == 1][r]


def write_csv(path: str, header: List[str], rows: List[List[str]], crlf: bool, bom: bool,
              quote_all: bool) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n",
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        f.write(buf.getvalue())


def write_jsonl(path: str, header: List[str], rows: List[List[Any]],
                rng: Optional[np.random.Generator] = None) -> None:
    """rng: when given, each line's keys are written in a random order."""
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            if rng is not None:
                order = rng.permutation(len(header))
                hdr, r = [header[i] for i in order], [r[i] for i in order]
            else:
                hdr = header
            parts = []
            for k, v in zip(hdr, r):
                if isinstance(v, str) and not isinstance(v, Raw) and v == "ABSENT":
                    continue
                val = str(v) if isinstance(v, Raw) else json.dumps(v, ensure_ascii=False)
                parts.append(json.dumps(k, ensure_ascii=False) + ":" + val)
            f.write("{" + ",".join(parts) + "}\n")


# --------------------------------------------------------------------------------------------
# One file: rows of a table from a configuration.
# --------------------------------------------------------------------------------------------


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def make_file(rng: np.random.Generator, cfg: dict, path: str, fmt: str, n: int,
              times: Optional[List[dt.datetime]], shifts: List[Dict[str, float]],
              label_modes: List[str], omit: List[str] = (), is_baseline: bool = False) -> None:
    """Writes n rows. times: one UTC instant per row (None: no timestamp column, baseline only).
    shifts[i] / label_modes[i]: per-row feature shifts and label mode (normal / zero / one / none)."""
    cols = cfg["cols"]
    feats = [f for f in cfg["features"] if f["name"] not in omit]
    # Feature values per row, drawn in groups of equal shift.
    values: Dict[str, List[Any]] = {f["name"]: [None] * n for f in feats}
    keys = {}
    for i, s in enumerate(shifts):
        keys.setdefault(tuple(sorted(s.items())), []).append(i)
    for key, idx in keys.items():
        sd = dict(key)
        for f in feats:
            if is_baseline:
                f = dict(f, p_new=0.0)  # new categories appear in logs only
            vals = draw_feature(rng, f, len(idx), sd.get(f["name"], 0.0))
            for j, v in zip(idx, vals):
                values[f["name"]][j] = v
    # Missing values and type errors.
    for f in feats:
        p = f.get("p_missing", cfg.get("p_missing", 0.0))
        if is_baseline:
            p = f.get("p_missing_base", p)
        col = values[f["name"]]
        for j in np.nonzero(rng.random(n) < p)[0]:
            col[j] = None
        pe = 0.0 if is_baseline else f.get("p_type_error", 0.0)
        if pe:
            for j in np.nonzero(rng.random(n) < pe)[0]:
                col[j] = TYPE_ERRORS[int(rng.integers(0, len(TYPE_ERRORS)))]
    # Scores and labels.
    z = rng.normal(cfg.get("score_mu", -0.5), cfg.get("score_sd", 1.2), n)
    score = sigmoid(z)
    if cfg.get("score_decimals") is not None:
        rounded = np.round(score, cfg["score_decimals"])
        # a share of the rows keeps every digit: scores on a decimal grid and off it, mixed
        share = cfg.get("score_unrounded", 0.0)
        score = np.where(rng.random(n) < share, score, rounded) if share else rounded
    if cfg.get("score_extremes"):
        ext = rng.random(n)
        score = np.where(ext < 0.03, 0.0, np.where(ext > 0.97, 1.0, score))
    if cfg.get("score_const") is not None:
        score = np.full(n, cfg["score_const"])
    miscal = cfg.get("miscal", 0.0)
    p_true = np.clip(sigmoid(z + miscal), 0, 1)
    y = (rng.random(n) < p_true).astype(int)
    p_lab_missing = cfg.get("p_label_missing", 0.0)
    lab_missing = rng.random(n) < p_lab_missing
    labels: List[Optional[int]] = []
    for j in range(n):
        mode = label_modes[j]
        if mode == "none" or lab_missing[j]:
            labels.append(None)
        elif mode == "zero":
            labels.append(0)
        elif mode == "one":
            labels.append(1)
        else:
            labels.append(int(y[j]))
    lat = None
    if cols.get("latency_col"):
        lat = rng.lognormal(math.log(cfg.get("lat_median", 80)), 0.6, n)
        if cfg.get("lat_decimals") is not None:
            lat = np.round(lat, cfg["lat_decimals"])
    # Columns in file order.
    header: List[str] = []
    if times is not None:
        header.append(cols["ts_col"])
    if cols.get("id_col"):
        header.append(cols["id_col"])
    header += [f["name"] for f in feats]
    header.append(cols["score_col"])
    if cfg.get("label_in_file", True):
        header.append(cols["label_col"])
    if lat is not None:
        header.append(cols["latency_col"])
    if cfg.get("shuffle_columns"):
        order = rng.permutation(len(header))
        header = [header[i] for i in order]
    miss_pool = CSV_MISSING if fmt == "csv" else JSON_MISSING
    miss_pool = cfg.get("missing_pool", {}).get(fmt, miss_pool)
    first_full = fmt == "jsonl"
    out_rows = []
    tsu = rng.random((n, 3))
    ids = rng.integers(0, 10**6, n)
    styles = cfg.get("ts_styles", ["z"])
    for j in range(n):
        rec = {}
        if times is not None:
            rec[cols["ts_col"]] = ts_text(tsu[j], times[j], styles, fmt)
        if cols.get("id_col"):
            rec[cols["id_col"]] = f"u{int(ids[j]):06d}"
        for f in feats:
            pool = miss_pool
            if first_full and j == 0:  # every key appears in the file's first row
                pool = [m for m in miss_pool if m != "ABSENT"] or [None]
            rec[f["name"]] = encode(rng, values[f["name"]][j], fmt, cfg, pool)
        s = float(score[j])
        rec[cols["score_col"]] = (num_text(rng, s, cfg.get("num_style", "repr")) if fmt == "csv"
                                  else Raw(repr(s)))
        lpool = [m for m in miss_pool if not (first_full and j == 0 and m == "ABSENT")] or [None]
        rec[cols["label_col"]] = label_text(rng, labels[j], fmt, cfg, lpool)
        if lat is not None:
            if rng.random() < cfg.get("p_lat_missing", 0.05):
                rec[cols["latency_col"]] = lpool[int(rng.integers(0, len(lpool)))]
            else:
                v = float(lat[j])
                rec[cols["latency_col"]] = repr(v) if fmt == "csv" else Raw(repr(v))
        out_rows.append([rec.get(h, "ABSENT") for h in header])
    if fmt == "csv":
        write_csv(path, header, out_rows, cfg.get("crlf", False), cfg.get("bom", False),
                  cfg.get("quote_all", False))
    else:
        write_jsonl(path, header, out_rows, rng if cfg.get("shuffle_keys") else None)


def window_start(kind: str, i: int, start_hour: int) -> dt.datetime:
    if kind == "day":
        return T0 + dt.timedelta(days=i)
    return T0 + dt.timedelta(hours=start_hour + i)


def log_times(rng: np.random.Generator, kind: str, wins: List[int], n: int, start_hour: int,
              edge_bias: float) -> List[dt.datetime]:
    """n instants in the given windows; edge_bias: share placed within 90 minutes of a window
    boundary (so that offsets move them across midnight or the hour)."""
    span = 86400 if kind == "day" else 3600
    near = min(span, 5400)
    w = np.array(wins)[rng.integers(0, len(wins), n)]
    sec = rng.integers(0, span, n)
    edge = rng.random(n) < edge_bias
    low = rng.random(n) < 0.5
    esec = np.where(rng.random(n) < 0.1, 0, rng.integers(0, near, n))  # some exactly on it
    sec = np.where(edge, np.where(low, esec, span - 1 - esec), sec)
    return [window_start(kind, int(wi), start_hour) + dt.timedelta(seconds=int(si))
            for wi, si in zip(w, sec)]


# --------------------------------------------------------------------------------------------
# Case recipes
# --------------------------------------------------------------------------------------------


def numeric_feature_pool(rng: np.random.Generator, k: int) -> List[dict]:
    types = ["normal", "rounded", "int", "lognormal", "pareto", "cauchy", "binary", "const"]
    out = []
    for i in range(k):
        t = types[int(rng.integers(0, len(types)))]
        out.append({"name": f"f{i}_{t}", "type": t})
    return out


def cat_feature(name: str, tricky: bool = False, p_new: float = 0.0, n_new: int = 5) -> dict:
    return {"name": name, "type": "cat_tricky" if tricky else "cat",
            "vocab": VOCAB_TRICKY if tricky else VOCAB_PLAIN, "p_new": p_new, "n_new": n_new}


def base_cfg(rng: np.random.Generator) -> dict:
    return {
        "cols": {"ts_col": "ts", "id_col": None, "score_col": "score", "label_col": "label",
                 "latency_col": None},
        "features": numeric_feature_pool(rng, 3) + [cat_feature("channel")],
        "fmt_base": "csv", "fmt_log": "csv", "window": "day",
        "n_base": 300, "logs": [{"n": 200, "wins": [0, 1, 2]}],
        "start_hour": 0, "ts_styles": ["z"], "edge_bias": 0.0,
        "shifted_windows": {}, "label_windows": {}, "sla_ms": None,
        "base_has_ts": True, "contract": None, "omit_in_log": [], "decoy": False,
        "p_missing": 0.0,
    }


def r_tiny(rng, c):
    c["desc"] = "1-row baseline and 1-row log: constant baseline everywhere, one decile"
    c["n_base"] = 1
    c["logs"] = [{"n": 1, "wins": [0]}]


def r_two_rows(rng, c):
    c["desc"] = "2-row baseline, 3-row log, JSONL"
    c["n_base"], c["fmt_base"], c["fmt_log"] = 2, "jsonl", "jsonl"
    c["logs"] = [{"n": 3, "wins": [0, 1]}]


def r_ties(rng, c):
    c["desc"] = "ties: rounded and integer features, scores rounded to 2 decimals"
    c["features"] = [{"name": "age_r", "type": "rounded", "decimals": 0},
                     {"name": "visits", "type": "int", "lam": 2.0},
                     {"name": "flag", "type": "binary"},
                     {"name": "spend_r", "type": "rounded", "decimals": 1}]
    c["score_decimals"] = 2
    c["n_base"], c["logs"] = 2000, [{"n": 1500, "wins": [0, 1, 2, 3]}]
    c["shifted_windows"] = {2: {"visits": 1.0, "age_r": 0.5}}


def r_constant(rng, c):
    c["desc"] = "constant columns (baseline constant, log constant or not) and constant score"
    c["features"] = [{"name": "k", "type": "const", "value": 3.5},
                     {"name": "k0", "type": "const", "value": 0.0},
                     {"name": "x", "type": "normal"},
                     {"name": "only", "type": "cat", "vocab": ["same"]}]
    c["score_const"] = 0.25
    c["n_base"], c["logs"] = 100, [{"n": 120, "wins": [0, 1]}]
    c["shifted_windows"] = {1: {"k": 1.0, "only": 0.0}}


def r_single_class(rng, c):
    c["desc"] = "single-class labels in some windows, no labels in one, HL with few bins"
    c["n_base"], c["logs"] = 500, [{"n": 600, "wins": [0, 1, 2, 3]}]
    c["label_windows"] = {0: "zero", 1: "one", 2: "none"}
    c["p_label_missing"] = 0.2


def r_heavy(rng, c):
    c["desc"] = "heavy tails: lognormal, pareto, cauchy-like finite values, tiny magnitudes"
    c["features"] = [{"name": "ln", "type": "lognormal"}, {"name": "par", "type": "pareto"},
                     {"name": "cau", "type": "cauchy"}, {"name": "tiny", "type": "tiny"}]
    c["n_base"], c["logs"] = 3000, [{"n": 2000, "wins": [0, 1, 2]}]
    c["shifted_windows"] = {1: {"ln": 0.8, "par": 1.0, "cau": 3.0}}
    c["num_style"] = "mixed"


def r_missing_csv(rng, c):
    c["desc"] = "missing values in every CSV spelling (empty, NA, NaN, null, NULL, nan), all-missing window"
    c["p_missing"] = 0.15
    c["p_label_missing"] = 0.1
    c["missing_pool"] = {"csv": CSV_MISSING + ["Null", "nULL"]}
    c["n_base"], c["logs"] = 800, [{"n": 700, "wins": [0, 1, 2]}]
    c["features"][0]["p_missing"] = 1.0  # every log value missing: n = 0, PSI and KS null
    c["features"][0]["p_missing_base"] = 0.05


def r_missing_jsonl(rng, c):
    c["desc"] = "JSONL: JSON null, absent keys, missing spellings as strings; epoch as JSON number"
    c["fmt_base"], c["fmt_log"] = "jsonl", "jsonl"
    c["p_missing"] = 0.2
    c["p_label_missing"] = 0.15
    c["ts_styles"] = ["epoch_json", "z", "epoch_text"]
    c["shuffle_keys"] = True
    c["n_base"], c["logs"] = 600, [{"n": 900, "wins": [0, 1, 2, 3]}]


def r_new_categories(rng, c):
    c["desc"] = "new categories (more than 20 in one window: list cut at 20), tricky category text"
    c["features"] = [cat_feature("channel", p_new=0.05, n_new=7),
                     cat_feature("segment", tricky=True, p_new=0.3, n_new=29),
                     {"name": "x", "type": "normal"}]
    c["n_base"], c["logs"] = 400, [{"n": 900, "wins": [0, 1]}]


def r_offsets_midnight(rng, c):
    c["desc"] = "timestamps with offsets that cross midnight UTC, epoch text, day windows"
    c["ts_styles"] = ["off", "epoch_text", "z"]
    c["edge_bias"] = 0.7
    c["n_base"], c["logs"] = 300, [{"n": 800, "wins": [0, 1, 2, 3, 4]}]


def r_hour_windows(rng, c):
    c["desc"] = "hour windows crossing midnight, offsets, JSONL log from a CSV baseline"
    c["window"] = "hour"
    c["start_hour"] = 20
    c["fmt_log"] = "jsonl"
    c["ts_styles"] = ["off", "z", "epoch_json"]
    c["edge_bias"] = 0.6
    c["n_base"], c["logs"] = 1000, [{"n": 1200, "wins": list(range(8))}]
    c["shifted_windows"] = {5: {c["features"][0]["name"]: 1.0}}


def r_csv_quoting(rng, c):
    c["desc"] = "CSV: quoted fields with commas, quotes and newlines, CRLF, UTF-8 BOM, quote-all"
    c["features"] = [cat_feature("segment", tricky=True, p_new=0.02),
                     {"name": "x", "type": "normal"}, {"name": "n", "type": "int"}]
    c["crlf"], c["bom"], c["quote_all"] = True, True, True
    c["p_missing"] = 0.1  # written "" and "NA" (quoted): still missing
    c["n_base"], c["logs"] = 500, [{"n": 500, "wins": [0, 1, 2]}]


def r_csv_crlf_bom(rng, c):
    c["desc"] = "CSV with CRLF and BOM (minimal quoting), shuffled column order, non-default names"
    c["crlf"], c["bom"], c["shuffle_columns"] = True, True, True
    c["label_spellings"] = True
    c["cols"] = {"ts_col": "event_time", "id_col": "customer_id", "score_col": "p_churn",
                 "label_col": "churned", "latency_col": None}
    c["features"].append(cat_feature("segment", tricky=True))
    c["n_base"], c["logs"] = 700, [{"n": 400, "wins": [0, 1]}]


def r_large_baseline(rng, c):
    c["desc"] = "baseline of 30,000 rows: KS against the engine's stored 10,000-value sample"
    c["features"] = [{"name": "x", "type": "normal"}, {"name": "r", "type": "rounded"},
                     {"name": "ln", "type": "lognormal"}, cat_feature("channel"),
                     # 30,000 rows but about 9,000 values: m <= 10,000, so S = B
                     {"name": "sparse", "type": "normal", "p_missing_base": 0.7}]
    c["p_missing"] = 0.01
    c["n_base"], c["logs"] = 30000, [{"n": 3000, "wins": [0, 1, 2]}]
    c["shifted_windows"] = {2: {"x": 0.3}}


def r_huge_baseline(rng, c):
    c["desc"] = "baseline of 100,000 rows (KS sample), day windows of a 5,000-row log"
    c["features"] = [{"name": "x", "type": "normal"}, {"name": "v", "type": "int"},
                     cat_feature("channel")]
    c["n_base"], c["logs"] = 100000, [{"n": 5000, "wins": [0, 1, 2, 3, 4]}]
    c["shifted_windows"] = {3: {"x": 0.2}}


def r_huge_log(rng, c):
    c["desc"] = ("log of 100,000 rows in 4 day windows, 12,000-row baseline (just over the KS "
                 "cap), scores of 6 decimals and a few of all their digits")
    c["features"] = [{"name": "x", "type": "normal"}, {"name": "k", "type": "int"},
                     cat_feature("channel")]
    c["n_base"], c["logs"] = 12000, [{"n": 100000, "wins": [0, 1, 2, 3]}]
    c["score_decimals"] = 6
    c["score_unrounded"] = 0.0002  # a few scores of all their digits, in some windows only


def r_baseline_exact_cap(rng, c):
    c["desc"] = "baseline of exactly 10,000 non-missing values: S = B"
    c["features"] = [{"name": "x", "type": "normal"}, {"name": "r", "type": "rounded"}]
    c["n_base"], c["logs"] = 10000, [{"n": 800, "wins": [0, 1]}]


def r_latency_sla(rng, c):
    c["desc"] = "latency column with SLA (percentiles, over_sla), missing latencies"
    c["cols"]["latency_col"] = "latency_ms"
    c["sla_ms"] = 120
    c["n_base"], c["logs"] = 400, [{"n": 900, "wins": [0, 1, 2]}]


def r_latency_no_sla(rng, c):
    c["desc"] = "latency column without an SLA: over_sla null; JSONL, hour windows"
    c["cols"]["latency_col"] = "lat"
    c["fmt_base"], c["fmt_log"], c["window"] = "jsonl", "jsonl", "hour"
    c["n_base"], c["logs"] = 300, [{"n": 500, "wins": [0, 1, 2, 3]}]


def r_latency_ties(rng, c):
    c["desc"] = "latency rounded to whole ms (ties at the SLA), SLA 80 ms"
    c["cols"]["latency_col"] = "latency_ms"
    c["lat_decimals"] = 0
    c["sla_ms"] = 80
    c["n_base"], c["logs"] = 200, [{"n": 600, "wins": [0, 1]}]


def r_merge_day(rng, c):
    c["desc"] = "two ingests: the second adds rows to windows already ingested (day windows)"
    c["score_decimals"] = 3
    c["score_unrounded"] = 0.002
    c["cols"]["latency_col"] = "latency_ms"
    c["lat_decimals"] = 1
    c["sla_ms"] = 100
    c["features"].append(cat_feature("segment", p_new=0.05))
    c["n_base"] = 800
    c["logs"] = [{"n": 700, "wins": [0, 1, 2]}, {"n": 500, "wins": [1, 2, 3]}]


def r_merge_hour(rng, c):
    c["desc"] = "three ingests into overlapping hour windows, JSONL then CSV"
    c["score_decimals"] = 2
    c["window"], c["start_hour"] = "hour", 22
    c["fmt_log"] = ["jsonl", "csv", "jsonl"]
    c["ts_styles"] = ["z", "off"]
    c["n_base"] = 500
    c["logs"] = [{"n": 300, "wins": [0, 1, 2]}, {"n": 300, "wins": [2, 3]},
                 {"n": 100, "wins": [0, 3, 4]}]


def r_merge_continuous(rng, c):
    c["desc"] = "two ingests with continuous scores (all distinct, well under 65,536 per window)"
    c["n_base"] = 1000
    c["logs"] = [{"n": 2000, "wins": [0, 1]}, {"n": 2000, "wins": [0, 1]}]


def r_merge_approx(rng, c):
    c["desc"] = ("a first ingest with 70,000 distinct scores and latencies in one window, then a "
                 "second into it: AUC within its stated error bound")
    c["features"] = [{"name": "x", "type": "normal"}]
    c["cols"]["latency_col"] = "latency_ms"
    c["sla_ms"] = 100
    c["n_base"] = 500
    c["logs"] = [{"n": 70000, "wins": [0]}, {"n": 500, "wins": [0, 1]}]


def r_schema_absent(rng, c):
    c["desc"] = "a feature column absent from the log (schema change, all rows missing)"
    c["features"] = [{"name": "x", "type": "normal"}, {"name": "gone", "type": "int"},
                     cat_feature("gone_cat"), cat_feature("channel")]
    c["omit_in_log"] = ["gone", "gone_cat"]
    # A second log, JSONL, into other windows: its lines never have the key "gone".
    c["fmt_log"] = ["csv", "jsonl"]
    c["n_base"], c["logs"] = 300, [{"n": 300, "wins": [0, 1, 2]},
                                   {"n": 200, "wins": [3, 4], "omit": ["gone"]}]


def r_type_errors(rng, c):
    c["desc"] = "type errors in numeric columns of the log (schema changes, neither missing nor in W)"
    c["features"] = [{"name": "x", "type": "normal", "p_type_error": 0.05},
                     {"name": "k", "type": "int", "p_type_error": 0.01, "p_missing": 0.05},
                     {"name": "all_bad", "type": "normal", "p_type_error": 1.0},
                     cat_feature("channel")]
    c["n_base"], c["logs"] = 300, [{"n": 400, "wins": [0, 1]}]


def r_contract(rng, c):
    c["desc"] = "data contract: min/max, allowed categories, nullable=false, numeric codes as categories"
    c["features"] = [{"name": "age", "type": "int", "lam": 40.0},
                     {"name": "spend", "type": "normal", "mu": 50.0, "sd": 20.0, "p_missing": 0.03},
                     {"name": "zip", "type": "cat_codes", "vocab": [10115, 20095, 80331, 50667]},
                     cat_feature("channel", p_new=0.03)]
    c["p_missing"] = 0.0
    c["features"][1]["p_missing_base"] = 0.0
    c["fmt_base"], c["fmt_log"] = "jsonl", "jsonl"
    c["contract"] = {"features": [
        {"name": "age", "type": "numeric", "min": 18, "max": 65, "nullable": False},
        {"name": "spend", "min": -50, "max": 150, "nullable": False},
        {"name": "zip", "type": "categorical", "allowed": ["10115", "20095", "80331", "50667", "99999"]},
        {"name": "channel", "allowed": VOCAB_PLAIN + ["tiktok"], "nullable": False},
    ]}
    # A second log into later windows lacks "spend" (nullable: false): every row a violation.
    c["n_base"], c["logs"] = 400, [{"n": 500, "wins": [0, 1, 2]},
                                   {"n": 150, "wins": [3, 4], "omit": ["spend"]}]
    c["shifted_windows"] = {1: {"spend": 4.0}, 2: {"age": 1.0, "zip": 1.0}}


def r_no_label_column(rng, c):
    c["desc"] = "no label column in the log: every performance number null; baseline labeled"
    c["label_in_log"] = False
    c["n_base"], c["logs"] = 300, [{"n": 300, "wins": [0, 1]}]


def r_baseline_unlabeled(rng, c):
    c["desc"] = "baseline without labels (baseline AUC null, delta_auc null), no baseline ts column"
    c["label_in_base"] = False
    c["base_has_ts"] = False
    c["n_base"], c["logs"] = 300, [{"n": 300, "wins": [0, 1]}]


def r_score_extremes(rng, c):
    c["desc"] = "scores exactly 0 and 1 (HL bins with expected 0 or 1 left out), miscalibrated"
    c["score_extremes"] = True
    c["miscal"] = 1.0
    c["n_base"], c["logs"] = 500, [{"n": 800, "wins": [0, 1, 2]}]


def r_decoy_version(rng, c):
    c["desc"] = "two versions: version 1 has another baseline and its own log; checks version 2"
    c["decoy"] = True
    c["n_base"], c["logs"] = 400, [{"n": 400, "wins": [0, 1, 2]}]


def r_json_num_strings(rng, c):
    c["desc"] = "JSONL numbers written as strings, mixed number spellings, label spellings"
    c["fmt_base"], c["fmt_log"] = "jsonl", "jsonl"
    c["json_num_strings"] = True
    c["num_style"] = "odd"
    c["label_spellings"] = True
    c["n_base"], c["logs"] = 400, [{"n": 500, "wins": [0, 1]}]


def r_mixed_codes(rng, c):
    c["desc"] = ("a categorical column mixing text and JSON numbers: 12 and \"12\" are one "
                 "category, 1.5 and 1.50 two (compared by their text)")
    c["fmt_base"], c["fmt_log"] = "jsonl", "jsonl"
    c["features"] = [{"name": "code", "type": "cat_codes",
                      "vocab": ["A7", 12, "12", 3.5, "B", Raw("1.50"), Raw("1.5"),
                                Raw("0.1000000000000000000000000000000000000000000001e-3")]},
                     {"name": "x", "type": "normal"}]
    c["n_base"], c["logs"] = 300, [{"n": 300, "wins": [0, 1]}]


def r_json_bignum(rng, c):
    c["desc"] = ("JSON integers beyond 64 bits: in a categorical column (compared by their text), "
                 "in a numeric one (a finite number), and in arrays beside small integers")
    c["fmt_base"], c["fmt_log"] = "jsonl", "jsonl"
    c["features"] = [{"name": "code", "type": "cat_codes",
                      "vocab": ["A7", 12, 10**45 + 7, 10**45 + 8, 2**64]},
                     {"name": "big", "type": "cat_codes",  # all JSON integers: numeric
                      "vocab": [1, 2**63, 2**64 + 1, -2**63 - 1, 10**30]},
                     {"name": "tags", "type": "cat_codes",
                      "vocab": [[1, 2], [1, -2**64], [3, 1.5], {"k": 2**70}]}]
    c["n_base"], c["logs"] = 200, [{"n": 200, "wins": [0, 1]}]


def r_fractional_ts(rng, c):
    c["desc"] = "ISO-8601 and epoch timestamps with fractional seconds near the hour boundary"
    c["ts_styles"] = ["frac", "z", "epoch_frac"]
    c["window"], c["edge_bias"] = "hour", 0.5
    c["n_base"], c["logs"] = 200, [{"n": 300, "wins": [0, 1, 2]}]


def r_small_windows(rng, c):
    c["desc"] = "many tiny hour windows (1-5 rows), sparse deciles"
    c["window"] = "hour"
    c["n_base"], c["logs"] = 150, [{"n": 40, "wins": list(range(15))}]


def r_wide(rng, c):
    c["desc"] = ("300 numeric features: the engine counts a few thousand rows at a time, so each "
                 "window's numbers add up over several batches")
    c["features"] = numeric_feature_pool(rng, 300) + [cat_feature("channel")]
    c["p_missing"] = 0.02
    c["n_base"], c["logs"] = 800, [{"n": 4000, "wins": [0, 1]}]
    c["shifted_windows"] = {1: {c["features"][0]["name"]: 1.0}}


def r_random(rng, c):
    """A random mixture."""
    fmt = ["csv", "jsonl"][int(rng.integers(0, 2))]
    c["fmt_base"] = fmt if rng.random() < 0.7 else ("jsonl" if fmt == "csv" else "csv")
    c["fmt_log"] = fmt
    c["window"] = "hour" if rng.random() < 0.35 else "day"
    c["start_hour"] = int(rng.integers(0, 24))
    nf = int(rng.integers(1, 6))
    c["features"] = numeric_feature_pool(rng, nf)
    for i in range(int(rng.integers(0, 3))):
        c["features"].append(cat_feature(f"cat{i}", tricky=bool(rng.random() < 0.3),
                                         p_new=float(rng.choice([0, 0, 0.01, 0.1]))))
    sizes = [1, 3, 10, 50, 200, 500, 1000, 2500]
    c["n_base"] = int(rng.choice(sizes[1:], p=[0.05, 0.1, 0.2, 0.3, 0.15, 0.15, 0.05]))
    nw = int(rng.integers(1, 7))
    c["logs"] = [{"n": int(rng.choice(sizes, p=[0.05, 0.05, 0.1, 0.25, 0.25, 0.15, 0.1, 0.05])),
                  "wins": list(range(nw))}]
    c["p_missing"] = float(rng.choice([0, 0, 0.02, 0.1, 0.3]))
    c["p_label_missing"] = float(rng.choice([0, 0.05, 0.5]))
    c["ts_styles"] = [s for s in ["z", "off", "epoch_text", "epoch_json"] if rng.random() < 0.6] or ["z"]
    c["edge_bias"] = float(rng.choice([0, 0.3]))
    if rng.random() < 0.4:
        c["score_decimals"] = int(rng.integers(1, 4))
    c["crlf"] = bool(rng.random() < 0.3)
    c["bom"] = bool(rng.random() < 0.2)
    c["num_style"] = str(rng.choice(["repr", "repr", "mixed", "odd"]))
    if rng.random() < 0.4:
        c["shifted_windows"] = {int(rng.integers(0, nw)): {f["name"]: float(rng.choice([0.3, 1, 2]))
                                                          for f in c["features"]}}
    if rng.random() < 0.2:
        c["label_windows"] = {int(rng.integers(0, nw)): str(rng.choice(["zero", "one", "none"]))}
    if rng.random() < 0.15:
        c["cols"]["latency_col"] = "latency_ms"
        c["sla_ms"] = int(rng.choice([50, 100, 250]))
    c["desc"] = (f"random: {fmt} {c['window']} windows, {nf} numeric + "
                 f"{len(c['features']) - nf} categorical, base {c['n_base']}, log {c['logs'][0]['n']}")


RECIPES: List[Callable] = [
    r_tiny, r_two_rows, r_ties, r_constant, r_single_class, r_heavy, r_missing_csv,
    r_missing_jsonl, r_new_categories, r_offsets_midnight, r_hour_windows, r_csv_quoting,
    r_csv_crlf_bom, r_large_baseline, r_huge_baseline, r_huge_log, r_baseline_exact_cap,
    r_latency_sla, r_latency_no_sla, r_latency_ties, r_merge_day, r_merge_hour,
    r_merge_continuous, r_merge_approx, r_schema_absent, r_type_errors, r_contract, r_no_label_column,
    r_baseline_unlabeled, r_score_extremes, r_decoy_version, r_json_num_strings, r_mixed_codes,
    r_json_bignum, r_fractional_ts, r_small_windows, r_wide,
]


def recipe_for(index: int) -> Callable:
    return RECIPES[index] if index < len(RECIPES) else r_random


def case_id(index: int) -> str:
    r = recipe_for(index)
    return f"{index:03d}-{r.__name__[2:].replace('_', '-')}"


# --------------------------------------------------------------------------------------------
# Building a case directory
# --------------------------------------------------------------------------------------------


def _contract_json(c: dict) -> str:
    return json.dumps(c, ensure_ascii=False, indent=1)


def build_case(index: int, seed: int, outdir: str) -> dict:
    rng = np.random.default_rng([seed, index])
    c = base_cfg(rng)
    recipe_for(index)(rng, c)
    os.makedirs(outdir, exist_ok=True)
    cols = c["cols"]
    # Baseline.
    fb = c["fmt_base"]
    bpath = os.path.join(outdir, f"baseline.{fb}")
    nb = c["n_base"]
    btimes = None
    if c.get("base_has_ts", True):
        btimes = [T0 - dt.timedelta(days=30) + dt.timedelta(seconds=int(s))
                  for s in rng.integers(0, 30 * 86400, nb)]
    bcfg = dict(c)
    if c.get("label_in_base") is False:
        bcfg = dict(c, label_in_file=False)
    make_file(rng, bcfg, bpath, fb, nb, btimes, [{}] * nb, ["normal"] * nb, is_baseline=True)
    spec: Dict[str, Any] = {
        "id": case_id(index), "index": index, "seed": seed, "desc": c.get("desc", ""),
        "model": "m", "sla_ms": c.get("sla_ms"), "cols": cols,
        "baseline": {"file": os.path.basename(bpath), "format": fb},
        "contract": None, "version": 1, "decoy": None, "ingests": [], "window": c["window"],
    }
    if c.get("contract"):
        with open(os.path.join(outdir, "contract.json"), "w", encoding="utf-8") as f:
            f.write(_contract_json(c["contract"]))
        spec["contract"] = "contract.json"
    # Logs.
    lcfg = dict(c)
    if c.get("label_in_log") is False:
        lcfg = dict(c, label_in_file=False)
    fmts = c["fmt_log"] if isinstance(c["fmt_log"], list) else [c["fmt_log"]] * len(c["logs"])
    for li, lg in enumerate(c["logs"]):
        fmt = fmts[li]
        n = lg["n"]
        times = log_times(rng, c["window"], lg["wins"], n, c["start_hour"], c["edge_bias"])
        span = dt.timedelta(days=1) if c["window"] == "day" else dt.timedelta(hours=1)
        widx = [int((t - window_start(c["window"], 0, c["start_hour"])) // span) for t in times]
        shifts = [c["shifted_windows"].get(w, {}) for w in widx]
        modes = [c["label_windows"].get(w, "normal") for w in widx]
        lpath = os.path.join(outdir, f"log{li + 1}.{fmt}")
        make_file(rng, lcfg, lpath, fmt, n, times, shifts, modes,
                  omit=lg.get("omit", c.get("omit_in_log", [])))
        spec["ingests"].append({"file": os.path.basename(lpath), "format": fmt})
    if c.get("decoy"):
        # Version 1: another baseline (shifted, other size) and its own log in the same windows.
        dcfg = dict(c, score_mu=0.5)
        dpath = os.path.join(outdir, f"decoy_baseline.{fb}")
        shifted = [{f["name"]: 1.5 for f in c["features"]}] * 250
        make_file(rng, dcfg, dpath, fb, 250, None, shifted, ["normal"] * 250, is_baseline=True)
        dl = os.path.join(outdir, f"decoy_log.{fmts[0]}")
        times = log_times(rng, c["window"], c["logs"][0]["wins"], 300, c["start_hour"], 0.0)
        make_file(rng, dcfg, dl, fmts[0], 300, times, [{}] * 300, ["one"] * 300)
        spec["decoy"] = {"baseline": {"file": os.path.basename(dpath), "format": fb},
                         "ingests": [{"file": os.path.basename(dl), "format": fmts[0]}]}
        spec["version"] = 2
    with open(os.path.join(outdir, "case.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1)
    return spec


def all_ids(n: int) -> List[str]:
    return [case_id(i) for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--cases", type=int, default=DEFAULT_CASES)
    ap.add_argument("--only")
    ap.add_argument("--list", action="store_true", help="list the case ids and what each covers")
    a = ap.parse_args()
    if a.list or not a.outdir:
        for i in range(a.cases):
            rng = np.random.default_rng([a.seed, i])
            c = base_cfg(rng)
            recipe_for(i)(rng, c)
            print(f"{case_id(i):28} {c.get('desc', '')}")
        return
    for i in range(a.cases):
        cid = case_id(i)
        if a.only and a.only not in (cid, cid[:3], str(i)):
            continue
        spec = build_case(i, a.seed, os.path.join(a.outdir, cid))
        print(cid, "-", spec["desc"])


if __name__ == "__main__":
    main()
