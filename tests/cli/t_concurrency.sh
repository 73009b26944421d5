# Promise: several writers on one store at once just wait their turn. Two shell loops each run
# 1000 `version add` against the same store at the same time: every invocation exits 0, nobody
# sees "locked" or "busy" (or any stderr at all), the versions are numbered 1..2000 with no gap
# or duplicate, each invocation's reported number is the one stored for its artifact, and the
# audit chain verifies with one row per version.
. "$(dirname "$0")/lib.sh"

N=${CLI_CONCURRENCY_N:-1000} # per loop; lower it to iterate quickly on this test

new_store alice
md_as alice model add churn --use-case "churn risk" --owner crm
expect_exit 0
audit_before=$(sql "select count(*) from audit")

# loop TAG: N sequential `version add` with artifacts s3://TAG/1..N. Appends "i exit-code" to
# rc.TAG, the CLI's stdout to out.TAG and all stderr to err.TAG.
loop() {
    local tag=$1 i
    for ((i = 1; i <= N; i++)); do
        MODELDECK_USER=alice "$MODELDECK_BIN" --db "$DB" version add churn --artifact "s3://$tag/$i" \
            >>"$T_DIR/out.$tag" 2>>"$T_DIR/err.$tag"
        echo "$i $?" >>"$T_DIR/rc.$tag"
    done
}
: >"$T_DIR/err.a"
: >"$T_DIR/err.b"
loop a &
pid_a=$!
loop b &
pid_b=$!
wait "$pid_a"
wait "$pid_b"

LAST_CMD="two concurrent loops of $N x 'modeldeck version add churn --artifact s3://{a,b}/\$i'"
RC="(see below)"
cat "$T_DIR/err.a" "$T_DIR/err.b" >"$ERR"
: >"$OUT"
if grep -qiE 'locked|busy' "$ERR"; then
    fail "stderr mentions locked or busy"
fi
expect_stderr_empty
for tag in a b; do
    expect_eq "invocations in loop $tag" "$(wc -l <"$T_DIR/rc.$tag" | tr -d ' ')" "$N"
    bad=$(awk '$2 != 0' "$T_DIR/rc.$tag" | head -n 5)
    [ -z "$bad" ] || fail "loop $tag: invocations that did not exit 0 (i, exit code): $bad"
done

total=$((2 * N))
expect_sql "select count(*), min(number), max(number), count(distinct number) from versions" \
    "$total|1|$total|$total"
expect_sql "select count(distinct artifact_uri) from versions" "$total"
expect_sql "select count(*) from versions where status <> 'candidate' or created_by <> 'alice'" 0
expect_sql "select count(*) from stage_history" "$total"
expect_sql "select count(*) from audit" "$((audit_before + total))"
expect_sql "select count(*) from audit where action = 'version.add'" "$total"

# What each invocation said it registered is what the store holds; each loop's numbers rise with
# its own iterations; and the two loops really did interleave.
sqlite3 -separator ' ' "$DB" "select artifact_uri, number from versions order by number" >"$T_DIR/stored.txt"
run_cmd "$PY" - "$T_DIR" "$N" <<'PYEOF'
import re, sys
d, n = sys.argv[1], int(sys.argv[2])
stored = {}
order = []
for line in open(d + "/stored.txt"):
    uri, num = line.split()
    stored[uri] = int(num)
    order.append(uri.split("/")[2])
for tag in "ab":
    said = [l.strip() for l in open("%s/out.%s" % (d, tag))]
    assert len(said) == n, "loop %s printed %d lines, expected %d" % (tag, len(said), n)
    prev = 0
    for i, line in enumerate(said, 1):
        m = re.fullmatch(r"churn v(\d+) registered as candidate", line)
        assert m, "loop %s, iteration %d printed %r" % (tag, i, line)
        num = int(m.group(1))
        uri = "s3://%s/%d" % (tag, i)
        assert stored.get(uri) == num, "%s: reported v%d, stored v%s" % (uri, num, stored.get(uri))
        assert num > prev, "loop %s: v%d registered after v%d" % (tag, num, prev)
        prev = num
switches = sum(1 for x, y in zip(order, order[1:]) if x != y)
assert switches >= 10, "the loops barely overlapped (%d switches)" % switches
print("ok, %d switches between the loops" % switches)
PYEOF
expect_exit 0

md --json audit verify
expect_exit 0
expect_json 'd["ok"]' true
expect_json 'd["rows"]' "$((audit_before + total))"
expect_verified
