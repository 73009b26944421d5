#!/usr/bin/env bash
# The CLI's tables on an 80-column terminal: every line fits, what was left out is named, and
# what is shown is the piped table's own cells. Piped, or on a terminal wide enough, a table is
# printed whole. The new categories that SCHEMA counts are named under the drift table.
. "$(dirname "$0")/lib.sh"

# in_pane WIDTH ARGS...: modeldeck ARGS run in a pane WIDTH columns wide; its output, with the
# lines the terminal wrapped joined again, in $T_DIR/pane
in_pane() {
    local width=$1 i
    shift
    WAIT_FIRST= start_console -s "${width}x200" -u olga -- "$@"
    for ((i = 0; i < 200; i++)); do
        [ -s "$T_DIR/exit" ] && break
        sleep 0.05
    done
    [ -s "$T_DIR/exit" ] || fail "modeldeck $* did not finish"
    [ "$(cat "$T_DIR/exit")" = 0 ] || fail "modeldeck $* exited $(cat "$T_DIR/exit")"
    tmux -L "$SOCK" capture-pane -p -J -S - -t md |
        awk '{ line[NR] = $0 } NF { last = NR } END { for (i = 1; i <= last; i++) print line[i] }' \
            >"$T_DIR/pane"
    stop_console
}

# widest LIMIT: every line of the pane within LIMIT characters
fits() {
    "$PY" - "$T_DIR/pane" "$1" <<'EOF' || fail "a line wider than $1 columns: $(cat "$T_DIR/pane")"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
sys.exit(0 if lines and max(len(l) for l in lines) <= int(sys.argv[2]) else 1)
EOF
}

# same_cells PIPED: each data row of the pane is the piped table's row without the columns the
# pane's last line names (cells are single words in these tables)
same_cells() {
    "$PY" - "$T_DIR/pane" "$1" <<'EOF' || fail "the fitted table's cells differ from the piped ones"
import sys
pane = open(sys.argv[1], encoding="utf-8").read().splitlines()
piped = open(sys.argv[2], encoding="utf-8").read().splitlines()
note = pane[-1]
assert note.startswith("not shown at 80 columns: ") and note.endswith(" (| less -S shows them)"), note
gone = note[len("not shown at 80 columns: "):-len(" (| less -S shows them)")].split(", ")
# the line over the table (the version and its windows), then the header's names, found at the
# header's column starts (two words in "KS P")
assert pane[0] == piped[0], (pane[0], piped[0])
pane, piped = pane[1:], piped[1:]
head = piped[0]
starts = [i for i in range(len(head)) if head[i] != " " and (i == 0 or head[i - 2:i] == "  ")]
names = [head[a:b].strip() for a, b in zip(starts, starts[1:] + [len(head)])]
keep = [i for i, n in enumerate(names) if n not in gone]
assert len(keep) == len(names) - len(gone), (names, gone)
assert len(pane) - 2 == len(piped) - 1, (len(pane), len(piped))
for fitted, whole in zip(pane[1:-1], piped[1:]):
    cells = whole.split()
    assert len(cells) == len(names), whole
    assert fitted.split() == [cells[i] for i in keep], (fitted, whole)
EOF
}

# drift: 12 columns piped; at 80 columns the counts that are all zero go first, then the
# missing rate, while window, feature, status, PSI and KS stay
# (over the table, the version read, the production one here, and its windows)
md drift churn >piped.txt || fail "drift churn"
head -n 1 piped.txt | grep -q "^churn v[0-9]* (production): [0-9]* day windows, 20[0-9-]* \.\. 20" ||
    fail "drift names no version: $(head -n 1 piped.txt)"
sed -n 2p piped.txt | grep -q "SCHEMA  VIOL$" || fail "piped drift lacks columns: $(sed -n 2p piped.txt)"
grep -q "not shown" piped.txt && fail "piped output was fitted"
in_pane 80 drift churn
fits 80
sed -n 2p "$T_DIR/pane" | grep -q "^WINDOW *FEATURE *STATUS *N *PSI *NULL99 *KS " ||
    fail "fitted drift header: $(sed -n 2p "$T_DIR/pane")"
tail -n 1 "$T_DIR/pane" | grep -q "^not shown at 80 columns: .*SCHEMA, VIOL" ||
    fail "fitted drift footnote: $(tail -n 1 "$T_DIR/pane")"
same_cells piped.txt

# a terminal wider than the table: the piped table itself
in_pane 200 drift churn
cmp -s "$T_DIR/pane" piped.txt || fail "at 200 columns the table was changed: $(diff piped.txt "$T_DIR/pane" | head)"

# the registry: names whole, long free text cut with an ellipsis, rarely read columns left out
md model list >piped.txt
in_pane 80 model list
fits 80
grep -q "^creative-classifier " "$T_DIR/pane" || fail "a model name was cut: $(cat "$T_DIR/pane")"
grep -q "…" "$T_DIR/pane" || fail "no cell was cut: $(cat "$T_DIR/pane")"
tail -n 1 "$T_DIR/pane" | grep -q "^not shown at 80 columns: .*FALLBACK" ||
    fail "model list footnote: $(tail -n 1 "$T_DIR/pane")"

# an artifact URI keeps both ends: the scheme and the file name tell versions apart
in_pane 80 version list churn
fits 80
grep -q "^v3 .* s3://.*….*\.pkl$" "$T_DIR/pane" || fail "artifact cut: $(cat "$T_DIR/pane")"

for cmd in "incidents list" "scorecard" "audit list --limit 20" "jobs list"; do
    # shellcheck disable=SC2086 # the words of the command
    in_pane 80 $cmd
    fits 80
done

# the incident queue: the kind goes before the title is cut (the title says it), and on a
# terminal narrower than the columns' minimums the titles and model names are cut further
# rather than every line wrapping
in_pane 80 incidents list
grep -q "Drift on [a-z_0-9]* v[0-9]" "$T_DIR/pane" || fail "titles cut at 80 columns: $(cat "$T_DIR/pane")"
tail -n 1 "$T_DIR/pane" | grep -q "^not shown at 80 columns: KIND" ||
    fail "incidents footnote: $(tail -n 1 "$T_DIR/pane")"
in_pane 60 incidents list
fits 60

# an incident's evidence: its reasons wrapped under WHY (read whole, never cut), its figures
# wrapped with an indent, every line within 80 columns
md --json incidents list --state all >inc.json || fail "incidents list --json"
ID=$(json_get '[i["id"] for i in d if i["kind"] == "data_quality"][0]' inc.json) ||
    fail "the demo has no data-quality incident"
md --json incidents show "$ID" >show.json || fail "incidents show --json"
in_pane 80 incidents show "$ID"
fits 80
"$PY" - "$T_DIR/pane" show.json <<'EOF' || fail "a reason is not whole under WHY: $(cat "$T_DIR/pane")"
import json, sys
pane = open(sys.argv[1], encoding="utf-8").read().splitlines()
reasons = [e["reason"] for e in json.load(open(sys.argv[2]))["evidence"]]
head = next(i for i, l in enumerate(pane) if l.startswith("WINDOW"))
col = pane[head].index("WHY")
text, rows = [], []
for l in pane[head + 1:]:
    if not l.strip() or l.startswith("figures:"):
        break
    if l[:col].strip():          # a new row
        rows.append([])
    rows[-1].append(l[col:].strip())
assert [" ".join(r) for r in rows] == reasons, ([" ".join(r) for r in rows], reasons)
assert any(len(r) > 1 for r in rows), "nothing wrapped at 80 columns"
EOF
grep -q "^  time to resolve  " "$T_DIR/pane" || fail "no time to resolve: $(cat "$T_DIR/pane")"

# a terminal too narrow for any table still gets one, and exit 0
in_pane 30 drift churn
grep -q "^WINDOW" "$T_DIR/pane" || fail "nothing printed at 30 columns"

# the new categories SCHEMA counts are named under the drift table (a schema incident points
# there), as --json has them
md --json drift creative-classifier >nc.json || fail "drift --json creative-classifier"
want=$(json_get '[("  %s %s: " % (r["window"], r["feature"])) + ", ".join(r["new_categories"]) for r in d["drift"] if r["new_categories"]][0]' nc.json) ||
    fail "the demo's creative-classifier has no new categories"
md drift creative-classifier >nc.txt || fail "drift creative-classifier"
grep -qx "new categories (never in the baseline):" nc.txt || fail "no new categories heading: $(tail -n 3 nc.txt)"
grep -qxF -- "$want" nc.txt || fail "the text should list '$want': $(tail -n 3 nc.txt)"
