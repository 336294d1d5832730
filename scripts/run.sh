#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, migrates the
# database, starts the service and opens the dashboard.
#
# With Stripe keys configured (environment or ./.env) it runs against Stripe.
# Without them it runs in offline demo mode on its own data directory, with
# obviously fake test-mode settings that point at the project's Stripe
# emulator address (127.0.0.1:12111).
#
# Arguments are passed to the service's commands: run.sh --env-file /path/billing.env
# Stop with Ctrl-C, or by closing the dashboard window.
#
# The demo keeps its data between runs: the service's database and the
# emulator's account (stripe-emulator-state.json) in the demo directory. When
# only one of the two is there, or the account file is unreadable, the demo
# starts over and keeps the old files in a previous-<time> folder beside them.
#   run.sh --reset-demo        starts the demo over the same way, on purpose
#
#   BILLING_BUILD_DIR          build directory (default: build)
#   BILLING_RUN_SKIP_BUILD=1   use the binaries already built there (tests)
#   BILLING_DEMO_PORT, BILLING_DEMO_STRIPE_PORT
#                              the demo's service and emulator ports when its
#                              settings are first written (default 8787, 12111)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BILLING_BUILD_DIR:-$root/build}

reset_demo=false
if [ "${1:-}" = --reset-demo ]; then
    reset_demo=true
    shift
fi

# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

if [ "${BILLING_RUN_SKIP_BUILD:-}" != 1 ]; then
    bash "$root/scripts/install-deps.sh"
    configure_build "$build_dir" >/dev/null
    cmake --build "$build_dir" --parallel 2 --target agencyos-billing-server agencyos-billing stripe-emulator
fi

server="$build_dir/app/agencyos-billing-server"
dashboard="$build_dir/app/agencyos-billing"
emulator="$build_dir/tests/emulator/stripe-emulator"

# Arguments (such as --env-file PATH) go to every agencyos-billing-server command.
configured=false
if [ $# -gt 0 ] || [ -n "${STRIPE_SECRET_KEY:-}" ] || { [ -f "$root/.env" ] && grep -q '^[[:space:]]*\(export[[:space:]]\+\)\?STRIPE_SECRET_KEY=.\+' "$root/.env"; }; then
    configured=true
fi
if [ "$reset_demo" = true ] && [ "$configured" = true ]; then
    echo "run: --reset-demo is for the offline demo; Stripe keys are configured, so there is no demo to reset" >&2
    exit 2
fi

cd "$root" # so that ./.env, when present, is read
if [ "$configured" = false ]; then
    demo_dir=${XDG_DATA_HOME:-$HOME/.local/share}/agencyos-billing-demo
    mkdir -p "$demo_dir"
    chmod 700 "$demo_dir"
    demo_env="$demo_dir/demo.env"
    random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
    # Rewritten when an older run.sh wrote it (the version line changes).
    if ! grep -q '^# demo-env-version: 3$' "$demo_env" 2>/dev/null; then
        umask 077
        cat > "$demo_env" <<DEMO
# demo-env-version: 3
# Offline demo settings written by scripts/run.sh: fake test-mode values.
STRIPE_SECRET_KEY=sk_test_offlinedemo$(random_hex 12)
STRIPE_WEBHOOK_SECRET=whsec_offlinedemo$(random_hex 16)
STRIPE_PRICE_SOLO=price_demo_solo
STRIPE_PRICE_TEAM=price_demo_team
STRIPE_PRICE_ENTERPRISE=price_demo_enterprise
STRIPE_API_BASE=http://127.0.0.1:${BILLING_DEMO_STRIPE_PORT:-12111}
BILLING_DATA_DIR=$demo_dir
BILLING_PORT=${BILLING_DEMO_PORT:-8787}
BILLING_API_TOKEN=$(random_hex 32)
BILLING_ALLOWED_REDIRECT_HOSTS=localhost,127.0.0.1,app.agencyos.network
BILLING_PORTAL_RETURN_URL=https://app.agencyos.network/account
DEMO
    fi
    echo "run: no Stripe keys configured: offline demo mode (settings in $demo_env)"
    set -- --env-file "$demo_env"

    # The service's database and the emulator's account belong together: the
    # demo runs on both or starts over, never on one of them alone.
    database="$demo_dir/billing.sqlite3"
    emulator_state="$demo_dir/stripe-emulator-state.json"
    start_over() { # reason
        local kept
        kept="$demo_dir/previous-$(date +%Y%m%d-%H%M%S)"
        mkdir -p "$kept"
        local file
        for file in billing.sqlite3 billing.sqlite3-wal billing.sqlite3-shm stripe-emulator-state.json \
            staff-token demo-data-done; do
            if [ -e "$demo_dir/$file" ]; then mv "$demo_dir/$file" "$kept/"; fi
        done
        echo "run: $1: starting the demo over (the previous demo data is kept in $kept)"
    }
    if [ "$reset_demo" = true ]; then
        start_over "--reset-demo"
    elif [ -e "$database" ] && [ ! -e "$emulator_state" ]; then
        start_over "the demo database is there but the emulator's account ($emulator_state) is missing"
    elif [ -e "$emulator_state" ] && ! "$emulator" --state-file "$emulator_state" --check-state; then
        start_over "the emulator's account cannot be read"
    elif [ -e "$emulator_state" ] && [ ! -e "$database" ]; then
        start_over "the emulator's account is there but the demo database ($database) is missing"
    elif [ -e "$database" ]; then
        echo "run: continuing the demo from the last run (bash scripts/run.sh --reset-demo starts it over)"
    fi
fi

pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT INT TERM

if [ "$configured" = false ]; then
    setting() { grep "^$1=" "$demo_env" | cut -d= -f2- || true; }
    port=$(setting BILLING_PORT); port=${port:-8787}
    emulator_url=$(setting STRIPE_API_BASE)
    "$emulator" --port "${emulator_url##*:}" --api-key "$(setting STRIPE_SECRET_KEY)" \
        --webhook-secret "$(setting STRIPE_WEBHOOK_SECRET)" \
        --webhook-url "http://127.0.0.1:$port/payments/stripe/webhook" \
        --state-file "$emulator_state" &
    pids+=($!)
fi

"$server" check-config "$@" >/dev/null || { "$server" check-config "$@"; exit 1; }
"$server" migrate "$@"

"$server" serve "$@" &
server_pid=$!
pids+=("$server_pid")
sleep 1
kill -0 "$server_pid" 2>/dev/null || { echo "run: the service did not start (see above)" >&2; exit 1; }

port=$("$server" check-config "$@" 2>/dev/null | awk '$1 == "BILLING_PORT" { print $2 }')
port=${port:-8787}
service_url="http://127.0.0.1:$port"
if [ "$configured" = false ]; then
    # A staff token for the dashboard, made once and kept (0600) with the demo data.
    token_file="$demo_dir/staff-token"
    if [ ! -s "$token_file" ]; then
        (umask 077; "$server" staff add "demo-$(date +%s)" "$@" 2>/dev/null | tail -1 > "$token_file")
    fi
    export AGENCYOS_BILLING_URL="$service_url" AGENCYOS_BILLING_TOKEN="$(cat "$token_file")"
    if [ ! -e "$demo_dir/demo-data-done" ]; then
        bash "$root/scripts/demo-data.sh" "$service_url" "$(setting BILLING_API_TOKEN)" "$emulator_url" &&
            touch "$demo_dir/demo-data-done"
    else
        # Events the service never acknowledged (it stopped first, or the emulator
        # was killed mid-delivery) are delivered again, as Stripe's retries would.
        curl -sf -X POST "$emulator_url/_emulator/events/redeliver_pending" >/dev/null ||
            echo "run: the emulator did not answer; events from the last run may be missing" >&2
    fi
fi

echo "run: service on $service_url (pid $server_pid); stop everything with Ctrl-C"
if [ "$configured" = false ]; then
    echo "run: Stripe emulator on $emulator_url (control endpoints under /_emulator), account kept in $emulator_state"
    echo "run: the dashboard signs in with the demo staff token in $token_file;"
    echo "     make your own with: $server staff add <name> $*"
    echo "run: to watch new sales arrive live, run in another terminal:"
    echo "     bash $root/scripts/demo-data.sh $service_url \$(grep ^BILLING_API_TOKEN= $demo_env | cut -d= -f2) $emulator_url"
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    "$dashboard" || true
    echo "run: dashboard closed; stopping the service"
else
    echo "run: no display (DISPLAY is unset), so the dashboard is not opened;"
    echo "     open it with: ${AGENCYOS_BILLING_TOKEN:+AGENCYOS_BILLING_URL=$service_url AGENCYOS_BILLING_TOKEN=\$(cat $token_file) }xvfb-run -a $dashboard"
    echo "     (or run this on a desktop)"
    wait "$server_pid"
fi
