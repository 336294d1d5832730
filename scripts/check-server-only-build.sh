#!/usr/bin/env bash
# Proves the headless service builds on a machine without Qt Widgets or Qt Gui:
# configures with both packages hidden from CMake, builds, and checks that the
# binary links neither.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BILLING_SERVER_ONLY_BUILD_DIR:-$root/build-server-only}

# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

configure_build "$build_dir" \
    -DBILLING_BUILD_GUI=OFF -DBILLING_BUILD_TESTS=OFF \
    -DCMAKE_DISABLE_FIND_PACKAGE_Qt6Widgets=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_Qt6Gui=ON
cmake --build "$build_dir" --parallel 2

binary="$build_dir/app/agencyos-billing-server"
if ldd "$binary" | grep -E 'libQt6(Gui|Widgets)'; then
    echo "check-server-only-build: $binary links Qt Gui or Widgets" >&2
    exit 1
fi
[ ! -e "$build_dir/app/agencyos-billing" ] || { echo "check-server-only-build: the dashboard was built" >&2; exit 1; }
"$binary" --help >/dev/null
echo "check-server-only-build: agencyos-billing-server built without Qt Gui/Widgets"
