#!/usr/bin/env bash
# Installs what Strata's build and tests need on Debian 12, then fetches DuckDB.
# Idempotent: a package already installed is not touched, so a second run takes
# a second or two. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  g++ make cmake ninja-build pkg-config git ca-certificates openssl
  clang-format clang-tidy
  # libraries linked into strata
  libyaml-cpp-dev nlohmann-json3-dev libfmt-dev libcli11-dev libedit-dev
  libsqlite3-dev libssl-dev libcurl4-openssl-dev libzstd-dev libexpat1-dev libxxhash-dev
  # database connectors: libpq (PostgreSQL licence), libmariadb (LGPL-2.1, linked dynamically)
  libpq-dev libmariadb-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-jinja2
  # servers the connector tests start in temp directories (not as services)
  postgresql mariadb-server
  libcpp-httplib-dev  # in-process HTTP server for the http connector tests (MIT)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# npm fetches DuckDB; any Node.js with npm will do, so Debian's is installed only
# when none is on the PATH.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/fetch_duckdb.sh >/dev/null
