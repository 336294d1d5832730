#!/usr/bin/env bash
# End-to-end check that agencyos-billing-server's Stripe calls are accepted by
# stripe_spec_mock.py, a mock that validates requests against Stripe's own
# OpenAPI spec (see fetch-stripe-spec.sh for getting SPEC_JSON).
#
# Usage: tests/spec/spec-conformance.sh SERVER_BINARY SPEC_JSON
# Env:   STRIPE_FIXTURES  sample objects (default tests/data/stripe-fixtures-2023-09.json)
# Prints one "ok - ..." / "not ok - ..." line per check, then "N passed, M failed".
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 SERVER_BINARY SPEC_JSON" >&2
    exit 2
fi
server_binary=$1
spec_json=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fixtures=${STRIPE_FIXTURES:-$here/../data/stripe-fixtures-2023-09.json}
[[ -x "$server_binary" ]] || { echo "error: $server_binary is not an executable" >&2; exit 2; }
[[ -s "$spec_json" ]] || { echo "error: $spec_json not found (run fetch-stripe-spec.sh)" >&2; exit 2; }

work=$(mktemp -d)
mock_pid=""
server_pid=""
cleanup() {
    for pid in $server_pid $mock_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1${2:+ ($2)}"; failed=$((failed + 1)); }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
    local description=$1
    shift
    if "$@"; then ok "$description"; else not_ok "$description"; fi
}
# py EXPR FILE...: evaluates EXPR with j0, j1, ... the JSON of the files (or None);
# exit status 0 when the result is truthy. Prints the result when -p is given first.
py() {
    local print=0
    if [[ $1 == -p ]]; then print=1; shift; fi
    python3 - "$print" "$@" <<'EOF'
import json, sys
print_it, expr, files = sys.argv[1] == "1", sys.argv[2], sys.argv[3:]
env = {}
for i, name in enumerate(files):
    try:
        env[f"j{i}"] = json.load(open(name, encoding="utf-8"))
    except Exception:
        env[f"j{i}"] = None
try:
    result = eval(expr, {}, env)
except Exception as e:
    result = None
    print(f"  # {expr}: {type(e).__name__}: {e}", file=sys.stderr)
if print_it:
    print("" if result is None else result)
sys.exit(0 if result else 1)
EOF
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_for FILE TEXT PID: wait (up to 30 s) until FILE contains TEXT while PID lives.
wait_for() {
    for _ in $(seq 300); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# --- the spec mock
mock_args=(--spec "$spec_json" --port 0)
if [[ -f "$fixtures" ]]; then mock_args+=(--fixtures "$fixtures"); else echo "# no fixtures at $fixtures"; fi
python3 "$here/stripe_spec_mock.py" "${mock_args[@]}" >"$work/mock.out" 2>"$work/mock.err" &
mock_pid=$!
if ! wait_for "$work/mock.out" "listening on" "$mock_pid"; then
    echo "error: the spec mock did not start:" >&2
    cat "$work/mock.err" >&2
    exit 1
fi
mock=$(sed -n 's/^stripe-spec-mock listening on //p' "$work/mock.out")

# --- the service
token=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
port=$(free_port)
mkdir -p "$work/data"
(
    umask 077
    cat >"$work/billing.env" <<EOF
STRIPE_SECRET_KEY=sk_test_specconformance0000
STRIPE_WEBHOOK_SECRET=whsec_specconformance
STRIPE_PRICE_SOLO=price_1SpecSolo
STRIPE_PRICE_TEAM=price_1SpecTeam
STRIPE_PRICE_ENTERPRISE=price_1SpecEnterprise
STRIPE_API_BASE=$mock
BILLING_DATA_DIR=$work/data
BILLING_API_TOKEN=$token
BILLING_ALLOWED_REDIRECT_HOSTS=app.agencyos.network
BILLING_PORT=$port
EOF
)
chmod 600 "$work/billing.env"
"$server_binary" serve --env-file "$work/billing.env" >"$work/server.log" 2>&1 &
server_pid=$!
if ! wait_for "$work/server.log" "listening on" "$server_pid"; then
    echo "error: $server_binary did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
service="http://127.0.0.1:$port"

# call NAME METHOD PATH [JSON]: the answer goes to $work/NAME.json, the status to $work/NAME.status.
call() {
    local name=$1 method=$2 path=$3 status
    local args=(-s -o "$work/$name.json" -w '%{http_code}' -X "$method"
                -H "Authorization: Bearer $token" -H "Content-Type: application/json")
    [[ $# -ge 4 ]] && args+=(--data-binary "$4")
    status=$(curl "${args[@]}" "$service$path" || true)
    echo "${status:-000}" >"$work/$name.status"
}
requests() { curl -s -o "$work/requests.json" "$mock/_spec/requests" || true; }
status_is() { [[ $(cat "$work/$1.status") == "$2" ]]; }
# The last request the service made to the mock with METHOD and PATH.
last='[r for r in j1 if r["method"] == "%s" and r["path"] == "%s"][-1]'

# all_accepted DESCRIPTION REQUESTS_JSON FIRST: passes when the mock answered 200 to
# every recorded request from index FIRST on; otherwise names those it refused.
all_accepted() {
    local description=$1 file=$2 first=$3
    if py "all(r['status'] == 200 for r in j0[$first:])" "$file"; then
        ok "$description"
    else
        not_ok "$description" \
            "$(py -p "'; '.join(f\"{r['method']} {r['path']}: {r['status']} {r['error']}\" for r in j0[$first:] if r['status'] != 200)" \
               "$file" || true)"
    fi
}

sub=sub_1SpecConformance

call checkout POST /payments/stripe/checkout '{"plan_id":"solo","tenant_id":"tenant_123","success_url":"https://app.agencyos.network/dashboard?checkout=success&session_id={CHECKOUT_SESSION_ID}","cancel_url":"https://app.agencyos.network/pricing?checkout=cancel","customer_email":"user@example.com","trial_days":14}'
requests
cs=$(printf "$last" POST /v1/checkout/sessions)
check "checkout: HTTP 200 (got $(cat "$work/checkout.status"))" status_is checkout 200
check "checkout: id and url are the spec mock's" \
    py "j0['id'] == $cs['id'] and j0['url'] == $cs['url'] and j0['url'].startswith('https://')" \
    "$work/checkout.json" "$work/requests.json"
check "checkout: Stripe got the plan's price, tenant and trial" \
    py "(lambda p: p['line_items'][0]['price'] == 'price_1SpecSolo' and p['client_reference_id'] == 'tenant_123'
         and p['metadata']['tenant_id'] == 'tenant_123' and p['subscription_data']['trial_period_days'] == '14'
         and p['mode'] == 'subscription')($cs['params'])" "$work/checkout.json" "$work/requests.json"

call portal POST /payments/stripe/portal '{"customer_id":"cus_9s6XKzkNRiz8i3","return_url":"https://app.agencyos.network/settings/billing"}'
requests
bps=$(printf "$last" POST /v1/billing_portal/sessions)
check "portal: HTTP 200 (got $(cat "$work/portal.status"))" status_is portal 200
check "portal: url is the spec mock's" \
    py "j0['url'] == $bps['url'] and $bps['params']['customer'] == 'cus_9s6XKzkNRiz8i3'" \
    "$work/portal.json" "$work/requests.json"

call get GET "/payments/stripe/subscription/$sub"
check "subscription: HTTP 200 (got $(cat "$work/get.status"))" status_is get 200
check "subscription: id is $sub" py "j0['id'] == '$sub'" "$work/get.json"

call cancel_later POST "/payments/stripe/subscription/$sub/cancel" '{"at_period_end": true}'
check "cancel at period end: HTTP 200 (got $(cat "$work/cancel_later.status"))" status_is cancel_later 200
check "cancel at period end: cancel_at_period_end is true" \
    py "j0['id'] == '$sub' and j0['cancel_at_period_end'] is True" "$work/cancel_later.json"

call cancel_now POST "/payments/stripe/subscription/$sub/cancel"
check "cancel now: HTTP 200 (got $(cat "$work/cancel_now.status"))" status_is cancel_now 200
check "cancel now: status is canceled" py "j0['id'] == '$sub' and j0['status'] == 'canceled'" "$work/cancel_now.json"

# What the service sent, before the negative control adds its own request.
requests
cp "$work/requests.json" "$work/service-requests.json"
check "the service made the 5 expected Stripe calls" py "sorted((r['method'], r['path']) for r in j0) == sorted([
        ('POST', '/v1/checkout/sessions'), ('POST', '/v1/billing_portal/sessions'), ('GET', '/v1/subscriptions/$sub'),
        ('POST', '/v1/subscriptions/$sub'), ('DELETE', '/v1/subscriptions/$sub')])" "$work/service-requests.json"
all_accepted "the spec mock accepted every request of the service" "$work/service-requests.json" 0
check "every POST carried an Idempotency-Key" \
    py "all(r['idempotency_key'] for r in j0 if r['method'] == 'POST')" "$work/service-requests.json"
check "every request carried Stripe-Version" \
    py "all(r['stripe_version'] for r in j0)" "$work/service-requests.json"

# The command line's list reads: `sync all` (subscriptions with status=all and
# the customer expanded, customers, invoices) and `sync events` (created[gte]).
before=$(py -p "len(j0)" "$work/requests.json")
for what in all events; do
    if "$server_binary" sync "$what" --env-file "$work/billing.env" >"$work/sync-$what.log" 2>&1; then
        ok "sync $what: finished against the spec mock"
    else
        not_ok "sync $what: finished against the spec mock" "$(tail -n 3 "$work/sync-$what.log" | tr '\n' ' ')"
    fi
done
requests
check "sync: listed subscriptions, customers, invoices and events" \
    py "sorted(r['path'] for r in j0[$before:]) == ['/v1/customers', '/v1/events', '/v1/invoices', '/v1/subscriptions']" \
    "$work/requests.json"
all_accepted "the spec mock accepted every list request of sync" "$work/requests.json" "$before"

# Negative control: the mock does validate (an unknown parameter is refused).
negative=$(curl -s -o "$work/negative.json" -w '%{http_code}' -X POST "$mock/v1/checkout/sessions" \
    -H "Authorization: Bearer sk_test_specconformance0000" -H "Stripe-Version: 2023-08-16" \
    -H "Idempotency-Key: spec-negative-control" \
    --data-urlencode "success_url=https://app.agencyos.network/ok" --data-urlencode "bogus_param=1" || true)
check "negative control: the mock refuses bogus_param with 400 parameter_unknown (got $negative)" \
    py "$negative == 400 and j0['error']['code'] == 'parameter_unknown' and j0['error']['param'] == 'bogus_param'" \
    "$work/negative.json"

if [[ $failed -gt 0 ]]; then
    echo "# service log:"; sed 's/^/#   /' "$work/server.log" | tail -n 20
    echo "# mock log:"; sed 's/^/#   /' "$work/mock.err" | tail -n 20
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
