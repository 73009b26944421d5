# Promise: `version add` rejects bad input before it touches the store -- an unknown model is
# "not found" (exit 4); malformed or non-object --params/--metrics, a bad --sha256, a --threshold
# outside [0, 1] or not a number, and a missing --artifact are usage errors (exit 2) that name
# the offending flag -- and a rejected call adds no version and no audit row, and the audit
# chain still verifies.
. "$(dirname "$0")/lib.sh"

new_churn_store alice

GOOD_SHA=$(printf 'model bytes' | sha256sum | cut -d' ' -f1)

# rejected EXIT FRAGMENT ARGS...: `version add ARGS` (as alice, the admin) exits EXIT with
# FRAGMENT on stderr, prints nothing on stdout, and leaves versions, audit and everything else as
# they were.
rejected() {
    local want=$1 fragment=$2
    shift 2
    local versions audit
    versions=$(sql "select count(*) from versions")
    audit=$(sql "select count(*) from audit")
    snapshot
    md_as alice version add "$@"
    expect_error "$want" "version add" "$fragment"
    expect_stdout_empty
    expect_sql "select count(*) from versions" "$versions"
    expect_sql "select count(*) from audit" "$audit"
    expect_unchanged
}

# (a) an unknown model
rejected 4 "no model 'nosuch'" nosuch --artifact s3://models/x/1
rejected 4 "no model 'Churn'" Churn --artifact s3://models/x/1 # names are exact

# (b) malformed --params / --metrics
rejected 2 "--params" churn --artifact s3://a --params '{"depth": 6'
rejected 2 "--params" churn --artifact s3://a --params '{depth: 6}'
rejected 2 "--params" churn --artifact s3://a --params ''
rejected 2 "--params" churn --artifact s3://a --params '{"depth": 6, "depth": 7}' # duplicate key
rejected 2 "--metrics" churn --artifact s3://a --metrics '{"auc": }'

# (c) valid JSON that is not an object
rejected 2 "--params" churn --artifact s3://a --params '[1, 2]'
rejected 2 "--params" churn --artifact s3://a --params '42'
rejected 2 "--params" churn --artifact s3://a --params '"depth"'
rejected 2 "--params" churn --artifact s3://a --params 'null'
rejected 2 "--metrics" churn --artifact s3://a --metrics '[0.9]'

# (d) --sha256: non-hex, too short, too long
rejected 2 "--sha256" churn --artifact s3://a --sha256 "$(printf 'g%.0s' $(seq 64))"
rejected 2 "--sha256" churn --artifact s3://a --sha256 "${GOOD_SHA:0:63}"
rejected 2 "--sha256" churn --artifact s3://a --sha256 "${GOOD_SHA}0"
rejected 2 "--sha256" churn --artifact s3://a --sha256 "${GOOD_SHA:0:62} z"
rejected 2 "--sha256" churn --artifact s3://a --sha256 ""
rejected 2 "--data-sha256" churn --artifact s3://a --data-sha256 nothex

# (e) --threshold outside [0, 1] or not a number
rejected 2 "--threshold" churn --artifact s3://a --threshold 1.5
rejected 2 "--threshold" churn --artifact s3://a --threshold -0.1
rejected 2 "--threshold" churn --artifact s3://a --threshold abc
rejected 2 "--threshold" churn --artifact s3://a --threshold=-0.1
rejected 2 "--threshold" churn --artifact s3://a --threshold nan
rejected 2 "--threshold" churn --artifact s3://a --threshold inf
rejected 2 "--threshold" churn --artifact s3://a --threshold 0.5x
rejected 2 "--threshold" churn --artifact s3://a --threshold ""

# (f) --artifact missing or blank
rejected 2 "--artifact" churn
rejected 2 "--artifact" churn --sha256 "$GOOD_SHA" --threshold 0.5
rejected 2 "--artifact" churn --artifact "   "
rejected 2 "--artifact needs a value" churn --artifact

# other malformed input
rejected 2 "--data-from" churn --artifact s3://a --data-from yesterday
rejected 2 "--data-from is after --data-to" churn --artifact s3://a --data-from 2024-02-01 --data-to 2024-01-01
rejected 2 "unknown option '--artefact'" churn --artefact s3://a
rejected 2 "missing argument" --artifact s3://a

# Bad input is rejected even when the model is unknown too: input errors come first.
rejected 2 "--params" nosuch --artifact s3://a --params '[1]'

expect_verified
expect_stdout_contains "3 rows" # init, model add, version add

# The edges of the accepted range, and a valid digest in upper case, are accepted; the digest is
# stored in lower case and JSON is stored canonically (keys sorted, compact).
md_as alice version add churn --artifact s3://models/churn/2 --threshold 0 \
    --sha256 "$(printf '%s' "$GOOD_SHA" | tr a-f A-F)" --params '{"b": 2, "a": {"y": 1, "x": 0}}'
expect_exit 0
expect_stdout_contains "churn v2 registered as candidate"
md_as alice version add churn --artifact s3://models/churn/3 --threshold 1
expect_exit 0
expect_sql "select number, threshold from versions order by number" "1|
2|0.0
3|1.0"
expect_sql "select artifact_sha256 from versions where number = 2" "$GOOD_SHA"
expect_sql "select params from versions where number = 2" '{"a":{"x":0,"y":1},"b":2}'
expect_sql "select count(*) from audit" 5
expect_verified
