#!/usr/bin/env bash
# Installs the packages built by build-packages.sh on this machine (as root,
# with apt resolving their dependencies), checks what they put where, runs
# check-config, starts the installed service on a test port against SQLite
# as its system user, checks /healthz and a signed webhook, and stops it.
# There is no systemd here: the unit is checked with systemd-analyze and the
# service is started the way the unit starts it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out_dir=${1:-$root/build-packages/out}
fail() { echo "check-packages: $*" >&2; exit 1; }

server_deb=$(ls "$out_dir"/agencyos-billing-server_*.deb)
dashboard_deb=$(ls "$out_dir"/agencyos-billing_*.deb)
ls "$out_dir"/*.tar.gz >/dev/null || fail "no .tar.gz packages"

# What the packages hold.
contents=$(dpkg -c "$server_deb")
for path in ./usr/bin/agencyos-billing-server ./usr/lib/systemd/system/agencyos-billing.service \
    ./usr/share/agencyos-billing/billing.env.default ./usr/share/agencyos-billing/examples/agencyos-billing.conf; do
    grep -q " $path\$" <<<"$contents" || fail "$server_deb lacks $path"
done
contents=$(dpkg -c "$dashboard_deb")
for path in ./usr/bin/agencyos-billing ./usr/share/applications/network.agencyos.Billing.desktop \
    ./usr/share/metainfo/network.agencyos.Billing.metainfo.xml \
    ./usr/share/icons/hicolor/scalable/apps/network.agencyos.Billing.svg \
    ./usr/share/icons/hicolor/48x48/apps/network.agencyos.Billing.png; do
    grep -q " $path\$" <<<"$contents" || fail "$dashboard_deb lacks $path"
done
dpkg-deb -f "$server_deb" Depends | grep -q libqt6sql6-sqlite || fail "the server does not depend on the SQLite driver"
dpkg-deb -f "$dashboard_deb" Depends | grep -q qt6-qpa-plugins || fail "the dashboard does not depend on the platform plugins"

export DEBIAN_FRONTEND=noninteractive
# From scratch, as on a new machine: an earlier run's install would hide what postinst does.
if dpkg -s agencyos-billing-server >/dev/null 2>&1 || dpkg -s agencyos-billing >/dev/null 2>&1; then
    apt-get purge -y -q agencyos-billing-server agencyos-billing >/dev/null
fi
[ ! -e /etc/agencyos-billing ] || fail "purging left /etc/agencyos-billing behind"
apt-get install -y -q "$server_deb" "$dashboard_deb" >/dev/null
getent passwd agencyos-billing >/dev/null || fail "no agencyos-billing user"
[ "$(stat -c '%a %U:%G' /etc/agencyos-billing/billing.env)" = "640 root:agencyos-billing" ] ||
    fail "billing.env is $(stat -c '%a %U:%G' /etc/agencyos-billing/billing.env), not 640 root:agencyos-billing"
[ "$(stat -c '%a %U' /var/lib/agencyos-billing)" = "750 agencyos-billing" ] || fail "bad /var/lib/agencyos-billing"
systemd-analyze verify /usr/lib/systemd/system/agencyos-billing.service
command -v desktop-file-validate >/dev/null &&
    desktop-file-validate /usr/share/applications/network.agencyos.Billing.desktop
command -v appstreamcli >/dev/null &&
    appstreamcli validate --no-net /usr/share/metainfo/network.agencyos.Billing.metainfo.xml >/dev/null

# Reinstalling (an upgrade) keeps what the operator wrote.
echo "# kept across upgrades" >> /etc/agencyos-billing/billing.env
dpkg -i "$server_deb" >/dev/null
grep -q "^# kept across upgrades$" /etc/agencyos-billing/billing.env || fail "reinstalling replaced billing.env"
[ "$(stat -c '%a %U:%G' /etc/agencyos-billing/billing.env)" = "640 root:agencyos-billing" ] ||
    fail "reinstalling changed billing.env's permissions"

# The shipped configuration is refused until the keys are filled in.
if /usr/bin/agencyos-billing-server check-config --env-file /etc/agencyos-billing/billing.env >/dev/null 2>&1; then
    fail "check-config accepted the placeholder configuration"
fi

# A test configuration, as an operator would write it.
port=18795
secret="whsec_packagecheck$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
env_file=$(mktemp)
cat > "$env_file" <<ENV
STRIPE_SECRET_KEY=sk_test_packagecheck0000000000
STRIPE_WEBHOOK_SECRET=$secret
STRIPE_PRICE_SOLO=price_pkg_solo
STRIPE_PRICE_TEAM=price_pkg_team
STRIPE_PRICE_ENTERPRISE=price_pkg_enterprise
BILLING_DATA_DIR=/var/lib/agencyos-billing
BILLING_PORT=$port
BILLING_API_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
BILLING_ALLOWED_REDIRECT_HOSTS=app.agencyos.network
ENV
chown root:agencyos-billing "$env_file"
chmod 640 "$env_file"
runuser -u agencyos-billing -- /usr/bin/agencyos-billing-server check-config --env-file "$env_file" >/dev/null

# setpriv execs the service itself (runuser would stand between it and SIGTERM).
setpriv --reuid agencyos-billing --regid agencyos-billing --init-groups \
    /usr/bin/agencyos-billing-server serve --env-file "$env_file" >/tmp/agencyos-package-check.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$env_file"' EXIT
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
health=$(curl -s "http://127.0.0.1:$port/healthz")
grep -q '"status":"ok"' <<<"$health" || fail "healthz: $health"

body='{"id":"evt_packagecheck1","object":"event","api_version":"2025-03-31.basil","created":'$(date +%s)',"livemode":false,"type":"customer.created","data":{"object":{"id":"cus_packagecheck","object":"customer"}}}'
t=$(date +%s)
signature=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)
answer=$(curl -s -w ' %{http_code}' -X POST "http://127.0.0.1:$port/payments/stripe/webhook" \
    -H 'Content-Type: application/json' -H "Stripe-Signature: t=$t,v1=$signature" --data-binary "$body")
[ "${answer##* }" = 200 ] || fail "signed webhook: $answer"
bad=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/payments/stripe/webhook" \
    -H 'Content-Type: application/json' -H "Stripe-Signature: t=$t,v1=00" --data-binary "$body")
[ "$bad" = 400 ] || fail "a bad signature got $bad"

kill -TERM $pid
wait $pid || fail "the service did not stop cleanly on SIGTERM (see /tmp/agencyos-package-check.log)"
[ "$(stat -c '%U' /var/lib/agencyos-billing/billing.sqlite3)" = agencyos-billing ] || fail "database not owned by the service user"
[ "$(stat -c '%a' /var/lib/agencyos-billing/license-signing-key.pem)" = 600 ] || fail "signing key is not 0600"
echo "check-packages: installed, configured, served /healthz and a signed webhook, stopped cleanly"
