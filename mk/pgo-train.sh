#!/bin/sh
# The training run of the profile-guided release build (`make release`, Makefile):
#   sh mk/pgo-train.sh DIR
# DIR holds the instrumented binary (DIR/modeldeck) and the data generator (DIR/tools/gen_data).
# The run does what production does most: a baseline, then scoring logs into daily and hourly
# windows, then the numbers read back, over a synthetic marketing log of its own (seed, sizes and
# dates other than the bench's files, so the profile is not the measured run's). Each object's
# profile lands beside it (DIR/**/*.gcda).
set -eu
dir=$1
bin=$dir/modeldeck
gen=$dir/tools/gen_data
data=$dir/train
find "$dir" -name '*.gcda' -exec rm -f {} +
rm -rf "$data"
mkdir -p "$data"

"$gen" --baseline --rows 40000 --days 20 --start 2025-03-01 --seed 7 --out "$data/baseline.csv"
"$gen" --rows 300000 --days 3 --start 2025-04-01 --seed 8 --out "$data/log.csv"
"$gen" --rows 60000 --days 1 --start 2025-04-04 --seed 9 --out "$data/late.csv"

db=$data/train.db
md() { "$bin" --db "$db" "$@" >/dev/null; }
md init
md model add churn --use-case churn --owner pgo
md version add churn --artifact s3://pgo/1
md version add churn --artifact s3://pgo/2
md baseline churn 1 "$data/baseline.csv" --id-col customer_id
md baseline churn 2 "$data/baseline.csv" --id-col customer_id
md ingest churn 1 "$data/log.csv" --id-col customer_id
md ingest churn 1 "$data/late.csv" --id-col customer_id
md ingest churn 2 "$data/log.csv" --id-col customer_id --window hour
md drift churn 1 --json
md calibration churn 1 --json
md drift churn 2 --json
rm -rf "$data"
