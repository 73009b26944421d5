#!/usr/bin/env bash
# The monitoring benchmark behind `make bench` (bench/README.md says how to read it).
#
# Generates a 2,000,000-row scoring log and a 200,000-row baseline (kept in build/bench/ and
# reused), times `modeldeck baseline` + `modeldeck ingest` into a fresh store and the Python
# peer (bench/peer.py: pandas + numpy + scipy + sklearn computing the same metrics) in turns,
# and prints wall times, peak RSS and their ratios beside the targets. BENCH_LARGE=1 adds a
# 20,000,000-row log (~2.8 GB, streamed) for modeldeck alone.
#
# Environment:
#   MODELDECK_BIN   the binary (default build/modeldeck, relative to the repo root; `make bench`
#                   gives it the release build, build/release/modeldeck)
#   BENCH_DIR       data, stores and logs (default build/bench)
#   BENCH_PYTHON    the peer's interpreter (default /usr/bin/python3)
#   BENCH_ROWS      log rows (default 2000000); BENCH_BASELINE_ROWS (default 200000)
#   BENCH_LARGE=1   also run the 20,000,000-row scenario (BENCH_LARGE_ROWS to change the size)
#   BENCH_RUNS      runs of each side at 2M rows, best wall time kept (default 3)
#   BENCH_NO_PEER=1 skip the peer (no ratios then)
#   BENCH_STRICT=1  exit 1 when a target is missed (default: report only)
#   BENCH_NO_GNU_TIME=1  measure with the getrusage fallback even where GNU time exists
#   CC              compiler for the generator (default cc)
#   GEN_CONSOLE     the console store's generator (made by `make bench`); BENCH_NO_CONSOLE=1
#                   skips the console's figures
#   HASH_FLOOR      bench/hash_floor, built by `make bench`: times the files' SHA-256 alone
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

BIN=${MODELDECK_BIN:-build/modeldeck}
DIR=${BENCH_DIR:-build/bench}
PY=${BENCH_PYTHON:-/usr/bin/python3}
ROWS=${BENCH_ROWS:-2000000}
BASE_ROWS=${BENCH_BASELINE_ROWS:-200000}
LARGE_ROWS=${BENCH_LARGE_ROWS:-20000000}
DAYS=10
CC=${CC:-cc}
RUNS=${BENCH_RUNS:-3}
TARGET_SPEEDUP=25
TARGET_RSS_MB=64

mkdir -p "$DIR"
# Absolute paths, so a relative MODELDECK_BIN or BENCH_DIR keeps working.
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
DIR=$(cd "$DIR" && pwd)
LOGS=$DIR/logs # each step's stdout, stderr and peak RSS
mkdir -p "$LOGS"

die() {
    echo "bench: $*" >&2
    exit 1
}

# ---- measuring ---------------------------------------------------------------------------------

# GNU time when it works, else a Python wrapper reading getrusage(RUSAGE_CHILDREN) (its only
# child is the measured command, so ru_maxrss is that command's peak, in KiB on Linux).
if [ "${BENCH_NO_GNU_TIME:-0}" != 1 ] && /usr/bin/time -f '%e %M' -o /dev/null true >/dev/null 2>&1; then
    RSS_TOOL="GNU time (%M)"
    GNU_TIME=1
else
    RSS_TOOL="getrusage(RUSAGE_CHILDREN).ru_maxrss"
    GNU_TIME=0
    command -v "$PY" >/dev/null 2>&1 || PY=python3
fi
PY_TIMER='
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
'

now_ns() { date +%s%N; }

# measure NAME CMD...: runs CMD with stdout and stderr in $DIR/NAME.{out,err}; sets SECS (wall,
# ms resolution) and KIB (peak RSS). A failing step prints its stderr and stops the bench.
measure() {
    local name=$1
    shift
    local out=$LOGS/$name.out err=$LOGS/$name.err tf=$LOGS/$name.rss t0 t1 rc=0
    t0=$(now_ns)
    if [ "$GNU_TIME" = 1 ]; then
        /usr/bin/time -f '%M' -o "$tf" "$@" >"$out" 2>"$err" || rc=$?
    else
        "$PY" -S -c "$PY_TIMER" "$tf" "$@" >"$out" 2>"$err" || rc=$?
    fi
    t1=$(now_ns)
    if [ "$rc" != 0 ]; then
        echo "bench: step '$name' failed (exit $rc): $*" >&2
        echo "---- stderr ($err) ----" >&2
        tail -n 40 "$err" >&2
        echo "---- stdout, last lines ($out) ----" >&2
        tail -n 10 "$out" >&2
        exit 1
    fi
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    KIB=$(tail -n 1 "$tf")
    case $KIB in '' | *[!0-9]*) die "step '$name': no peak RSS in $tf" ;; esac
}

# run NAME CMD...: an untimed step with the same failure report.
run() {
    local name=$1
    shift
    if ! "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err"; then
        echo "bench: step '$name' failed: $*" >&2
        echo "---- stderr ($LOGS/$name.err) ----" >&2
        tail -n 40 "$LOGS/$name.err" >&2
        exit 1
    fi
}

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 > a + 0) ? b : a }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "PASS" : "MISS") }'; }

# ---- data --------------------------------------------------------------------------------------

GEN=$DIR/gen_data
if [ ! -x "$GEN" ] || [ bench/gen_data.c -nt "$GEN" ]; then
    echo "bench: building $GEN"
    run gen-build "$CC" -O2 -o "$GEN" bench/gen_data.c -lm
fi

# gen FILE ARGS...: generates FILE unless it exists with the same arguments and generator.
gen() {
    local file=$1
    shift
    local stamp=$file.args want
    want="$(cksum <"$GEN" | cut -d' ' -f1) $*"
    if [ -f "$file" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    echo "bench: generating $file ($*)"
    rm -f "$file" "$stamp"
    run gen-"$(basename "$file" .csv)" "$GEN" "$@" --out "$file.tmp"
    mv "$file.tmp" "$file"
    echo "$want" >"$stamp"
}

[ -x "$BIN" ] || die "no modeldeck binary at $BIN (run 'make' first, or set MODELDECK_BIN)"

BASELINE=$DIR/baseline.csv
LOG=$DIR/log.csv
gen "$BASELINE" --baseline --rows "$BASE_ROWS"
gen "$LOG" --rows "$ROWS" --days "$DAYS"

# ---- the monitoring pass -----------------------------------------------------------------------

# fresh_store DB: a new store with model churn, version 1 (untimed).
fresh_store() {
    local db=$1
    rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
    run init "$BIN" --db "$db" init
    run model-add "$BIN" --db "$db" model add churn --use-case churn --owner bench
    run version-add "$BIN" --db "$db" version add churn --artifact s3://bench/1
}

# Both sides read the files from the page cache.
cat "$BASELINE" "$LOG" >/dev/null

PEER=0
if [ "${BENCH_NO_PEER:-0}" != 1 ]; then
    "$PY" -c 'import pandas, numpy, scipy, sklearn' 2>/dev/null ||
        die "$PY lacks pandas/numpy/scipy/sklearn (apt-get install python3-pandas python3-scipy python3-sklearn), or set BENCH_NO_PEER=1"
    PEER=1
fi

# RUNS rounds, each a modeldeck run (baseline + ingest, into a fresh store) and then a peer run
# (bench/peer.py): each side's best wall time (modeldeck's by baseline + ingest), the highest
# peak RSS of any run. The rounds take turns so that both sides are sampled over the same
# minutes: this machine's speed drifts by more than the target's margin from one minute to the
# next, and three runs of one side back to back can all fall into one slow spell.
DB=$DIR/bench.db
MD_S='' MD_BASE_KIB=0 MD_INGEST_KIB=0 PEER_S='' PEER_KIB=0
for run_no in $(seq 1 "$RUNS"); do
    fresh_store "$DB"
    measure md-baseline "$BIN" --db "$DB" baseline churn 1 "$BASELINE" --id-col customer_id
    b_s=$SECS
    MD_BASE_KIB=$(max "$MD_BASE_KIB" "$KIB")
    measure md-ingest "$BIN" --db "$DB" ingest churn 1 "$LOG" --id-col customer_id
    i_s=$SECS
    MD_INGEST_KIB=$(max "$MD_INGEST_KIB" "$KIB")
    t_s=$(awk -v a="$b_s" -v b="$i_s" 'BEGIN { printf "%.3f", a + b }')
    echo "bench: modeldeck run $run_no/$RUNS: baseline $b_s s, ingest $i_s s"
    if [ -z "$MD_S" ] || [ "$(awk -v a="$t_s" -v b="$MD_S" 'BEGIN { print (a < b) ? 1 : 0 }')" = 1 ]; then
        MD_S=$t_s MD_BASE_S=$b_s MD_INGEST_S=$i_s
    fi
    if [ "$PEER" = 1 ]; then
        measure peer "$PY" bench/peer.py "$BASELINE" "$LOG" --json "$DIR/peer.json"
        echo "bench: peer run $run_no/$RUNS: $SECS s"
        PEER_S=$(min "$PEER_S" "$SECS")
        PEER_KIB=$(max "$PEER_KIB" "$KIB")
    fi
done
MD_KIB=$(max "$MD_BASE_KIB" "$MD_INGEST_KIB")

# The files' SHA-256 alone, as the two commands compute it (bench/hash_floor.c): one chain of
# blocks per file that no second core can share, so no pass that hashes its file goes below it.
FLOOR_S=''
if [ -n "${HASH_FLOOR:-}" ] && [ -x "$HASH_FLOOR" ]; then
    run hash-floor "$HASH_FLOOR" "$RUNS" "$BASELINE" "$LOG"
    FLOOR_S=$(tail -n 1 "$LOGS/hash-floor.out")
fi

# ---- same numbers? ----------------------------------------------------------------------------

# The peer's numbers against modeldeck's (bench/compare.py). Reported, never fatal: the drift and
# calibration commands are outside what is timed.
COMPARE="(not run: BENCH_NO_PEER=1)"
COMPARE_OK=1
if [ "$PEER" = 1 ]; then
    if "$BIN" --db "$DB" --json drift churn 1 >"$LOGS/drift.json" 2>"$LOGS/drift.err" &&
        "$BIN" --db "$DB" --json calibration churn 1 >"$LOGS/calibration.json" 2>"$LOGS/calibration.err"; then
        if "$PY" bench/compare.py "$DIR/peer.json" "$LOGS/drift.json" "$LOGS/calibration.json" \
            >"$LOGS/compare.out" 2>&1; then
            COMPARE=$(tail -n 1 "$LOGS/compare.out")
        else
            COMPARE_OK=0
            COMPARE="$(tail -n 1 "$LOGS/compare.out") -- see $LOGS/compare.out"
        fi
    else
        COMPARE="(skipped: 'modeldeck drift/calibration --json' failed, see $LOGS/drift.err)"
    fi
fi

# ---- the report --------------------------------------------------------------------------------

LOG_BYTES=$(wc -c <"$LOG")
LOG_MB=$(awk -v b="$LOG_BYTES" 'BEGIN { printf "%.0f", b / 1e6 }')
cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
[ -n "$cpu" ] || cpu=$(uname -m)
ram=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
# shellcheck source=/dev/null
os=$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -s)
pyver=$("$PY" -c 'import sys, pandas, numpy, scipy, sklearn; print("Python %d.%d.%d" % sys.version_info[:3], "pandas", pandas.__version__, "numpy", numpy.__version__, "scipy", scipy.__version__, "sklearn", sklearn.__version__)' 2>/dev/null || echo "python: n/a")

echo
echo "modeldeck bench: $ROWS-row scoring log ($LOG_MB MB, $DAYS daily windows, 12 numeric + 4"
echo "categorical features, score, label), $BASE_ROWS-row baseline"
echo "machine: $cpu, $(nproc) cores, $ram RAM, $os, Linux $(uname -r)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a) (other work on the machine skews times)"
echo "modeldeck: $("$BIN" --version 2>/dev/null | head -n 1); peer: $pyver"
echo "best wall time of $RUNS run(s) (each modeldeck run into a fresh store), highest peak RSS;"
echo "peak RSS from $RSS_TOOL; wall times include process start; files in the page cache"
echo
printf '%-34s %10s %14s\n' "step" "wall s" "peak RSS MiB"
printf '%-34s %10s %14s\n' "modeldeck baseline ($BASE_ROWS rows)" "$MD_BASE_S" "$(mib "$MD_BASE_KIB")"
printf '%-34s %10s %14s\n' "modeldeck ingest ($ROWS rows)" "$MD_INGEST_S" "$(mib "$MD_INGEST_KIB")"
printf '%-34s %10s %14s\n' "modeldeck baseline + ingest" "$MD_S" "$(mib "$MD_KIB")"
if [ -n "$FLOOR_S" ]; then
    printf '%-34s %10s\n' "  of which SHA-256 of the files" "$FLOOR_S"
fi
if [ "$PEER" = 1 ]; then
    printf '%-34s %10s %14s\n' "python peer (pandas/scipy/sklearn)" "$PEER_S" "$(mib "$PEER_KIB")"
fi
echo
ingest_mbs=$(awk -v b="$LOG_BYTES" -v s="$MD_INGEST_S" 'BEGIN { printf "%.0f", (s > 0) ? b / 1e6 / s : 0 }')
ingest_rows=$(awk -v r="$ROWS" -v s="$MD_INGEST_S" 'BEGIN { printf "%.2f", (s > 0) ? r / 1e6 / s : 0 }')
echo "ingest throughput: $ingest_mbs MB/s, $ingest_rows M rows/s"
echo

MISSED=0
rss_ok=$(awk -v k="$MD_KIB" -v t="$TARGET_RSS_MB" 'BEGIN { print (k <= t * 1024) ? 1 : 0 }')
[ "$rss_ok" = 1 ] || MISSED=1
printf '%-34s %12s %12s %8s\n' "target" "measured" "wanted" "verdict"
if [ "$PEER" = 1 ]; then
    speedup=$(ratio "$PEER_S" "$MD_S")
    speed_ok=$(awk -v a="$PEER_S" -v b="$MD_S" -v t="$TARGET_SPEEDUP" 'BEGIN { print (a >= t * b) ? 1 : 0 }')
    [ "$speed_ok" = 1 ] || MISSED=1
    printf '%-34s %12s %12s %8s\n' "speed-up vs peer (wall)" "${speedup}x" ">= ${TARGET_SPEEDUP}x" "$(verdict "$speed_ok")"
    if [ -n "$FLOOR_S" ]; then
        printf '%-34s %12s\n' "  at most, SHA-256 alone (peer/hash)" "$(ratio "$PEER_S" "$FLOOR_S")x"
    fi
fi
printf '%-34s %12s %12s %8s\n' "modeldeck peak RSS" "$(mib "$MD_KIB") MiB" "<= $TARGET_RSS_MB MiB" "$(verdict "$rss_ok")"
if [ "$PEER" = 1 ]; then
    printf '%-34s %12s\n' "peer / modeldeck peak RSS" "$(ratio "$PEER_KIB" "$MD_KIB")x"
    echo
    tail -n 1 "$LOGS/peer.out"
else
    echo "(peer skipped: BENCH_NO_PEER=1)"
fi
echo "$COMPARE"
[ "$COMPARE_OK" = 1 ] || MISSED=1

# ---- many windows -------------------------------------------------------------------------------

# The same log by hour: 24 times the windows. Memory is bounded by features x bins x windows, not
# rows; a window's KS counters are a list of its values' counter numbers while it has few, and
# folded only while it is computed. Reported, no target.
DBH=$DIR/bench-hour.db
fresh_store "$DBH"
run md-hour-baseline "$BIN" --db "$DBH" baseline churn 1 "$BASELINE" --id-col customer_id
measure md-hour-ingest "$BIN" --db "$DBH" ingest churn 1 "$LOG" --id-col customer_id --window hour
HOURS=$(sed -n 's/.* into \([0-9]*\) hour windows.*/\1/p' "$LOGS/md-hour-ingest.out" | head -n 1)
echo
printf '%-34s %10s %14s\n' "modeldeck ingest by hour (${HOURS:-?} w.)" "$SECS" "$(mib "$KIB")"

# ---- 20M rows ----------------------------------------------------------------------------------

if [ "${BENCH_LARGE:-0}" = 1 ]; then
    LARGE=$DIR/log-large.csv
    need_kb=$((LARGE_ROWS * 165 / 1024)) # ~140 bytes a row, plus room
    if [ ! -f "$LARGE" ]; then
        free_kb=$(df -Pk "$DIR" | awk 'NR == 2 { print $4 }')
        [ "$free_kb" -ge "$need_kb" ] ||
            die "BENCH_LARGE: need ~$((need_kb / 1048576)) GiB free in $DIR, have $((free_kb / 1048576)) GiB"
    fi
    gen "$LARGE" --rows "$LARGE_ROWS" --days "$DAYS"
    LARGE_BYTES=$(wc -c <"$LARGE")
    cat "$LARGE" >/dev/null
    DBL=$DIR/bench-large.db
    fresh_store "$DBL"
    measure md-large-baseline "$BIN" --db "$DBL" baseline churn 1 "$BASELINE" --id-col customer_id
    measure md-large-ingest "$BIN" --db "$DBL" ingest churn 1 "$LARGE" --id-col customer_id
    L_S=$SECS L_KIB=$KIB
    scale=$(awk -v r="$LARGE_ROWS" -v s="$ROWS" 'BEGIN { printf "%g", r / s }')
    expect=$(awk -v s="$MD_INGEST_S" -v k="$scale" 'BEGIN { printf "%.3f", s * k }')
    l_rss_ok=$(awk -v k="$L_KIB" -v t="$TARGET_RSS_MB" 'BEGIN { print (k <= t * 1024) ? 1 : 0 }')
    [ "$l_rss_ok" = 1 ] || MISSED=1
    echo
    echo "large: $LARGE_ROWS-row log ($(awk -v b="$LARGE_BYTES" 'BEGIN { printf "%.2f", b / 1e9 }') GB, streamed by the generator), same baseline"
    printf '%-34s %10s %14s\n' "step" "wall s" "peak RSS MiB"
    printf '%-34s %10s %14s\n' "modeldeck ingest ($LARGE_ROWS rows)" "$L_S" "$(mib "$L_KIB")"
    printf '%-34s %10s\n' "${scale}x the $ROWS-row ingest" "$expect"
    printf '%-34s %10s\n' "large / (${scale}x small)" "$(ratio "$L_S" "$expect")"
    printf '%-34s %12s %12s %8s\n' "modeldeck peak RSS, large" "$(mib "$L_KIB") MiB" "<= $TARGET_RSS_MB MiB" "$(verdict "$l_rss_ok")"
    echo "ingest throughput: $(awk -v b="$LARGE_BYTES" -v s="$L_S" 'BEGIN { printf "%.0f", (s > 0) ? b / 1e6 / s : 0 }') MB/s"
    echo "(peer skipped at this size: pandas.read_csv holds the whole log in memory, ~10x the"
    echo " 2M-row peak)"
else
    echo
    echo "(20M-row scenario skipped; run with BENCH_LARGE=1, needs ~3 GB of disk)"
fi

# ---- the console -------------------------------------------------------------------------------

# A large organisation's store (bench/gen_console.c, through the engine: 200 models, 2,000
# versions, one model with 300 features x 365 daily windows, 50,000 incidents), made once and
# made again when the generator (which links the engine) changes; then bench/console.py drives
# the console in a pseudo-terminal at 80x24.
if [ "${BENCH_NO_CONSOLE:-0}" != 1 ]; then
    [ -n "${GEN_CONSOLE:-}" ] && [ -x "$GEN_CONSOLE" ] ||
        die "no console store generator (run 'make bench', or set GEN_CONSOLE or BENCH_NO_CONSOLE=1)"
    CDB=$DIR/console.db
    want="$(cksum <"$GEN_CONSOLE" | cut -d' ' -f1)"
    if [ ! -f "$CDB" ] || [ "$(cat "$CDB.args" 2>/dev/null)" != "$want" ]; then
        echo "bench: generating $CDB (about a minute)"
        rm -f "$CDB" "$CDB-wal" "$CDB-shm" "$CDB.args"
        run gen-console "$GEN_CONSOLE" "$CDB.tmp" "$DIR"
        mv "$CDB.tmp" "$CDB"
        echo "$want" >"$CDB.args"
    fi
    echo
    "$PY" bench/console.py "$BIN" "$CDB" | tee "$LOGS/console.out"
    grep -q MISS "$LOGS/console.out" && MISSED=1
fi

if [ "$MISSED" = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
    die "a target was missed (BENCH_STRICT=1)"
fi
exit 0
