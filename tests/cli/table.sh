# strata table: list, describe, history, optimize, restore, vacuum on a warehouse table, and the
# usage and failure exit codes. The main table is written by hand here (a Delta log of JSON
# commits over Parquet files that `strata sql --output` makes), so most of the test does not
# depend on Strata's writer; a last part runs on a table made with `strata sql` DDL (skipped,
# with a message, when the SQL front door cannot create warehouse tables).
source "$(dirname "$0")/lib.sh"

run "$STRATA" init p
expect_rc 0
T="$WORK/p/warehouse/bronze/t"
mkdir -p "$T/_delta_log"

commit() {  # commit VERSION LINE...: writes _delta_log/<VERSION>.json
  local version="$1"
  shift
  printf '%s\n' "$@" >"$T/_delta_log/$(printf '%020d' "$version").json"
}
SCHEMA='{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},{\"name\":\"p\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}'
commit 0 '{"commitInfo":{"timestamp":1700000000000,"operation":"CREATE TABLE","operationParameters":{},"engineInfo":"table.sh"}}' \
  '{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}' \
  "{\"metaData\":{\"id\":\"3f0c5b8e-0000-4000-8000-000000000001\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":\"$SCHEMA\",\"partitionColumns\":[\"p\"],\"configuration\":{\"strata.layer\":\"bronze\"},\"createdTime\":1700000000000}}"

# Versions 1-3 each add one file to partition p=a and one to p=b (20 rows per file).
for v in 1 2 3; do
  adds=()
  for part in a b; do
    rel="p=$part/part-$v-$part.parquet"
    mkdir -p "$T/p=$part"
    run "$STRATA" sql --output "$T/$rel" \
      "select (range + $v * 100)::bigint as id, 'n' || range as name from range(20)"
    expect_rc 0
    size=$(stat -c %s "$T/$rel")
    adds+=("{\"add\":{\"path\":\"$rel\",\"partitionValues\":{\"p\":\"$part\"},\"size\":$size,\"modificationTime\":1700000000000,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":20}\"}}")
  done
  commit "$v" "{\"commitInfo\":{\"timestamp\":1700000000000,\"operation\":\"WRITE\",\"operationParameters\":{\"mode\":\"Append\"},\"userName\":\"alice\"}}" "${adds[@]}"
done

run "$STRATA" table list --project p --format csv
expect_rc 0
expect_out_contains "schema,table,layer,version,files,size,rows,last_modified"
expect_out_contains "bronze,t,bronze,3,6,"
expect_out_contains ",120,"

run "$STRATA" table describe --project p bronze.t
expect_rc 0
expect_out_contains "# Detailed Table Information"
expect_out_contains "partition column"
expect_out_contains "strata.layer"

run "$STRATA" table history --project p bronze.t --format csv
expect_rc 0
expect_eq "$(echo "$OUT" | tail -n +2 | cut -d, -f1 | tr '\n' ' ')" "3 2 1 0 "
expect_out_contains "alice"
run "$STRATA" table history --project p BRONZE.T --limit 1 --format json
expect_rc 0
expect_eq "$(echo "$OUT" | wc -l | tr -d ' ')" "1"
expect_out_contains '"version":3'

# OPTIMIZE compacts each partition's three files into one.
run "$STRATA" table optimize --project p bronze.t --format csv
expect_rc 0
expect_out_contains $'version,files_removed,files_added'
expect_out_contains "4,6,2,"
run "$STRATA" table optimize --project p bronze.t
expect_rc 0
expect_err_contains "Nothing to optimize"
run "$STRATA" table optimize --project p bronze.t --where "id > 3"
expect_rc 1
expect_err_contains "partition columns only"
run "$STRATA" table optimize --project p bronze.t --zorder-by p,id
expect_rc 1
expect_err_contains "partition column"

run "$STRATA" table list --project p --format json
expect_rc 0
expect_out_contains '"version":4,"files":2'
expect_out_contains '"rows":120'

# RESTORE to version 2: its four files come back, the compacted ones go.
run "$STRATA" table restore --project p bronze.t --version 2 --format csv
expect_rc 0
expect_out_contains $'version,restored_version'
expect_out_contains "5,2,"
run "$STRATA" table history --project p bronze.t --limit 2 --format csv
expect_out_contains "RESTORE"
expect_out_contains "OPTIMIZE"
run "$STRATA" table list --project p --format csv
expect_out_contains "bronze,t,bronze,5,4,"
expect_out_contains ",80,"

# VACUUM: nothing is old enough with the default 7 days; a zero retention needs the override.
run "$STRATA" table vacuum --project p bronze.t --dry-run
expect_rc 0
expect_err_contains "would delete 0 files"
run "$STRATA" table vacuum --project p bronze.t --retain-hours 0
expect_rc 1
expect_err_contains "retention"
run "$STRATA" table vacuum --project p bronze.t --retain-hours 0 --allow-short-retention --dry-run --format csv
expect_rc 0
expect_out_contains "p=a/part-3-a.parquet"
expect_eq "$(echo "$OUT" | tail -n +2 | wc -l | tr -d ' ')" "4"  # v3's two files, two compacted
expect_file "$T/p=a/part-3-a.parquet"
run "$STRATA" table vacuum --project p bronze.t --retain-hours 0 --allow-short-retention
expect_rc 0
expect_err_contains "Deleted 4 files"
[[ ! -e "$T/p=a/part-3-a.parquet" ]] || fail "vacuum left p=a/part-3-a.parquet"
expect_file "$T/p=a/part-1-a.parquet"
run "$STRATA" table history --project p bronze.t --limit 2 --format csv
expect_out_contains "VACUUM END"
expect_out_contains "VACUUM START"

# Version 4's compacted files are gone now: restoring it fails and commits nothing.
run "$STRATA" table restore --project p bronze.t --version 4
expect_rc 1
expect_err_contains "VACUUM"
run "$STRATA" table restore --project p bronze.t --timestamp "2001-01-01 00:00:00"
expect_rc 1
expect_err_contains "before the earliest"

# Usage errors exit 2; a missing table exits 1.
run "$STRATA" table restore --project p bronze.t
expect_rc 2
run "$STRATA" table restore --project p bronze.t --version 1 --timestamp 1700000000000
expect_rc 2
run "$STRATA" table history --project p t
expect_rc 2
expect_err_contains "SCHEMA.TABLE"
run "$STRATA" table history --project p bronze.nope
expect_rc 1
expect_err_contains "does not exist"
run "$STRATA" table
expect_rc 2

# Tables made through SQL DDL, once `strata sql` writes warehouse tables.
run "$STRATA" sql --project p "create table silver.s (a int)"
if [[ "$RC" == 0 ]]; then
  run "$STRATA" table describe --project p silver.s --format csv
  expect_rc 0
  expect_out_contains "a,integer"
  for i in 1 2 3 4; do
    run "$STRATA" sql --project p "insert into silver.s select range * $i from range(10)"
    expect_rc 0
  done
  run "$STRATA" sql --project p --format csv "select count(*) as n, sum(a) as s from silver.s"
  before="$OUT"
  run "$STRATA" table optimize --project p silver.s --zorder-by a --format csv
  expect_rc 0
  expect_out_contains "5,4,1,"
  run "$STRATA" sql --project p --format csv "select count(*) as n, sum(a) as s from silver.s"
  expect_eq "$OUT" "$before" "rows after OPTIMIZE"
  expect_eq "$before" $'n,s\n40,450'
  run "$STRATA" sql --project p --format csv "select count(*) as n from silver.s at (version => 1)"
  expect_eq "$OUT" $'n\n10'
  run "$STRATA" table restore --project p silver.s --version 1
  expect_rc 0
  run "$STRATA" sql --project p --format csv "select count(*) as n, sum(a) as s from silver.s"
  expect_eq "$OUT" $'n,s\n10,45'
else
  echo "SKIP: strata sql cannot create warehouse tables yet ($ERR); DDL part not run" >&2
fi
done_ok
