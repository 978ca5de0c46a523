#!/usr/bin/env bash
# The PostgreSQL server the tests use: Debian's PostgreSQL 15, a cluster of its own in a fresh temporary
# directory, on a free loopback port, run by an unprivileged user (the `postgres` account when called as
# root). Nothing else on the machine is touched.
#
#   test-postgres.sh start STATE   starts it; writes its connection string to STATE, and STATE.dir
#   test-postgres.sh stop STATE    stops it and removes its directory
#   test-postgres.sh pause STATE   stops the server (fast shutdown), keeping its data, as a restart would
#   test-postgres.sh resume STATE  starts the paused server again on the same port
#
# The tests' server skips fsync (their data need not survive a power cut, and commits are 10× quicker);
# TEST_POSTGRES_FSYNC=on keeps it, as the benchmarks do to compare durable commits with SQLite's.
set -euo pipefail
action=${1:?start or stop}
state=${2:?state file}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bin/pg_ctl" ]] || { echo "test-postgres: PostgreSQL's server is not installed (scripts/install-deps.sh)" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  [[ -f "$state.dir" ]] || return 0
  local dir
  dir=$(cat "$state.dir")
  if [[ -d "$dir/data" ]]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir" "$state" "$state.dir"
}

# Starts the server of directory $1 on port $2.
run_server() {
  as_owner "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
    -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c fsync=${TEST_POSTGRES_FSYNC:-off} -c max_connections=300" \
    start >/dev/null ||
    { cat "$1/server.log" >&2; exit 1; }
}

case "$action" in
start)
  stop
  dir=$(mktemp -d /tmp/hookd-postgres.XXXXXX)
  echo "$dir" >"$state.dir"
  [[ $(id -u) -ne 0 ]] || chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U hookd -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  run_server "$dir" "$port"
  echo "postgresql://hookd@127.0.0.1:$port/postgres" >"$state"
  echo "test-postgres: PostgreSQL on 127.0.0.1:$port ($dir)"
  ;;
stop) stop ;;
pause) as_owner "$bin/pg_ctl" -D "$(cat "$state.dir")/data" -m fast -w stop >/dev/null ;;
resume)
  port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$state")
  run_server "$(cat "$state.dir")" "$port"
  ;;
*) echo "usage: test-postgres.sh start|stop|pause|resume STATE" >&2; exit 2 ;;
esac
