#!/usr/bin/env bash
# Starts or stops a private PostgreSQL server for the test suite.
#
#   postgres-fixture.sh start STATE_DIR   initdb + pg_ctl start on 127.0.0.1 and a free
#                                         port; writes STATE_DIR/url (an admin URL)
#   postgres-fixture.sh stop STATE_DIR    stops the server and deletes its data
#
# As root the server runs as the postgres user (PostgreSQL refuses to run as
# root); otherwise as the current user. Exits non-zero when the server cannot
# start: PostgreSQL tests are never skipped.
set -euo pipefail

action=${1:?usage: postgres-fixture.sh start|stop STATE_DIR}
state_dir=${2:?usage: postgres-fixture.sh start|stop STATE_DIR}

pg_bin=""
for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && pg_bin=$candidate
done
if [ -z "$pg_bin" ]; then
    echo "postgres-fixture: PostgreSQL server binaries not found; run scripts/install-deps.sh" >&2
    exit 1
fi

as_server_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_server() {
    [ -f "$state_dir/pgdata-path" ] || return 0
    local pgdata
    pgdata=$(cat "$state_dir/pgdata-path")
    if [ -d "$pgdata" ]; then
        as_server_user "$pg_bin/pg_ctl" -D "$pgdata" -m fast -w -t 30 stop >/dev/null 2>&1 || true
        rm -rf "$pgdata"
    fi
    rm -f "$state_dir/pgdata-path" "$state_dir/url"
}

port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case "$action" in
stop)
    stop_server
    ;;
start)
    mkdir -p "$state_dir"
    stop_server # a run that was interrupted may have left one behind

    # Under /tmp: the server user must be able to enter every parent directory.
    pgdata=$(mktemp -d /tmp/agencyos-billing-pg.XXXXXX)
    echo "$pgdata" > "$state_dir/pgdata-path"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$pgdata"
    fi
    chmod 700 "$pgdata"

    # The collation most installations have (Debian's default), not C: text
    # comparisons such as the admin lists' prefix ranges must hold under it.
    locale=en_US.UTF-8
    if ! locale -a 2>/dev/null | grep -qix 'en_US.utf-\?8'; then
        if [ "$(id -u)" = 0 ] && localedef -i en_US -f UTF-8 en_US.UTF-8 2>/dev/null; then
            echo "postgres-fixture: generated the en_US.UTF-8 locale"
        else
            locale=C.UTF-8
            echo "postgres-fixture: en_US.UTF-8 is not available (install 'locales' and run as root); using C.UTF-8" >&2
        fi
    fi
    as_server_user "$pg_bin/initdb" -D "$pgdata" -U postgres -E UTF8 --locale="$locale" \
        --auth-local=trust --auth-host=trust >"$pgdata.initdb.log" 2>&1 \
        || { cat "$pgdata.initdb.log" >&2; exit 1; }
    rm -f "$pgdata.initdb.log"

    # A free port can be taken between the check and the bind (other suites run
    # servers too), so a start that fails is retried on another port.
    port=""
    for _ in $(seq 1 8); do
        candidate=$((20000 + RANDOM % 20000))
        port_is_free "$candidate" || continue
        # fsync off: the suite checks behaviour, not durability on power loss.
        if as_server_user "$pg_bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $candidate -k $pgdata -c fsync=off -c max_connections=200" \
            start >/dev/null; then
            port=$candidate
            break
        fi
        echo "postgres-fixture: could not start on port $candidate; trying another" >&2
    done
    if [ -z "$port" ]; then
        cat "$pgdata/server.log" >&2 || true
        echo "postgres-fixture: PostgreSQL did not start" >&2
        exit 1
    fi

    echo "postgresql://postgres@127.0.0.1:$port/postgres" > "$state_dir/url"
    echo "postgres-fixture: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, collation $locale"
    ;;
*)
    echo "usage: postgres-fixture.sh start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
