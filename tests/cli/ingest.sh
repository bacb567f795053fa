# strata ingest / strata runs end to end, with the test-only `counter` connector
# (strata_testing = the strata CLI plus that connector, built next to strata):
# summary and exit codes, bronze contents through `strata sql`, quarantine,
# a crash mid-load (the crash hook) and a SIGKILL mid-load followed by reruns,
# a configured password that appears in no output, log or run record, and help.
source "$(dirname "$0")/lib.sh"
T="$(dirname "$STRATA")/strata_testing"
[[ -x "$T" ]] || fail "missing $T (build the strata_testing target)"

run "$STRATA" init p
expect_rc 0
cat >>p/strata.yml <<'YAML'

sources:
  shop:
    connector: counter
    password: ${INGEST_SH_PASSWORD}
    max_bad_rows: 0.5
    streams:
      orders: {sync: incremental, cursor: id, rows: 300, batch_rows: 20, bad_every: 10}
      customers: {sync: full_refresh, rows: 40, batch_rows: 15}
YAML
export INGEST_SH_PASSWORD='s3cr3t-Pa55-ingest-sh'

# Usage errors exit 2; help documents the command.
run "$T" ingest --project p --no-such-flag
expect_rc 2
run "$STRATA" ingest --help
expect_rc 0
expect_out_contains "--full-refresh"
expect_out_contains "SOURCE or SOURCE.STREAM"
run "$STRATA" runs --help
expect_rc 0
expect_out_contains "--limit"

# The shipped binary has no `counter` connector: the stream fails, exit 1.
run "$STRATA" ingest --project p
expect_rc 1 "unknown connector"
expect_err_contains "no connector named 'counter'"

# --check reaches the source without writing anything.
run "$T" ingest --project p --check
expect_rc 0
expect_out_contains "checked"
[[ ! -d p/warehouse/bronze/shop_orders ]] || fail "--check wrote a table"

# A crash right after the 4th commit, then a SIGKILL mid-load, then a full run.
INGEST_CRASH=4
STRATA_TEST_CRASH_AFTER_BATCHES=$INGEST_CRASH "$T" ingest --project p >"$WORK/crash.out" 2>"$WORK/crash.err"
expect_eq "$?" "86" "the crash hook exits 86"
sed -i 's/batch_rows: 20, bad_every: 10}/batch_rows: 20, bad_every: 10, sleep_ms: 40}/' p/strata.yml
"$T" ingest --project p >"$WORK/kill.out" 2>"$WORK/kill.err" &
PID=$!
sleep 0.5
kill -9 "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
run "$T" ingest --project p
expect_rc 0
expect_out_contains "shop.orders"
expect_out_contains "bronze.shop_orders"
expect_out_contains "succeeded"
expect_out_contains "bad rows"

# Every source row exactly once: ids 0..299 less the 30 bad ones (id % 10 = 9).
run "$STRATA" sql --project p --format csv \
  "select count(*) || '/' || count(distinct id) || '/' || sum(id) from bronze.shop_orders"
expect_rc 0
expect_out_contains "270/270/$(( (299 * 300 / 2) - (9 + 299) * 30 / 2 ))"
run "$STRATA" sql --project p --format csv \
  "select count(*) from bronze.shop_orders where _strata_source <> 'shop' or _strata_batch_id is null"
expect_out_contains "0"
# Through the Delta log, not a glob of the folder: the SIGKILL may have left a
# half-written data file there that no commit names (VACUUM removes those).
run "$STRATA" sql --project p --format csv \
  "select count(*) || '/' || count(distinct line) from bronze._quarantine_shop"
expect_rc 0
expect_out_contains "30/30"
run "$STRATA" sql --project p --format csv "select count(*) from bronze.shop_customers"
expect_out_contains "40"

# A rerun finds nothing new; --full-refresh starts over and lands the same rows.
run "$T" ingest --project p shop.orders
expect_rc 0
run "$T" ingest --project p shop.orders --full-refresh
expect_rc 0
run "$STRATA" sql --project p --format csv "select count(distinct id) || '/' || count(*) from bronze.shop_orders"
expect_out_contains "270/270"

# Unknown selectors are usage-like failures that name what exists.
run "$T" ingest --project p nope
expect_rc 1
expect_err_contains "no source named 'nope'"

# max_bad_rows as a count: 30 bad rows > 5 fails the run, good rows stay.
sed -i 's/max_bad_rows: 0.5/max_bad_rows: 5/' p/strata.yml
run "$T" ingest --project p shop.orders --full-refresh
expect_rc 1
expect_err_contains "max_bad_rows"

# A source whose driver echoes the password: nothing shows it.
sed -i 's/    max_bad_rows: 5/    max_bad_rows: 5\n    fail_with_password: true/' p/strata.yml
run "$T" ingest --project p --log-level trace
expect_rc 1
expect_err_contains "counter://user:***@localhost"
expect_err_lacks "$INGEST_SH_PASSWORD"
[[ "$OUT" != *"$INGEST_SH_PASSWORD"* ]] || fail "stdout shows the password"
run "$T" ingest --project p --check
expect_rc 1
expect_err_lacks "$INGEST_SH_PASSWORD"

# strata runs: every run recorded, newest first, in each format.
run "$STRATA" runs --project p --format csv --limit 0
expect_rc 0
expect_out_contains "id,source,stream,started,ended,status,rows,bytes,bad_rows,error,state"
expect_out_contains "interrupted"
expect_out_contains "succeeded"
expect_out_contains "failed"
[[ "$OUT" != *"$INGEST_SH_PASSWORD"* ]] || fail "runs shows the password"
run "$STRATA" runs --project p --format json --limit 1
expect_rc 0
expect_out_contains '"status":"failed"'
run "$STRATA" runs --project p
expect_rc 0
expect_out_contains "shop"
CHECKS=$((CHECKS + 1))
if grep -a -q -- "$INGEST_SH_PASSWORD" p/.strata/metadata.db* ; then fail "the run store holds the password"; fi
CHECKS=$((CHECKS + 1))
if grep -r -a -q -- "$INGEST_SH_PASSWORD" p/warehouse p/.strata ; then fail "the password was written to disk"; fi
done_ok
