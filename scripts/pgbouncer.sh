#!/usr/bin/env bash
# PgBouncer in transaction pooling mode in front of the local test PostgreSQL (docs/SCALING.md).
#
#   bash scripts/pgbouncer.sh start   # prints its base URL (postgres://postgres@127.0.0.1:6432)
#   bash scripts/pgbouncer.sh stop
#
# Installs Debian's pgbouncer package when missing (as root, like scripts/install_browser.sh does for
# Chromium). Every database name is passed through to 127.0.0.1:${POS_PG_PORT:-5432}. The app runs
# behind it with DB_TRANSACTION_POOLING=true, which stops Django from sending the timeouts as the
# `options` startup parameter (PgBouncer 1.18 refuses it); PgBouncer sets the same DB_*_TIMEOUT_MS
# values with connect_query on each server connection before any client uses it.
set -euo pipefail

PRIMARY_PORT="${POS_PG_PORT:-5432}"
PORT="${POS_PGBOUNCER_PORT:-6432}"
STATE_DIR="${POS_PGBOUNCER_DIR:-/tmp/pos-pgbouncer-${PORT}}"
URL="postgres://postgres@127.0.0.1:${PORT}"

log() { printf 'pgbouncer: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

install_pgbouncer() {
  command -v pgbouncer >/dev/null 2>&1 && return
  [ -x /usr/sbin/pgbouncer ] && return
  [ "$(id -u)" = "0" ] || die "pgbouncer is not installed: sudo apt-get install pgbouncer"
  log "installing Debian's pgbouncer package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null
}

binary() { command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer; }

answers() { psql "${URL}/postgres" -XAtqc "SELECT 1" >/dev/null 2>&1; }

start() {
  install_pgbouncer
  if [ -f "${STATE_DIR}/pgbouncer.pid" ] && kill -0 "$(cat "${STATE_DIR}/pgbouncer.pid")" 2>/dev/null; then
    answers && {
      log "already running on port ${PORT}"
      echo "$URL"
      return
    }
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; then
    die "port ${PORT} is taken (POS_PGBOUNCER_PORT=... to move)"
  fi
  rm -rf "$STATE_DIR"
  mkdir -p "$STATE_DIR"
  local timeouts
  timeouts="SET statement_timeout = ${DB_STATEMENT_TIMEOUT_MS:-15000};"
  timeouts+=" SET lock_timeout = ${DB_LOCK_TIMEOUT_MS:-3000};"
  timeouts+=" SET idle_in_transaction_session_timeout = ${DB_IDLE_IN_TRANSACTION_TIMEOUT_MS:-30000}"
  cat >"${STATE_DIR}/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=${PRIMARY_PORT} connect_query='${timeouts}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${PORT}
unix_socket_dir =
auth_type = trust
auth_file = ${STATE_DIR}/userlist.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
; Nothing is reset between transactions: the app keeps no session state (DB_TRANSACTION_POOLING).
server_reset_query =
logfile = ${STATE_DIR}/pgbouncer.log
pidfile = ${STATE_DIR}/pgbouncer.pid
admin_users = postgres
INI
  echo '"postgres" ""' >"${STATE_DIR}/userlist.txt"
  local as_user=()
  if [ "$(id -u)" = "0" ]; then
    chown -R postgres: "$STATE_DIR"
    as_user=(-u postgres)
  fi
  "$(binary)" -d "${as_user[@]}" "${STATE_DIR}/pgbouncer.ini"
  for _ in $(seq 1 40); do
    if answers; then
      log "transaction pooling on port ${PORT} in front of port ${PRIMARY_PORT}"
      echo "$URL"
      return
    fi
    sleep 0.25
  done
  die "pgbouncer did not answer: $(tail -n 20 "${STATE_DIR}/pgbouncer.log" 2>/dev/null)"
}

stop() {
  local pidfile="${STATE_DIR}/pgbouncer.pid"
  if [ -f "$pidfile" ]; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  rm -rf "$STATE_DIR"
  log "stopped"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) die "usage: bash scripts/pgbouncer.sh start|stop" ;;
esac
