#!/usr/bin/env bash
# Builds the .deb and .tar.gz packages of the service and the dashboard into
# OUT_DIR (default build-packages/out): a Release build installed under /usr.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BILLING_PACKAGE_BUILD_DIR:-$root/build-packages}
out_dir=${1:-$build_dir/out}

# shellcheck source=lib.sh
source "$root/scripts/lib.sh"
configure_build "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DBILLING_BUILD_TESTS=OFF -DBILLING_BUILD_EMULATOR=OFF >/dev/null
cmake --build "$build_dir" --parallel 2 --target agencyos-billing-server agencyos-billing
mkdir -p "$out_dir"
(cd "$build_dir" && cpack -G "DEB;TGZ" -B "$out_dir" >/dev/null)
rm -rf "$out_dir/_CPack_Packages"
ls -1 "$out_dir"
