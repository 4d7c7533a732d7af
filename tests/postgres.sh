#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test run (installed from Debian's packages when missing).
#   tests/postgres.sh start   -> starts it (if not running) and prints its URL
#   tests/postgres.sh stop
set -euo pipefail
DIR=${PG_TEST_DIR:-/tmp/skillcert-pg}
PORT=${PG_TEST_PORT:-55432}
DB=skillcert_test

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(pgbin)" ]; then
  if [ "$(id -u)" != 0 ]; then echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; fi
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; } >&2
fi
BIN=$(pgbin)
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); else AS=(); fi

case "${1:-start}" in
  start)
    if ! "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      rm -rf "$DIR" && mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres "$DIR"
      "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
      "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
      "${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
    fi
    echo "postgresql://postgres@127.0.0.1:$PORT/$DB"
    ;;
  stop)
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
