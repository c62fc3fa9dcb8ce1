#!/usr/bin/env bash
# A real streaming replica of the local test PostgreSQL, for the replica tests (docs/SCALING.md).
#
#   bash scripts/pg_replica.sh start   # prints the replica's base URL (postgres://postgres@127.0.0.1:5433)
#   bash scripts/pg_replica.sh stop    # stops it and deletes its data directory
#
# As root (or the postgres user) on Debian: pg_basebackup -R copies the primary at
# 127.0.0.1:${POS_PG_PORT:-5432} into a temporary directory and a second postgres (same version,
# /usr/lib/postgresql/<ver>/bin) serves it read-only on ${POS_REPLICA_PORT:-5433}, streaming the
# primary's WAL. No replication slot is created, so a replica left behind never makes the primary
# keep WAL.
#
# Changes to the primary, made only when missing: a pg_hba.conf line letting user postgres open
# replication connections from 127.0.0.1 (trust, as the test server already trusts 127.0.0.1 for
# every database), applied with a reload, which drops no connection. wal_level=replica and
# max_wal_senders>0 (Debian's defaults) need a restart if missing: under CI=true the script sets them
# and restarts the cluster; elsewhere it stops and prints the commands, since restarting a shared
# server would break the other runs on it.
set -euo pipefail

PRIMARY_HOST=127.0.0.1
PRIMARY_PORT="${POS_PG_PORT:-5432}"
REPLICA_PORT="${POS_REPLICA_PORT:-5433}"
STATE_DIR="${POS_REPLICA_DIR:-/tmp/pos-pg-replica-${REPLICA_PORT}}"
DATA_DIR="${STATE_DIR}/data"
PRIMARY="postgres://postgres@${PRIMARY_HOST}:${PRIMARY_PORT}/postgres"
REPLICA="postgres://postgres@127.0.0.1:${REPLICA_PORT}"

log() { printf 'pg_replica: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
primary_sql() { psql "$PRIMARY" -XAtqc "$1"; }

as_postgres() {
  if [ "$(id -un)" = "postgres" ]; then
    "$@"
  elif [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    die "run as root or as the postgres user (the replica's files must belong to postgres)"
  fi
}

server_bin() {
  local version
  version=$(primary_sql "SHOW server_version_num")
  version=$((version / 10000))
  [ -x "/usr/lib/postgresql/${version}/bin/pg_ctl" ] ||
    die "no PostgreSQL ${version} server binaries in /usr/lib/postgresql/${version}/bin"
  echo "/usr/lib/postgresql/${version}/bin"
}

allow_replication_connections() {
  local hba
  hba=$(primary_sql "SHOW hba_file")
  if primary_sql "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)
                  AND ('postgres' = ANY(user_name) OR 'all' = ANY(user_name)) AND error IS NULL" | grep -qv '^0$'; then
    return
  fi
  [ -w "$hba" ] || die "the primary refuses replication connections and ${hba} is not writable: add
  'host replication postgres 127.0.0.1/32 trust' to it and reload PostgreSQL"
  log "allowing replication connections from 127.0.0.1 in ${hba} (then reloading the primary)"
  printf '\n# Added by POS Server scripts/pg_replica.sh: streaming replica for the tests.\nhost replication postgres 127.0.0.1/32 trust\n' >>"$hba"
  primary_sql "SELECT pg_reload_conf()" >/dev/null
  sleep 1
}

ensure_wal_for_replicas() {
  local wal_level senders
  wal_level=$(primary_sql "SHOW wal_level")
  senders=$(primary_sql "SHOW max_wal_senders")
  if [ "$wal_level" != "minimal" ] && [ "$senders" -gt 0 ]; then
    return
  fi
  if [ "${CI:-}" != "true" ]; then
    die "the primary has wal_level=${wal_level}, max_wal_senders=${senders}: run
  psql ${PRIMARY} -c \"ALTER SYSTEM SET wal_level = replica\" -c \"ALTER SYSTEM SET max_wal_senders = 10\"
and restart PostgreSQL (pg_ctlcluster <version> main restart); CI=true does this itself"
  fi
  log "CI: setting wal_level=replica, max_wal_senders=10 and restarting the primary"
  primary_sql "ALTER SYSTEM SET wal_level = replica" >/dev/null
  primary_sql "ALTER SYSTEM SET max_wal_senders = 10" >/dev/null
  pg_ctlcluster --skip-systemctl-redirect "$(basename "$(dirname "$(server_bin)")")" main restart
}

write_replica_config() {
  # Debian keeps postgresql.conf in /etc, so the copied data directory has none. A hot standby needs
  # these limits at least as high as the primary's.
  local limits=""
  for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction; do
    limits+="${name} = $(primary_sql "SHOW ${name}")"$'\n'
  done
  cat >"${DATA_DIR}/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = ${REPLICA_PORT}
unix_socket_directories = '${STATE_DIR}'
hba_file = '${STATE_DIR}/pg_hba.conf'
ident_file = '${STATE_DIR}/pg_ident.conf'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 32MB
fsync = off
ssl = off
${limits}
CONF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"${STATE_DIR}/pg_hba.conf"
  : >"${STATE_DIR}/pg_ident.conf"
  chown postgres: "${DATA_DIR}/postgresql.conf" "${STATE_DIR}/pg_hba.conf" "${STATE_DIR}/pg_ident.conf" 2>/dev/null || true
}

replica_sql() { psql "${REPLICA}/postgres" -XAtqc "$1" 2>/dev/null; }

start() {
  command -v pg_basebackup >/dev/null || die "pg_basebackup is missing (apt-get install postgresql-client)"
  primary_sql "SELECT 1" >/dev/null || die "the primary does not answer on ${PRIMARY_HOST}:${PRIMARY_PORT}"
  local bin
  bin=$(server_bin)
  if [ "$(replica_sql "SELECT pg_is_in_recovery()")" = "t" ]; then
    log "a replica already runs on port ${REPLICA_PORT}"
    echo "$REPLICA"
    return
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/${REPLICA_PORT}") 2>/dev/null; then
    die "port ${REPLICA_PORT} is taken by something that is not a replica (POS_REPLICA_PORT=... to move)"
  fi
  ensure_wal_for_replicas
  allow_replication_connections
  stop_quietly
  mkdir -p "$STATE_DIR"
  chown postgres: "$STATE_DIR" 2>/dev/null || true
  chmod 700 "$STATE_DIR"
  log "copying the primary (pg_basebackup -R) into ${DATA_DIR}"
  as_postgres pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$DATA_DIR" \
    -R -X stream -c fast --no-sync
  write_replica_config
  log "starting the replica on port ${REPLICA_PORT}"
  as_postgres "${bin}/pg_ctl" -D "$DATA_DIR" -l "${STATE_DIR}/postgres.log" -w -t 60 start >/dev/null ||
    die "the replica did not start: $(tail -n 20 "${STATE_DIR}/postgres.log")"
  for _ in $(seq 1 60); do
    if [ "$(replica_sql "SELECT status FROM pg_stat_wal_receiver")" = "streaming" ]; then
      log "the replica is streaming from the primary"
      echo "$REPLICA"
      return
    fi
    sleep 0.5
  done
  die "the replica started but does not stream: $(tail -n 20 "${STATE_DIR}/postgres.log")"
}

stop_quietly() {
  if [ -f "${DATA_DIR}/postmaster.pid" ]; then
    as_postgres "$(server_bin)/pg_ctl" -D "$DATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$STATE_DIR"
}

case "${1:-}" in
start) start ;;
stop)
  stop_quietly
  log "stopped"
  ;;
*) die "usage: bash scripts/pg_replica.sh start|stop" ;;
esac
