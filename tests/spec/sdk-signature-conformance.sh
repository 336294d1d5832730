#!/usr/bin/env bash
# Holds `agencyos-billing-server webhook verify` to the decisions of Stripe's
# own SDK (the stripe npm package) on headers the SDK makes: valid, tampered,
# stale, rotated, v0-only and malformed.
#
# Usage: tests/spec/sdk-signature-conformance.sh SERVER_BINARY
# Prints "ok - …" / "not ok - …" per case, then "N passed, M failed".
set -euo pipefail

server=${1:?usage: sdk-signature-conformance.sh SERVER_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SDK="stripe@17.7.0"

command -v node >/dev/null && command -v npm >/dev/null \
    || { echo "sdk-signature-conformance: node and npm are needed (apt-get install npm)" >&2; exit 1; }

# The SDK is installed once per user and reused.
sdk_dir="${XDG_CACHE_HOME:-$HOME/.cache}/agencyos-billing/node-${SDK//[@\/]/-}"
if [[ ! -d "$sdk_dir/node_modules/stripe" ]]; then
    mkdir -p "$sdk_dir"
    (cd "$sdk_dir" && npm install --no-audit --no-fund --silent "$SDK" >/dev/null) \
        || { echo "sdk-signature-conformance: could not install $SDK" >&2; exit 1; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
NODE_PATH="$sdk_dir/node_modules" node "$here/sdk-signature-cases.js" > "$work/cases.json"

passed=0
failed=0
count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/cases.json")
for ((i = 0; i < count; i++)); do
    python3 - "$work/cases.json" "$i" "$work" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))[int(sys.argv[2])]
work = sys.argv[3]
open(f"{work}/payload", "wb").write(case["payload"].encode())
for key in ("name", "header", "secret", "at", "sdkValid"):
    open(f"{work}/{key}", "w").write(str(case[key]))
open(f"{work}/deliberate", "w").write(case.get("deliberate", ""))
PY
    name=$(cat "$work/name")
    sdk_valid=$(cat "$work/sdkValid")
    set +e
    verdict=$("$server" webhook verify --header "$(cat "$work/header")" --payload-file "$work/payload" \
        --secret "$(cat "$work/secret")" --tolerance 300 --at "$(cat "$work/at")" 2>&1)
    status=$?
    set -e
    ours=False
    [[ $status -eq 0 ]] && ours=True
    deliberate=$(cat "$work/deliberate")
    if [[ -n $deliberate && $sdk_valid == True && $ours == False ]]; then
        echo "ok - $name: SDK valid, webhook verify refuses on purpose ($deliberate): $verdict"
        passed=$((passed + 1))
    elif [[ $ours == "$sdk_valid" ]]; then
        echo "ok - $name: SDK valid=$sdk_valid, webhook verify: $verdict"
        passed=$((passed + 1))
    else
        echo "not ok - $name: SDK valid=$sdk_valid, webhook verify (exit $status): $verdict"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
