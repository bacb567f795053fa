#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root) to a result:
#   ./build.sh demo    install what is missing, build, run `strata demo`
#   ./build.sh test    install what is missing, build, run the whole test suite
# Any other argument is passed to make (build, asan, bench, fuzz, ...).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec make "${@:-build}"
