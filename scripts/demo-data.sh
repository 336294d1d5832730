#!/usr/bin/env bash
# Gives the offline demo live data through the real flow: checkout sessions
# made by the service, completed by the Stripe emulator (which then delivers
# signed webhooks to the service), one renewal and one failed renewal.
#
#   demo-data.sh SERVICE_URL API_TOKEN EMULATOR_URL
set -euo pipefail

service=$1
token=$2
emulator=$3

json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)'"$1"')'; }

checkout() { # tenant plan [trial_days]
    local body
    body=$(printf '{"plan_id":"%s","tenant_id":"%s","success_url":"https://app.agencyos.network/welcome","cancel_url":"https://app.agencyos.network/pricing","customer_email":"billing@%s.example"%s}' \
        "$2" "$1" "$1" "${3:+,\"trial_days\":$3}")
    local session
    session=$(curl -sf "$service/payments/stripe/checkout" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d "$body" | json_field '["id"]')
    curl -sf -X POST "$emulator/_emulator/checkout/sessions/$session/complete" | json_field '["subscription"]["id"]'
}

acme=$(checkout acme team)
checkout globex solo 14 >/dev/null
checkout initech enterprise >/dev/null
umbrella=$(checkout umbrella solo)
curl -sf -X POST "$emulator/_emulator/subscriptions/$acme/renew" >/dev/null
curl -sf -X POST "$emulator/_emulator/subscriptions/$umbrella/fail_renewal" >/dev/null
echo "demo-data: 4 tenants sold through Checkout (acme, globex on a trial, initech, umbrella);" \
    "acme renewed, umbrella's renewal failed (past due, dunning notice queued)"
