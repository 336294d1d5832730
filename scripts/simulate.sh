#!/usr/bin/env bash
# Runs the lifecycle simulator (tests/simulation/tst_lifecycle) on many seeded
# histories, split over two processes, and prints histories, events,
# divergences and the seeds of any failing world (10 histories a world).
#
#   bash scripts/simulate.sh [--histories N] [--first-seed S] [--backend sqlite|postgres]
#
# Default: 10,000 histories on SQLite from seed 1000 (CI plays seeds 1 to 5).
# Replay a failing world: SIM_FIRST_SEED=<seed> SIM_HISTORIES=10 build/tests/tst_lifecycle
# Needs a build (bash scripts/test.sh makes one); PostgreSQL needs the suite's
# server running (BILLING_TEST_POSTGRES_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

histories=10000
first_seed=1000
backend=sqlite
while [[ $# -gt 0 ]]; do
    case "$1" in
        --histories) histories="$2"; shift 2 ;;
        --first-seed) first_seed="$2"; shift 2 ;;
        --backend) backend="$2"; shift 2 ;;
        *) echo "simulate: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
[[ -x build/tests/tst_lifecycle && -x build/app/agencyos-billing-server ]] ||
    { echo "simulate: build/tests/tst_lifecycle is missing: build first (bash scripts/test.sh)" >&2; exit 1; }
# Copies: a rebuild during a long run must not change what it runs.
binaries=$(mktemp -d)
cp build/tests/tst_lifecycle build/app/agencyos-billing-server "$binaries/"
export SIM_SERVER_BINARY="$binaries/agencyos-billing-server"
binary="$binaries/tst_lifecycle"

worlds=$(( (histories + 9) / 10 ))
half=$(( (worlds + 1) / 2 ))
logs=$(mktemp -d)
started=$(date +%s)
run_part() { # first seed, worlds, log
    # QtTest stops a test function after 5 minutes unless told otherwise.
    SIM_FIRST_SEED="$1" SIM_HISTORIES=$(( $2 * 10 )) BILLING_TEST_BACKEND="$backend" \
        QTEST_FUNCTION_TIMEOUT=$(( 48 * 3600 * 1000 )) QT_QPA_PLATFORM=offscreen "$binary" > "$3" 2>&1 || true
}
run_part "$first_seed" "$half" "$logs/a.log" &
if (( worlds > half )); then
    run_part $(( first_seed + half )) $(( worlds - half )) "$logs/b.log" &
fi
wait

summaries=$(grep -h "lifecycle: " "$logs"/*.log | sed 's/.*lifecycle: //' || true)
if [[ -z "$summaries" ]]; then
    echo "simulate: no summary line; the logs are in $logs" >&2
    exit 1
fi
sum() { echo "$summaries" | grep -o "[0-9]* $1" | awk '{ s += $1 } END { print s + 0 }'; }
seeds=$(echo "$summaries" | sed 's/.*failing seeds: //' | grep -v '^none$' | tr '\n' ' ' || true)
echo "simulate: $(sum histories) histories ($backend, seeds $first_seed to $(( first_seed + worlds - 1 ))), $(sum events) events, $(sum divergences) divergences, $(sum 'failed worlds') failed worlds in $(( $(date +%s) - started )) s"
if [[ -n "${seeds// /}" ]]; then
    echo "simulate: failing seeds: $seeds(logs in $logs)"
    rm -rf "$binaries"
    exit 1
fi
rm -rf "$logs" "$binaries"
