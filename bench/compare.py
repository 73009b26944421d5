#!/usr/bin/env python3
"""Checks that the peer and modeldeck computed the same numbers (bench/run.sh, after timing).

  compare.py PEER.json DRIFT.json CALIBRATION.json

PEER.json is bench/peer.py --json; the other two are `modeldeck --json drift MODEL V` and
`modeldeck --json calibration MODEL V`. Prints the largest relative difference per metric and
one verdict line; exits 1 when a number differs by more than 1e-9 (relative or absolute, as
docs/METRICS.md promises). KS and its p-value are reported but not judged: each side draws its
own seeded 10,000-value sample of the baseline.
"""
import json
import sys

TOL = 1e-9
NOT_JUDGED = {"ks", "ks_pvalue"}


def diff(a, b):
    if a is None or b is None:
        return 0.0 if a is None and b is None else float("inf")
    d = abs(a - b)
    return 0.0 if d <= TOL else d / max(abs(a), abs(b))


def main():
    peer, drift, cal = (json.load(open(p)) for p in sys.argv[1:4])
    worst = {}

    def note(metric, a, b, where):
        d = diff(a, b)
        if d > worst.get(metric, (-1.0,))[0]:
            worst[metric] = (d, where, a, b)

    md = {(d["window"], d["feature"]): d for d in drift["drift"]}
    mc = {c["window"]: c for c in cal["windows"]}
    for w in peer["windows"]:
        for f, r in w["features"].items():
            m = md.get((w["window"], f))
            if m is None:
                worst["missing rows"] = (float("inf"), f"{w['window']} {f}", "present", "absent")
                continue
            for k in ("psi", "psi_null_p99", "missing_rate", "missing_delta", "schema_changes",
                      "ks", "ks_pvalue"):
                if k in r:
                    note(k, r[k], m.get(k), f"{w['window']} {f}")
        p, m = w["performance"], mc.get(w["window"])
        if m is None:
            worst["missing rows"] = (float("inf"), w["window"], "present", "absent")
            continue
        for k in ("labeled", "auc", "delta_auc", "brier", "ece", "hl_stat", "hl_pvalue"):
            note(k, p.get(k), m.get(k), w["window"])
        for i, (a, b) in enumerate(zip(p.get("deciles", []), m.get("deciles", []))):
            for k in ("n", "expected", "observed", "lo", "hi"):
                note("decile " + k, a[k], b.get(k), f"{w['window']} decile {i + 1}")

    bad = False
    for k, (d, where, a, b) in sorted(worst.items()):
        judged = k not in NOT_JUDGED
        flag = "" if d <= TOL or not judged else "  <-- differs"
        bad |= judged and d > TOL
        extra = "" if d <= TOL else f" at {where}: peer {a}, modeldeck {b}"
        print(f"  {k:16s} max rel diff {d:.2e}{extra}{'' if judged else ' (not judged)'}{flag}")
    n = len(peer["windows"])
    if bad:
        print(f"compare: modeldeck and the peer DISAGREE beyond {TOL:g} ({n} windows)")
        return 1
    print(f"compare: modeldeck and the peer agree within {TOL:g} on every judged number "
          f"({n} windows; KS uses different samples)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
