#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang in build-fuzz and runs
# each for a while on a copy of its seed corpus (tests/fuzz/corpus/<target>;
# the committed corpus never grows). Prints runs, exec/s and coverage per
# target; exits non-zero when any target crashes, leaks, times out or runs
# out of memory, naming the input that did it.
#
#   --seconds N          time per target (default: $FUZZ_SECONDS, else 300)
#   --target NAME        run only this target (repeatable)
#   --no-build           use the fuzzers already built in the build directory
#   BILLING_FUZZ_BUILD_DIR  build directory (default: build-fuzz)
#   CI=true              warnings are errors
#
# A failing input is kept in <build dir>/fuzz-artifacts/<target>/; replay it with
#   <build dir>/tests/fuzz/<target> <file>
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BILLING_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-300}
build=true
selected=()

while [ $# -gt 0 ]; do
    case $1 in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --target) selected+=("${2:?--target needs a name}"); shift 2 ;;
    --target=*) selected+=("${1#*=}"); shift ;;
    --no-build) build=false; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: --seconds wants a positive number, not '$seconds'" >&2; exit 2; }

# The targets and the longest input each is given: a little over the longest
# input its code accepts, so the limits themselves are exercised.
declare -A max_len=(
    [fuzz_signature_header]=5000 # header ≤ 4096 bytes, then a body
    [fuzz_stripe_event]=16384    # a batch of a few ~2-3 KB events
    [fuzz_form_params]=4096
    [fuzz_license_key]=2304 # keys ≤ 2048 characters
)
targets=(fuzz_signature_header fuzz_stripe_event fuzz_form_params fuzz_license_key)
if [ ${#selected[@]} -gt 0 ]; then
    for target in "${selected[@]}"; do
        [ -n "${max_len[$target]:-}" ] || { echo "fuzz: no target $target (${targets[*]})" >&2; exit 2; }
    done
    targets=("${selected[@]}")
fi

if $build; then
    # shellcheck source=lib.sh
    source "$root/scripts/lib.sh"
    bash "$root/scripts/install-deps.sh"
    cxx=$(command -v clang++-14 || command -v clang++ || true)
    [ -n "$cxx" ] || { echo "fuzz: clang++ is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }
    configure_build "$build_dir" -DCMAKE_CXX_COMPILER="$cxx" -DBILLING_FUZZERS=ON
    cmake --build "$build_dir" --parallel 2
fi

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$build_dir/fuzz-work
rm -rf "$work"
failed=()
for target in "${targets[@]}"; do
    binary=$build_dir/tests/fuzz/$target
    [ -x "$binary" ] || { echo "fuzz: $binary is not built" >&2; exit 1; }
    corpus=$work/$target/corpus
    artifacts=$build_dir/fuzz-artifacts/$target
    log=$work/$target/fuzz.log
    mkdir -p "$corpus" "$artifacts"
    cp "$root/tests/fuzz/corpus/$target/"* "$corpus/"
    options=(-max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$artifacts/")
    [ -f "$root/tests/fuzz/$target.dict" ] && options+=(-dict="$root/tests/fuzz/$target.dict")

    echo "fuzz: $target for ${seconds} s (-max_len=${max_len[$target]})"
    status=0
    "$binary" "${options[@]}" "$corpus" >"$log" 2>&1 || status=$?

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
    units=$(find "$corpus" -type f | wc -l)
    if [ $status -eq 0 ]; then
        echo "fuzz: $target ok: ${runs:-?} runs, ${speed:-?} exec/s, ${coverage:-cov: ?} (edges, features), $units inputs in the corpus"
    else
        failed+=("$target")
        echo "fuzz: $target FAILED (exit $status) after ${runs:-?} runs, ${speed:-?} exec/s, ${coverage:-cov: ?}" >&2
        grep -E '^(==[0-9]+==ERROR|==FUZZ_CHECK failed==|SUMMARY:|.*runtime error:)|ERROR: libFuzzer' "$log" | head -5 >&2 || true
        grep -E 'Test unit written to' "$log" | sed 's/^/fuzz:   /' >&2 || true
        input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        [ -z "$input" ] || echo "fuzz:   replay: $binary $input" >&2
        echo "fuzz:   full log: $log" >&2
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds} s each without a failure"
