# Shared by the scripts in this folder: source it, don't run it.

# configure_build BUILD_DIR [cmake options…]: the project's one cmake configure
# line (Ninja, RelWithDebInfo, ccache when present, -Werror when CI=true).
configure_build() {
    local build_dir=$1
    shift
    local werror=OFF
    [ "${CI:-}" = true ] && werror=ON
    local launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" -B "$build_dir" -G Ninja \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DBILLING_WARNINGS_AS_ERRORS=$werror \
        "${launcher[@]}" "$@"
}
