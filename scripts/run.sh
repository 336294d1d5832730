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
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BILLING_BUILD_DIR:-$root/build}

# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

bash "$root/scripts/install-deps.sh"
configure_build "$build_dir" >/dev/null
cmake --build "$build_dir" --parallel 2 --target agencyos-billing-server agencyos-billing stripe-emulator

server="$build_dir/app/agencyos-billing-server"
dashboard="$build_dir/app/agencyos-billing"
emulator="$build_dir/tests/emulator/stripe-emulator"

# Arguments (such as --env-file PATH) go to every agencyos-billing-server command.
configured=false
if [ $# -gt 0 ] || [ -n "${STRIPE_SECRET_KEY:-}" ] || { [ -f "$root/.env" ] && grep -q '^[[:space:]]*\(export[[:space:]]\+\)\?STRIPE_SECRET_KEY=.\+' "$root/.env"; }; then
    configured=true
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
STRIPE_API_BASE=http://127.0.0.1:12111
BILLING_DATA_DIR=$demo_dir
BILLING_API_TOKEN=$(random_hex 32)
BILLING_ALLOWED_REDIRECT_HOSTS=localhost,127.0.0.1,app.agencyos.network
BILLING_PORTAL_RETURN_URL=https://app.agencyos.network/account
DEMO
    fi
    echo "run: no Stripe keys configured: offline demo mode (settings in $demo_env)"
    set -- --env-file "$demo_env"
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
    "$emulator" --port 12111 --api-key "$(setting STRIPE_SECRET_KEY)" \
        --webhook-secret "$(setting STRIPE_WEBHOOK_SECRET)" \
        --webhook-url "http://127.0.0.1:$port/payments/stripe/webhook" &
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
        bash "$root/scripts/demo-data.sh" "$service_url" "$(setting BILLING_API_TOKEN)" http://127.0.0.1:12111 &&
            touch "$demo_dir/demo-data-done"
    fi
fi

echo "run: service on $service_url (pid $server_pid); stop everything with Ctrl-C"
if [ "$configured" = false ]; then
    echo "run: Stripe emulator on http://127.0.0.1:12111 (control endpoints under /_emulator)"
    echo "run: the dashboard signs in with the demo staff token in $token_file;"
    echo "     make your own with: $server staff add <name> $*"
    echo "run: to watch new sales arrive live, run in another terminal:"
    echo "     bash $root/scripts/demo-data.sh $service_url \$(grep ^BILLING_API_TOKEN= $demo_env | cut -d= -f2) http://127.0.0.1:12111"
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
