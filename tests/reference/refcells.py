"""The reference's reading of files (tests/reference/reference.py): what one field of a CSV or
JSON Lines file holds, tables and their role columns, timestamps, scores, labels and latencies,
as docs/METRICS.md states them. reference.py re-exports every name here."""
from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

# --------------------------------------------------------------------------------------------
# Cells: what one field of a file holds.
#   None       missing (empty field, NA/NaN/null in any case, JSON null, absent JSON key)
#   str        text (a CSV field, a JSON string)
#   JNum       a JSON number, as the text it is compared by (a str subclass; see JNum)
#   bool       a JSON true/false
# --------------------------------------------------------------------------------------------


class JNum(str):
    """A JSON number, as the text METRICS.md compares categories by: an integer in decimal
    (beyond 64 bits too), any other number as Python's repr(float)."""


class _Raw:
    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text


def _numbers(v: Any) -> Any:
    if isinstance(v, _Raw):
        if v.kind == "int":
            return JNum(str(int(v.text)))
        return JNum(repr(float(v.text)))
    if isinstance(v, dict):
        return {k: _numbers(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_numbers(x) for x in v]
    return v


def json_line(text: str) -> Any:
    """One JSON value with its numbers as JNum (see JNum)."""
    raw = json.loads(text, parse_int=lambda t: _Raw("int", t), parse_float=lambda t: _Raw("float", t))
    return _numbers(raw)


MISSING_TEXT = {"", "na", "nan", "null"}  # compared case-insensitively (METRICS.md: "any case")

_NUM_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def is_missing(cell: Any) -> bool:
    if cell is None:
        return True
    if isinstance(cell, JNum) or isinstance(cell, bool):
        return False
    if isinstance(cell, str):
        return cell.lower() in MISSING_TEXT
    return False


def parse_number(cell: Any) -> Optional[float]:
    """A finite float, or None when the (non-missing) cell is not a finite number."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, JNum):
        v = float(cell)
        return v if math.isfinite(v) else None
    if isinstance(cell, str) and _NUM_RE.match(cell):
        v = float(cell)
        return v if math.isfinite(v) else None
    return None


def _shortest_g(v: float) -> str:
    """modeldeck's JSON output for a real: the shortest %.Ng that reads back exactly."""
    for p in range(1, 18):
        t = "%.*g" % (p, v)
        if float(t) == v:
            return t
    return "%.17g" % v


def _compact(v: Any) -> str:
    """Compact JSON as modeldeck writes it (arrays and objects in a categorical column)."""
    if isinstance(v, JNum):
        f = float(v)
        return str(v) if _NUM_RE.match(v) and "." not in v and "e" not in v.lower() else _shortest_g(f)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(_compact(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _compact(x) for k, x in v.items()) + "}"
    return json.dumps(v)


def cell_text(cell: Any) -> str:
    """A categorical value: text as is, a JSON number by its JNum text."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, str):
        return str(cell)
    return _compact(cell)


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


@dataclass
class Table:
    columns: List[str]
    rows: List[Dict[str, Any]]  # absent JSON keys are absent from the dict


def load_table(path: str, fmt: str) -> Table:
    if fmt == "csv":
        with open(path, "r", encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows = []
            for rec in reader:
                if not rec:
                    continue
                if len(rec) != len(header):
                    raise ValueError(f"{path}: a row has {len(rec)} fields, header {len(header)}")
                rows.append(dict(zip(header, rec)))
        return Table(list(header), rows)
    if fmt == "jsonl":
        cols: List[str] = []
        seen = set()
        rows = []
        with open(path, "r", encoding="utf-8-sig") as f:
            for line in f:
                if not line.strip():
                    continue
                obj = json_line(line)
                for k in obj:
                    if k not in seen:
                        seen.add(k)
                        cols.append(k)
                rows.append(obj)
        return Table(cols, rows)
    raise ValueError(f"unknown format {fmt}")


@dataclass
class Columns:
    ts: str = "ts"
    id: Optional[str] = None
    score: str = "score"
    label: str = "label"
    latency: Optional[str] = None

    def special(self) -> set:
        return {c for c in (self.ts, self.id, self.score, self.label, self.latency) if c}

    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "Columns":
        return Columns(
            ts=d.get("ts_col") or "ts",
            id=d.get("id_col"),
            score=d.get("score_col") or "score",
            label=d.get("label_col") or "label",
            latency=d.get("latency_col"),
        )


# --------------------------------------------------------------------------------------------
# Row fields: timestamp, score, label, latency
# --------------------------------------------------------------------------------------------

_EPOCH_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


def parse_ts(cell: Any) -> _dt.datetime:
    """A UTC datetime (naive) from ISO-8601 with Z/offset or epoch seconds (text or JSON)."""
    if isinstance(cell, bool) or cell is None:
        raise ValueError(f"bad timestamp {cell!r}")
    s = str(cell)
    if _EPOCH_RE.match(s):
        secs = float(s)
        return _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=math.floor(secs))
    m = _ISO_RE.match(s)
    if not m:
        raise ValueError(f"bad timestamp {s!r}")
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    t = _dt.datetime(y, mo, d, h, mi, se)
    tz = m.group(8)
    if tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        off = _dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
        t = t - sign * off
    return t


def window_name(t: _dt.datetime, kind: str) -> str:
    return t.strftime("%Y-%m-%d") if kind == "day" else t.strftime("%Y-%m-%dT%H")


def parse_score(cell: Any) -> float:
    v = parse_number(cell)
    if v is None or not (0.0 <= v <= 1.0):
        raise ValueError(f"bad score {cell!r}")
    return v


def parse_label(cell: Any) -> Optional[int]:
    if is_missing(cell):
        return None
    if isinstance(cell, bool):
        return 1 if cell else 0
    s = str(cell)
    if s in ("1", "1.0", "true"):
        return 1
    if s in ("0", "0.0", "false"):
        return 0
    raise ValueError(f"bad label {cell!r}")


def parse_latency(cell: Any) -> Optional[float]:
    if is_missing(cell):
        return None
    v = parse_number(cell)
    if v is None or v < 0:
        raise ValueError(f"bad latency {cell!r}")
    return v
