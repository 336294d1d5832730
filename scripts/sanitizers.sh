#!/usr/bin/env bash
# The whole test suite built with AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), run by ctest. Every process the tests start — the
# service, the CLI, the emulator, the dashboard — runs instrumented and writes
# any report to a log file; the run fails when a test fails or when any
# process left a report, also one whose exit code no test looks at.
#
#   BILLING_SANITIZER_BUILD_DIR   build directory (default: build-asan)
#   extra arguments               passed to ctest (e.g. -R tst_eventprocessor)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BILLING_SANITIZER_BUILD_DIR:-$root/build-asan}

# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

bash "$root/scripts/install-deps.sh"
configure_build "$build_dir" -DBILLING_SANITIZERS=ON
# Shares the build lock with the other scripts: two builds at once on two cores only thrash.
flock /tmp/agencyos-build.lock cmake --build "$build_dir" --parallel 2

reports=$build_dir/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
# Only third-party leaks are suppressed (tests/sanitizers/lsan.supp says which and why).
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1:check_initialization_order=1:log_path=$reports/asan:log_exe_name=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan:log_exe_name=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"

# The lifecycle simulator plays 20 histories a backend here (50 / 20 in the plain run).
export SIM_HISTORIES="${SIM_HISTORIES:-20}"

status=0
ctest --test-dir "$build_dir" --output-on-failure --parallel 2 "$@" || status=$?

if compgen -G "$reports/*" >/dev/null; then
    echo "sanitizers: reports were written:" >&2
    for report in "$reports"/*; do
        echo "=== $report" >&2
        cat "$report" >&2
    done
    status=1
fi
if [ "$status" -eq 0 ]; then
    echo "sanitizers: every test passed with ASan + UBSan + LSan and no process reported anything"
fi
exit "$status"
