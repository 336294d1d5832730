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

bash "$root/scripts/install-deps.sh"

werror=OFF
[ "${CI:-}" = true ] && werror=ON
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

cmake -S "$root" -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBILLING_WARNINGS_AS_ERRORS=$werror \
    "${launcher[@]}"
cmake --build "$build_dir" --parallel 2

ctest --test-dir "$build_dir" --output-on-failure --parallel 2 "$@"
