#!/usr/bin/env bash
# Starts the offline demo (Stripe emulator, service with demo data, dashboard)
# under Xvfb and saves a screenshot of each view of the dashboard to
# resources/screenshots/ (the README shows them).
#
#   bash scripts/screenshots.sh [OUTPUT_DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BILLING_BUILD_DIR:-$root/build}
out_dir=${1:-$root/resources/screenshots}

# shellcheck source=lib.sh
source "$root/scripts/lib.sh"
bash "$root/scripts/install-deps.sh"
configure_build "$build_dir" >/dev/null
cmake --build "$build_dir" --parallel 2 --target agencyos-billing-server agencyos-billing stripe-emulator

server="$build_dir/app/agencyos-billing-server"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

emulator_port=12113
service_port=18793
random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
api_token=$(random_hex 32)
(umask 077; cat > "$work/demo.env" <<ENV
STRIPE_SECRET_KEY=sk_test_screenshots$(random_hex 12)
STRIPE_WEBHOOK_SECRET=whsec_screenshots$(random_hex 16)
STRIPE_PRICE_SOLO=price_demo_solo
STRIPE_PRICE_TEAM=price_demo_team
STRIPE_PRICE_ENTERPRISE=price_demo_enterprise
STRIPE_API_BASE=http://127.0.0.1:$emulator_port
BILLING_DATA_DIR=$work/data
BILLING_PORT=$service_port
BILLING_API_TOKEN=$api_token
BILLING_ALLOWED_REDIRECT_HOSTS=app.agencyos.network
BILLING_PORTAL_RETURN_URL=https://app.agencyos.network/account
ENV
)
setting() { grep "^$1=" "$work/demo.env" | cut -d= -f2-; }
"$build_dir/tests/emulator/stripe-emulator" --port "$emulator_port" --api-key "$(setting STRIPE_SECRET_KEY)" \
    --webhook-secret "$(setting STRIPE_WEBHOOK_SECRET)" \
    --webhook-url "http://127.0.0.1:$service_port/payments/stripe/webhook" >"$work/emulator.log" 2>&1 &
pids+=($!)
"$server" migrate --env-file "$work/demo.env" >/dev/null 2>&1
token=$("$server" staff add screenshots --env-file "$work/demo.env" 2>/dev/null | tail -1)
"$server" serve --env-file "$work/demo.env" >"$work/service.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$service_port/" && break; sleep 0.2; done
bash "$root/scripts/demo-data.sh" "http://127.0.0.1:$service_port" "$api_token" "http://127.0.0.1:$emulator_port"
sleep 2 # the webhooks of the last renewal

# Something for the Reconciliation view to show: a renewal Stripe made
# without a webhook. A run skips what changed in its last minute, so it
# starts a minute later.
admin="http://127.0.0.1:$service_port/admin/v1"
subscription=$(curl -sf "http://127.0.0.1:$emulator_port/v1/subscriptions?limit=1" \
    -H "Authorization: Bearer $(setting STRIPE_SECRET_KEY)" | grep -o '"id": *"sub_[A-Za-z0-9]*"' | head -1 | grep -o 'sub_[A-Za-z0-9]*')
curl -sf -X POST "http://127.0.0.1:$emulator_port/_emulator/subscriptions/$subscription/renew?deliver=false" >/dev/null
sleep 65
curl -sf -X POST "$admin/reconcile/runs" -H "Authorization: Bearer $token" >/dev/null
for _ in $(seq 1 60); do
    curl -sf "$admin/reconcile/runs?limit=1" -H "Authorization: Bearer $token" | grep -q '"status": *"running"' || break
    sleep 1
done

mkdir -p "$out_dir"
export AGENCYOS_BILLING_URL="http://127.0.0.1:$service_port" AGENCYOS_BILLING_TOKEN="$token"
export XDG_CONFIG_HOME="$work/config" # leave the user's dashboard settings alone
for view in overview events subscriptions licenses invoicesAndDunning deliveries audit reconciliation; do
    xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
        "$1" --view "$2" &
        app=$!
        sleep 4
        import -window root "$3"
        kill "$app"; wait "$app" 2>/dev/null || true
    ' _ "$build_dir/app/agencyos-billing" "$view" "$out_dir/$view.png"
    echo "screenshots: $out_dir/$view.png"
done
