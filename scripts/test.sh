#!/usr/bin/env bash
# The README's test command: installs missing dependencies, configures, builds
# and runs every test (PostgreSQL tests included, on a private server the suite
# starts and stops). Exits non-zero when anything fails.
#
#   BILLING_BUILD_DIR   build directory (default: build)
#   CI=true             warnings are errors
#   extra arguments     passed to ctest (e.g. -L unit, -R tst_migrator)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BILLING_BUILD_DIR:-$root/build}

# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

bash "$root/scripts/install-deps.sh"
configure_build "$build_dir"
cmake --build "$build_dir" --parallel 2

ctest --test-dir "$build_dir" --output-on-failure --parallel 2 "$@"
