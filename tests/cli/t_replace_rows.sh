#!/usr/bin/env bash
# Promise: an ingest recognizes the rows of earlier ingests, whatever the file is called and
# however it is laid out. With an id column a row is its timestamp and id: the same rows with a
# column corrected in every row, their columns in another order, as JSON Lines, in another
# timestamp notation, or with another column added are the same rows, refused without --replace
# (exit 3, nothing committed) and taking the earlier ingest's place with it. Without an id
# column, two batches of one day whose rows share timestamps and scores are told apart by their
# other fields, and the same rows in another timestamp notation, score spelling and column
# order are the same rows; a sample kept by an earlier modeldeck for such rows is not compared. An ingest stored before rows were compared is replaced only when named with
# --replace-ingest ID (or by the same content), and --replace on its file name says so rather
# than adding the rows twice. A batch scored at one time is compared row by row, and in files of
# a few rows every row counts.
. "$(dirname "$0")/lib.sh"

new_churn_store alice

"$PY" - "$T_DIR" <<'EOF'
import json, os, random, sys
d = sys.argv[1]
r = random.Random(7)
def rows(n, day, seed):
    g = random.Random(seed)
    out = []
    for i in range(n):
        s = round(g.random(), 4)
        out.append({"ts": "2026-10-%02dT%02d:%02d:%02dZ" % (day, i % 24, i * 7 % 60, i * 13 % 60),
                    "customer_id": "c%d_%d" % (seed, i), "score": s, "label": int(g.random() < s),
                    "spend": round(g.lognormvariate(3, 1), 2), "channel": g.choice("abc")})
    return out
def csv(path, rs, cols=("ts", "customer_id", "score", "label", "spend", "channel"), tsfmt=None):
    with open(os.path.join(d, path), "w") as f:
        f.write(",".join(cols) + "\n")
        for x in rs:
            y = dict(x)
            if tsfmt:
                y["ts"] = y["ts"].replace("T", " ").replace("Z", "+00:00")
            f.write(",".join(str(y[c]) for c in cols) + "\n")
base = rows(3000, 1, 1)
csv("base.csv", base)
day = rows(2000, 10, 2)
csv("day.csv", day)
csv("cents.csv", [dict(x, spend=round(x["spend"] * 100, 2)) for x in day])
csv("reordered.csv", day, cols=("customer_id", "channel", "spend", "label", "score", "ts"))
csv("notation.csv", day, tsfmt=True)
with open(os.path.join(d, "day.jsonl"), "w") as f:
    for x in day:
        f.write(json.dumps(dict(reversed(list(x.items())))) + "\n")
# two batches of one day without ids: the same timestamps and scores, other features
east = rows(1500, 12, 3)
west = [dict(x, spend=x["spend"] + 1, channel="w") for x in east[:1000]]
nid = ("ts", "score", "label", "spend", "channel")
csv("east.csv", east, cols=nid)
csv("west.csv", west, cols=nid)
# the east batch again: another timestamp notation, the score spelled to 6 places, columns
# in another order
csv("east_notation.csv", [dict(x, score="%.6f" % x["score"]) for x in east],
    cols=("channel", "spend", "label", "score", "ts"), tsfmt=True)
# a rolling export: the last 600 rows of day 10 again, and 1400 of day 11
csv("rolling.csv", day[-600:] + rows(1400, 11, 9))
# a batch scored at one time: 5000 rows of one date-only timestamp; then its labels corrected
batch = [dict(x, ts="2026-10-20") for x in rows(5000, 20, 4)]
csv("batch.csv", batch)
csv("batch2.csv", [dict(x, label=1 - x["label"]) for x in batch])
# a file of four rows, and the same file corrected to three
small = rows(4, 21, 5)
csv("small4.csv", small)
csv("small3.csv", small[:3])
csv("small3x.csv", [dict(x, label=1 - x["label"]) for x in small[:3]])
EOF

md_as alice baseline churn 1 "$T_DIR/base.csv" --id-col customer_id
expect_exit 0

# the spend column corrected (it was in cents), the file under its own name
cp "$T_DIR/cents.csv" "$T_DIR/daily.csv"
md_as alice ingest churn 1 "$T_DIR/daily.csv"
expect_exit 0
cp "$T_DIR/day.csv" "$T_DIR/daily.csv"
md_as alice ingest churn 1 "$T_DIR/daily.csv"
expect_error 3 ingest "daily.csv holds the rows of ingest #1"
md_as alice ingest churn 1 "$T_DIR/daily.csv" --replace
expect_exit 0
expect_stdout_contains "in place of ingest #1 of $T_DIR/daily.csv, 2000 rows"
expect_sql "SELECT rows FROM windows WHERE window = '2026-10-10'" 2000

# the same rows laid out otherwise, under other names: refused, and nothing changes
for f in reordered.csv notation.csv day.jsonl; do
    snapshot before
    md_as alice ingest churn 1 "$T_DIR/$f"
    expect_error 3 ingest "$f holds the rows of ingest #2"
    expect_unchanged before
done
md_as alice --json ingest churn 1 "$T_DIR/day.jsonl" --replace
expect_exit 0
expect_json '[d["replaced_ingests"], d["rows"]]' '[[2],2000]'
expect_sql "SELECT rows FROM windows WHERE window = '2026-10-10'" 2000

# a rolling export shares 30% of its rows with the day's ingest: added, and said
md_as alice --json ingest churn 1 "$T_DIR/rolling.csv"
expect_exit 0
ROLL_WITH=$(sql "SELECT id FROM ingests WHERE source = '$T_DIR/day.jsonl'")
expect_json 'd["overlapping_ingests"]' "[$ROLL_WITH]"
expect_sql "SELECT rows FROM windows WHERE window = '2026-10-10'" 2600

# no id column: two batches of one day, the same timestamps and scores, are both kept
md_as alice ingest churn 1 "$T_DIR/east.csv"
expect_exit 0
md_as alice ingest churn 1 "$T_DIR/west.csv"
expect_exit 0
expect_sql "SELECT rows FROM windows WHERE window = '2026-10-12'" 2500
# ... and the same rows without ids in another notation, spelling and column order are the
# same rows
EAST=$(sql "SELECT id FROM ingests WHERE source = '$T_DIR/east.csv'")
snapshot before
md_as alice ingest churn 1 "$T_DIR/east_notation.csv"
expect_error 3 ingest "east_notation.csv holds the rows of ingest #$EAST"
expect_unchanged before
# a sample an earlier modeldeck kept for rows without ids (named by their fields' text) cannot
# be compared: --replace on its file name says so rather than adding the rows twice
sql "UPDATE ingests SET row_identity = 'fields' WHERE id = $EAST"
sed -i '2s/,a$/,b/;2s/,c$/,b/' "$T_DIR/east.csv" # corrected: one row's channel
snapshot before
md_as alice ingest churn 1 "$T_DIR/east.csv" --replace
expect_error 3 ingest "ingest #$EAST ($T_DIR/east.csv, 1500 rows) has this file's name but its rows were sampled by an earlier modeldeck"
expect_unchanged before

# an ingest stored before rows were compared (no sample): --replace on its name refuses and
# says how; --replace-ingest names it
sql "UPDATE ingests SET row_sample = NULL, row_shift = NULL WHERE source = '$T_DIR/west.csv'"
ID=$(sql "SELECT id FROM ingests WHERE source = '$T_DIR/west.csv'")
sed -i '2s/,w$/,x/' "$T_DIR/west.csv" # corrected: one row's channel
snapshot before
md_as alice ingest churn 1 "$T_DIR/west.csv" --replace
expect_error 3 ingest "ingest #$ID ($T_DIR/west.csv, 1000 rows) has this file's name but was stored before rows were compared"
expect_stderr_contains "--replace-ingest $ID ingests it in place of that one"
expect_unchanged before
md_as alice ingest churn 1 "$T_DIR/west.csv" --replace-ingest "$ID"
expect_exit 0
expect_stdout_contains "in place of ingest #$ID of $T_DIR/west.csv, 1000 rows (named with --replace-ingest)"
expect_sql "SELECT rows FROM windows WHERE window = '2026-10-12'" 2500
md_as alice ingest churn 1 "$T_DIR/day.csv" --replace-ingest 999
expect_error 4 ingest "--replace-ingest 999: no such ingest of churn v1"
# the same content, stored before rows were compared: --replace takes its place, as ever
sql "UPDATE ingests SET row_sample = NULL, row_shift = NULL WHERE source = '$T_DIR/west.csv'"
md_as alice ingest churn 1 "$T_DIR/west.csv" --replace
expect_exit 0
expect_stdout_contains "(the same content)"
expect_sql "SELECT rows FROM windows WHERE window = '2026-10-12'" 2500

# a batch scored at one time (one timestamp for all its rows) is compared row by row: its
# relabeled copy is refused, and takes its place with --replace
md_as alice ingest churn 1 "$T_DIR/batch.csv"
expect_exit 0
BATCH=$(sql "SELECT id FROM ingests WHERE source = '$T_DIR/batch.csv'")
md_as alice ingest churn 1 "$T_DIR/batch2.csv"
expect_error 3 ingest "batch2.csv holds the rows of ingest #$BATCH"
md_as alice --json ingest churn 1 "$T_DIR/batch2.csv" --replace
expect_exit 0
expect_json 'd["replaced_ingests"]' "[$BATCH]"
expect_sql "SELECT rows || ' ' || labeled FROM windows WHERE window = '2026-10-20'" "5000 5000"

# a few rows: each one counts. Three of four rows under the same name take their place with
# --replace; those rows relabeled under another name are refused
cp "$T_DIR/small4.csv" "$T_DIR/small.csv"
md_as alice ingest churn 1 "$T_DIR/small.csv"
expect_exit 0
cp "$T_DIR/small3.csv" "$T_DIR/small.csv"
md_as alice ingest churn 1 "$T_DIR/small.csv" --replace
expect_exit 0
expect_sql "SELECT rows FROM windows WHERE window = '2026-10-21'" 3
md_as alice ingest churn 1 "$T_DIR/small3x.csv"
expect_error 3 ingest "small3x.csv holds the rows of ingest #"

# rows with ids sampled before the kind of sample was kept were picked by their timestamp
# alone: such an ingest is one stored before rows were compared
sql "UPDATE ingests SET row_identity = NULL WHERE source = '$T_DIR/batch2.csv'"
sed -i '2s/,[abc]$/,z/' "$T_DIR/batch2.csv" # corrected: one row's channel
md_as alice ingest churn 1 "$T_DIR/batch2.csv" --replace
expect_error 3 ingest "has this file's name but was stored before rows were compared"

# a file of a name ingested without ids, delivered again with them: its rows cannot be compared,
# and --replace says so rather than keeping the earlier ingest beside it
sed 's/,[a-z]*$/,q/' "$T_DIR/east.csv" | sed '1s/,q$/,channel/' >"$T_DIR/mixed.csv"
md_as alice ingest churn 1 "$T_DIR/mixed.csv"
expect_exit 0
MIXED=$(sql "SELECT id FROM ingests WHERE source = '$T_DIR/mixed.csv'")
sed 's/^\([^,]*\),/\1,m,/' "$T_DIR/mixed.csv" | sed '1s/,m,/,customer_id,/' >"$T_DIR/ids.csv"
mv "$T_DIR/ids.csv" "$T_DIR/mixed.csv"
snapshot before
md_as alice ingest churn 1 "$T_DIR/mixed.csv" --replace
expect_error 3 ingest "ingest #$MIXED ($T_DIR/mixed.csv, 1500 rows) has this file's name but one of the two has an id column and the other not"
expect_unchanged before

# a label column under another case: the rows come in unlabeled, and the note names the column
sed '1s/,label,/,Label,/' "$T_DIR/east.csv" >"$T_DIR/cased.csv"
md_as alice ingest churn 1 "$T_DIR/cased.csv"
expect_exit 0
expect_stdout_contains "(0 labeled)"
expect_stdout_contains "no label column 'label' in this file (the baseline has labels)"
expect_stdout_contains "the file has 'Label' (names match exactly): --label-col Label"
