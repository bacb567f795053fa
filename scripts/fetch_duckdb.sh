#!/usr/bin/env bash
# Fetches DuckDB 1.4.4 (the LTS line) from the npm registry, checks the tarballs
# against pinned sha512 integrity values, and unpacks libduckdb.so and duckdb.h
# into a cache outside git. A second run with the cache present does nothing.
#
#   scripts/fetch_duckdb.sh [CACHE_DIR]     prints the directory holding
#                                           libduckdb.so and duckdb.h
set -euo pipefail

readonly LIB_PKG="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
readonly LIB_SHA512="sha512-jBTL/WvfwxLToFa/pVHfT6elMtltJGnc3wSuxZD9OfMltit9YUdVFS37vBFQzXMT1Z8OWjtSjMh+zPKxOwHLHA=="
readonly HDR_PKG="duckdb@1.4.4"
readonly HDR_SHA512="sha512-hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog=="

cache="${1:-${STRATA_DEPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/strata}}"
dest="$cache/duckdb-1.4.4-r.4"
if [[ -f "$dest/libduckdb.so" && -f "$dest/duckdb.h" && -f "$dest/.verified" ]]; then
  echo "$dest"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

integrity_of() {  # npm's integrity string of a file: sha512-<base64>
  printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
}

fetch() {  # fetch PKG EXPECTED_INTEGRITY -> path of the verified tarball
  local pkg="$1" expected="$2" tarball actual
  tarball="$(cd "$work" && npm pack --silent "$pkg" 2>/dev/null | tail -n 1)"
  if [[ -z "$tarball" || ! -f "$work/$tarball" ]]; then
    echo "fetch_duckdb: 'npm pack $pkg' failed; is the npm registry reachable?" >&2
    exit 1
  fi
  actual="$(integrity_of "$work/$tarball")"
  if [[ "$actual" != "$expected" ]]; then
    echo "fetch_duckdb: integrity mismatch for $pkg" >&2
    echo "  expected $expected" >&2
    echo "  got      $actual" >&2
    exit 1
  fi
  echo "$work/$tarball"
}

echo "fetch_duckdb: downloading $LIB_PKG and $HDR_PKG (once; cached in $dest)" >&2
lib_tgz="$(fetch "$LIB_PKG" "$LIB_SHA512")"
hdr_tgz="$(fetch "$HDR_PKG" "$HDR_SHA512")"

mkdir -p "$work/lib" "$work/hdr"
tar -xzf "$lib_tgz" -C "$work/lib" package/libduckdb.so
tar -xzf "$hdr_tgz" -C "$work/hdr" package/src/duckdb/src/include/duckdb.h

mkdir -p "$dest"
install -m 0755 "$work/lib/package/libduckdb.so" "$dest/libduckdb.so"
install -m 0644 "$work/hdr/package/src/duckdb/src/include/duckdb.h" "$dest/duckdb.h"
printf '%s %s\n%s %s\n' "$LIB_PKG" "$LIB_SHA512" "$HDR_PKG" "$HDR_SHA512" > "$dest/.verified"
echo "$dest"
