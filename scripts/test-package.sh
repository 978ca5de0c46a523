#!/usr/bin/env bash
# The Debian package as an operator gets it: builds it (scripts/package.sh), installs it with apt-get on
# this machine, checks what it installed (files, modes, the hookd user, the conffile, the man pages, a
# stripped binary), checks the unit with systemd-analyze and the package with lintian, runs the installed
# hookd as the hookd user with the installed configuration and publishes a message through it, then
# removes the package (data and user stay) and purges it (both go). Needs root; it puts the machine back
# as it found it, and refuses to run where a hookd package is installed already.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() {
  echo "package test: $*" >&2
  exit 1
}
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1
  shift
  "$@" >/dev/null 2>&1 || fail "$what (${*})"
  echo "package test: $what"
}
# The package is built as the caller (a root-owned build tree would stop later builds), installed as root.
if [[ $(id -u) -ne 0 ]]; then
  deb=$(scripts/package.sh)
  command -v sudo >/dev/null || fail "needs root, or sudo, to install and purge the package"
  exec sudo -n env HOOKD_TEST_PACKAGE="$deb" "$0" "$@"
fi
# Never on a machine that has hookd: purging at the end would take its data, its user and its settings.
exec 9>/run/lock/hookd-test-package.lock
flock -n 9 || fail "another package test is running"
if dpkg-query -W hookd >/dev/null 2>&1 || getent passwd hookd >/dev/null || [[ -e /var/lib/hookd || -e /etc/hookd ]]; then
  fail "this machine has hookd (the package, its user, /var/lib/hookd or /etc/hookd): not testing here"
fi
deb=${HOOKD_TEST_PACKAGE:-$(scripts/package.sh)}
work=$(mktemp -d)
server=""
cleanup() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  dpkg-query -W hookd >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get purge -y -q hookd >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "apt-get install $deb failed"; }
check "the installed hookd names its version and commit" \
  bash -c '/usr/bin/hookd --version | grep -Eq "^hookd [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{12}"'
check "/usr/bin/hookd is stripped" bash -c 'file -L /usr/bin/hookd | grep -q ", stripped"'
check "hookd is a system user without a login shell" \
  bash -c '[[ $(getent passwd hookd | cut -d: -f3) -lt 1000 && $(getent passwd hookd | cut -d: -f7) == */nologin ]]'
check "/var/lib/hookd is hookd's, 0700" test "$(stat -c '%U %G %a' /var/lib/hookd)" = "hookd hookd 700"
check "/etc/hookd/hookd.toml is a conffile" bash -c 'dpkg-query -W -f="\${Conffiles}" hookd | grep -q /etc/hookd/hookd.toml'
check "the systemd unit is installed" test -f /lib/systemd/system/hookd.service
check "every subcommand has a man page" bash -c 'for c in "" -serve -hooks -listen -jwt -secret -sign -verify -prune \
  -migrate -copy-to-postgres; do test -f /usr/share/man/man1/hookd$c.1.gz || exit 1; done'
check "the copyright file and NOTICE are installed" test -f /usr/share/doc/hookd/copyright -a -f /usr/share/doc/hookd/NOTICE
systemd-analyze verify --man=no /lib/systemd/system/hookd.service >"$work/verify.log" 2>&1 ||
  { cat "$work/verify.log"; fail "systemd-analyze verify hookd.service"; }
echo "package test: systemd-analyze verify hookd.service"
lintian --fail-on error --suppress-tags-from-file /dev/null "$deb" >"$work/lintian.log" 2>&1 ||
  { cat "$work/lintian.log"; fail "lintian reports errors"; }
echo "package test: lintian, no errors ($(grep -c '^W:' "$work/lintian.log" || true) warnings)"

# The installed binary, as the hookd user, with the installed configuration (on a free port). setpriv
# runs it in this process (runuser would stand between the signal and hookd).
setpriv --reuid=hookd --regid=hookd --init-groups /usr/bin/hookd serve --config /etc/hookd/hookd.toml --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
url=$(grep -o 'listening on [^ ]*' "$work/serve.log" | cut -d' ' -f3)
token=$(grep -o 'eyJ[A-Za-z0-9._-]*' "$work/serve.log" | head -1)
[[ -n "$url" && -n "$token" ]] || { cat "$work/serve.log"; fail "the installed hookd did not start"; }
auth=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
curl -sf "${auth[@]}" "$url/api/v1/app" -d '{"name":"Package test","uid":"package-test"}' >/dev/null ||
  fail "creating an application"
status=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/api/v1/app/package-test/msg" \
  -d '{"eventType":"package.tested","payload":{"ok":true}}')
[[ "$status" == 202 ]] || fail "publishing a message answered $status"
echo "package test: the installed hookd, run as hookd, accepted a message"
check "its database is hookd's, 0600" test "$(stat -c '%U %a' /var/lib/hookd/hookd.db)" = "hookd 600"
kill -TERM "$server"
wait "$server" || fail "hookd did not stop cleanly on SIGTERM"
server=""
echo "package test: it stopped on SIGTERM"

DEBIAN_FRONTEND=noninteractive apt-get remove -y -q hookd >/dev/null 2>&1 || fail "apt-get remove hookd"
check "remove takes the binary" test ! -e /usr/bin/hookd
check "remove keeps the data" test -f /var/lib/hookd/hookd.db
check "remove keeps the user" getent passwd hookd
check "remove keeps the configuration" test -f /etc/hookd/hookd.toml
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q hookd >/dev/null 2>&1 || fail "apt-get purge hookd"
check "purge takes the data" test ! -e /var/lib/hookd
check "purge takes the user and its group" bash -c '! getent passwd hookd && ! getent group hookd'
check "purge takes the configuration" test ! -e /etc/hookd
echo "package test: passed"
