# Helpers for the end-to-end CLI tests. Each test script is run by CTest as
#   bash tests/cli/<name>.sh /path/to/strata
# and fails (exit 1) at the first broken expectation, saying which.
set -uo pipefail
STRATA="$1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
CHECKS=0

fail() { echo "FAIL: $*" >&2; exit 1; }

# run CMD...: runs a command, keeping stdout, stderr and the exit code in
# $OUT, $ERR and $RC.
run() {
  "$@" >"$WORK/.out" 2>"$WORK/.err"
  RC=$?
  OUT="$(cat "$WORK/.out")"
  ERR="$(cat "$WORK/.err")"
}

expect_rc() {
  CHECKS=$((CHECKS + 1))
  [[ "$RC" == "$1" ]] || fail "expected exit code $1, got $RC${2:+ ($2)}
stdout: $OUT
stderr: $ERR"
}
expect_out_contains() {
  CHECKS=$((CHECKS + 1))
  [[ "$OUT" == *"$1"* ]] || fail "stdout lacks '$1'
stdout: $OUT
stderr: $ERR"
}
expect_err_contains() {
  CHECKS=$((CHECKS + 1))
  [[ "$ERR" == *"$1"* ]] || fail "stderr lacks '$1'
stderr: $ERR"
}
expect_err_lacks() {
  CHECKS=$((CHECKS + 1))
  [[ "$ERR" != *"$1"* ]] || fail "stderr has '$1'
stderr: $ERR"
}
expect_eq() {
  CHECKS=$((CHECKS + 1))
  [[ "$1" == "$2" ]] || fail "expected '$2', got '$1'${3:+ ($3)}"
}
expect_file() {
  CHECKS=$((CHECKS + 1))
  [[ -e "$1" ]] || fail "missing file $1"
}
done_ok() { echo "$(basename "$0"): $CHECKS checks passed"; }
