# strata ingest of ISO-8601 date and timestamp strings in NDJSON, end to end
# through the bronze writer: typed columns (nested too), the type kept by the
# next run's file although that file alone would read as strings, and the
# value that does not parse quarantined with file, line, raw text and reason.
source "$(dirname "$0")/lib.sh"

run "$STRATA" init p
expect_rc 0
mkdir -p p/data/ev
printf '%s\n' '{"id":1,"at":"2024-01-01T10:00:00+02:00","day":"2024-01-05","ctx":{"seen":"2024-01-01 08:00:00"}}' \
  >p/data/ev/1.ndjson
cat >>p/strata.yml <<'YAML'

sources:
  js:
    connector: files
    root: data
    streams:
      events: {path: "ev/*.ndjson", sync: append}
YAML

run "$STRATA" ingest --project p
expect_rc 0
sql() { run "$STRATA" sql --project p --format csv "$1"; expect_rc 0; }
# 10:00+02:00 is 08:00 UTC: 1704067200 (2024-01-01T00:00Z) + 8 * 3600.
sql 'select typeof("at") || '"'|'"' || typeof("day") || '"'|'"' || typeof(ctx) || '"'|'"' || epoch("at")::bigint from bronze.js_events'
expect_out_contains "TIMESTAMP WITH TIME ZONE|DATE|STRUCT(seen TIMESTAMP)|1704096000"

# The next run's file has a value that is not a timestamp.
printf '%s\n' '{"id":2,"at":"soon","day":"2024-01-06","ctx":{"seen":"2024-01-02 08:00:00"}}' \
  '{"id":3,"at":"2024-01-03T00:00:00Z","day":"2024-01-07","ctx":{"seen":"2024-01-03 08:00:00"}}' \
  >p/data/ev/2.ndjson
run "$STRATA" ingest --project p
expect_rc 0
sql 'select string_agg(id::varchar, '"','"' order by id) || '"'|'"' || min(typeof("at")) from bronze.js_events'
expect_out_contains "1,3|TIMESTAMP WITH TIME ZONE"
sql 'select file || '"'@'"' || line || '"' '"' || raw from bronze._quarantine_js'
expect_out_contains 'ev/2.ndjson@1 {""id"":2,""at"":""soon""'
sql 'select reason from bronze._quarantine_js'
expect_out_contains "field 'at' is TIMESTAMP WITH TIME ZONE in this stream"
done_ok
