#!/usr/bin/env bash
# The reference suite (docs/METRICS.md): hand-computed checks of the reference itself, then every
# generated case against the engine, then the false-alert rate of the drift rule.
#   MODELDECK_BIN=/abs/path/to/modeldeck sh tests/reference/run.sh [run.py options]
# Exits non-zero when any part fails; runs every part even after a failure.
if [ -z "${BASH_VERSION:-}" ]; then
    exec bash "$0" "$@"
fi
set -u
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
export MODELDECK_BIN="${MODELDECK_BIN:-$here/../../build/modeldeck}"
for mod in numpy scipy sklearn; do
    "$py" -c "import $mod" 2>/dev/null || {
        echo "tests/reference: $py lacks $mod (apt-get install python3-numpy python3-scipy python3-sklearn)" >&2
        exit 2
    }
done
rc=0
"$py" "$here/selftest.py" || rc=1
"$py" "$here/run.py" "$@" || rc=1
"$py" "$here/test_null_rate.py" || rc=1
exit $rc
