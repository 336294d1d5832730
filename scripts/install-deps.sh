#!/usr/bin/env bash
# Installs the Debian packages in scripts/debian-packages.txt that are missing.
# Idempotent: when everything is installed it changes nothing and needs no network.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mapfile -t packages < <(grep -Ev '^[[:space:]]*(#|$)' "$here/debian-packages.txt")

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$package")
done

# npm fetches Stripe's OpenAPI spec for the conformance test. Machines that
# already have a newer Node.js/npm keep it; only a machine without npm gets Debian's.
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages are installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
