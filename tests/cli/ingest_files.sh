# strata ingest with the files connector, end to end: CSV, NDJSON and XML
# streams declared in strata.yml land in bronze with lineage; bad rows land in
# the source's quarantine with file, line and raw text; a rerun ingests only
# new or changed files; full_refresh replaces.
source "$(dirname "$0")/lib.sh"

run "$STRATA" init p
expect_rc 0
mkdir -p p/data/in/events
printf 'id,name,amount\n1,anna,1.5\n2,bert,oops\n3,carl,3.5\n4,dora\n' >p/data/in/orders_1.csv
printf '{"id":1,"ctx":{"p":"web"}}\n{"id":2,\n{"id":3,"ctx":{"p":"app"}}\n' >p/data/in/events/day1.ndjson
cat >p/data/in/invoices.xml <<'XML'
<invoices>
  <invoice no="A1"><total>10.5</total><customer><name>Anna</name></customer></invoice>
  <invoice no="A2"><total>7</total><customer><name>Bert</name></customer></invoice>
</invoices>
XML
cat >>p/strata.yml <<'YAML'

sources:
  files_src:
    connector: files
    root: data/in
    streams:
      orders: {path: "orders_*.csv", sync: append, columns: {amount: DOUBLE}}
      events: {path: "events/*.ndjson", sync: append}
      invoices: {path: invoices.xml, record_path: /invoices/invoice, sync: full_refresh}
YAML

run "$STRATA" ingest --project p --check
expect_rc 0
run "$STRATA" ingest --project p
expect_rc 0
expect_out_contains "bronze.files_src_orders"

sql() { run "$STRATA" sql --project p --format csv "$1"; expect_rc 0; }
sql "select string_agg(id || ':' || _strata_row, ',' order by id) from bronze.files_src_orders"
expect_out_contains "1:2,3:4"
sql "select string_agg(id || ':' || ctx.p || ':' || _strata_row, ',' order by id) from bronze.files_src_events"
expect_out_contains "1:web:1,3:app:3"
sql "select string_agg(no || ':' || total || ':' || customer.name, ',' order by no) from bronze.files_src_invoices"
expect_out_contains "A1:10.5:Anna,A2:7:Bert"
# Bad rows: CSV lines 3 (amount) and 5 (too few columns), NDJSON line 2.
sql "select string_agg(file || '@' || line, ',' order by file, line) from bronze._quarantine_files_src"
expect_out_contains "events/day1.ndjson@2,orders_1.csv@3,orders_1.csv@5"
sql "select raw from bronze._quarantine_files_src where line = 3"
expect_out_contains "2,bert,oops"

# A rerun with nothing new adds nothing; a new file is picked up alone.
run "$STRATA" ingest --project p
expect_rc 0
sql "select count(*) from bronze.files_src_orders"
expect_out_contains "2"
printf 'id,name,amount\n5,emil,5.5\n' >p/data/in/orders_2.csv
run "$STRATA" ingest --project p files_src.orders
expect_rc 0
sql "select string_agg(id::varchar, ',' order by id) || '|' || count(distinct _strata_file) from bronze.files_src_orders"
expect_out_contains "1,3,5|2"
sql "select count(*) from bronze._quarantine_files_src"
expect_out_contains "3"
# full_refresh: the invoices table holds the file's records once, however often it runs.
run "$STRATA" ingest --project p files_src.invoices
expect_rc 0
sql "select count(*) from bronze.files_src_invoices"
expect_out_contains "2"
done_ok
