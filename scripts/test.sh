#!/usr/bin/env bash
# Run every check and the whole test suite, on SQLite and then PostgreSQL: bash scripts/test.sh
# Extra arguments go to pytest (e.g. bash scripts/test.sh -k sale -x).
source "$(dirname "$0")/lib.sh"
ensure_venv

# Production-like settings with throw-away secrets: tests run with DEBUG off.
export DEBUG=0
export SECRET_KEY="${SECRET_KEY:-test-secret-key-not-for-production-0123456789abcdef}"
export JWT_SECRET="${JWT_SECRET:-test-jwt-secret-not-for-production-fedcba9876543210}"
export SECURE_SSL_REDIRECT=false
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-testserver,localhost,127.0.0.1}"
PG_HOST=127.0.0.1
PG_PORT=5432
PG_BASE="postgres://postgres@${PG_HOST}:${PG_PORT}"
# Database names, overridable so that several checkouts can run the suite side by side.
PG_DB="${POS_PG_DB:-pos_ci}"
started=$(date +%s)

say "Lint (ruff)"
ruff check .
ruff format --check .

say "Django system checks"
python manage.py check --fail-level WARNING
SECRET_KEY="deploy-check-$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')" \
  JWT_SECRET="deploy-jwt-$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')" \
  ALLOWED_HOSTS=pos.example.com SECURE_SSL_REDIRECT=true \
  python manage.py check --deploy --fail-level WARNING

say "Migrations are committed"
python manage.py makemigrations --check --dry-run

say "schema.graphql matches the code"
schema_tmp=$(mktemp --suffix=.graphql)
python manage.py graphql_schema --schema config.schema.schema --out "$schema_tmp" >/dev/null
if ! diff -u schema.graphql "$schema_tmp"; then
  echo "schema.graphql is out of date: run 'bash scripts/export_schema.sh' and commit it." >&2
  exit 1
fi
rm -f "$schema_tmp"

say "Test suite on SQLite"
python -m pytest -p no:cacheprovider "$@"

say "Browser check: Chromium against gunicorn with DEBUG off, GraphiQL offline (screenshots/)"
bash scripts/browser_check.sh

pg_ready() { python - <<PY 2>/dev/null
import psycopg2
psycopg2.connect("${PG_BASE}/postgres", connect_timeout=3).close()
PY
}

if ! pg_ready; then
  if [ "${CI:-}" = "true" ]; then
    warn "PostgreSQL is not answering on ${PG_HOST}:${PG_PORT}; trying to start it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 20); do pg_ready && break; sleep 1; done
    pg_ready || { echo "PostgreSQL cannot be reached and CI=true: failing." >&2; exit 1; }
  else
    warn "###########################################################################"
    warn "PostgreSQL is not reachable on ${PG_HOST}:${PG_PORT}: the PostgreSQL pass was SKIPPED."
    warn "Start it (pg_ctlcluster ... main start) and run this again before you push."
    warn "###########################################################################"
    exit 0
  fi
fi

say "Test suite on PostgreSQL"
DATABASE_URL="${PG_BASE}/${PG_DB}" python -m pytest -p no:cacheprovider --create-db "$@"

say "Read replica: a streaming replica of the test PostgreSQL (scripts/pg_replica.sh), routing and report tests on it"
# The routing tests also run against a replica alias that mirrors the test database (TEST MIRROR);
# with a real replica, the report reads must find on it what the primary wrote once replayed.
if replica_base=$(bash scripts/pg_replica.sh start); then
  trap 'bash scripts/pg_replica.sh stop' EXIT
  DATABASE_URL="${PG_BASE}/${PG_DB}" DATABASE_REPLICA_URLS="${replica_base}/${PG_DB}" \
    python -m pytest -p no:cacheprovider --create-db tests/test_db_routing.py tests/reports
  bash scripts/pg_replica.sh stop
  trap - EXIT
elif [ "${CI:-}" = "true" ]; then
  echo "The streaming replica could not be started and CI=true: failing." >&2
  exit 1
else
  warn "###########################################################################"
  warn "The streaming replica could not be started (see above): the REAL REPLICA TESTS were SKIPPED;"
  warn "only the routing tests run, against a replica alias mirroring the test database."
  warn "Run this as root (sudo bash scripts/test.sh) before you push."
  warn "###########################################################################"
  DATABASE_URL="${PG_BASE}/${PG_DB}" DATABASE_REPLICA_URLS="${PG_BASE}/${PG_DB}" \
    python -m pytest -p no:cacheprovider --create-db tests/test_db_routing.py
fi

say "PgBouncer in transaction pooling mode (scripts/pgbouncer.sh): the PostgreSQL concurrency tests through it"
pooled_db="${PG_DB}_pgbouncer"
drop_pooled_test_db() {
  psql "${PG_BASE}/postgres" -qc "DROP DATABASE IF EXISTS test_${pooled_db} WITH (FORCE)" 2>/dev/null || true
}
if pgbouncer_base=$(bash scripts/pgbouncer.sh start); then
  # PgBouncer keeps server connections to the test database open, so Django cannot drop it at the
  # end (a warning); it is dropped here, directly on PostgreSQL, before and after.
  trap 'bash scripts/pgbouncer.sh stop; drop_pooled_test_db' EXIT
  drop_pooled_test_db
  DB_TRANSACTION_POOLING=true DATABASE_URL="${pgbouncer_base}/${pooled_db}" \
    python -m pytest -p no:cacheprovider --create-db -m postgres -W "ignore:Error when trying to teardown test databases:pytest.PytestWarning" \
    --ignore=tests/test_db_routing.py tests
  bash scripts/pgbouncer.sh stop
  drop_pooled_test_db
  trap - EXIT
elif [ "${CI:-}" = "true" ]; then
  echo "PgBouncer could not be started and CI=true: failing." >&2
  exit 1
else
  warn "###########################################################################"
  warn "PgBouncer could not be started (see above): the PGBOUNCER TESTS were SKIPPED."
  warn "Run this as root (sudo bash scripts/test.sh, which installs it) before you push."
  warn "###########################################################################"
fi

say "Schema fuzzer: every root field, hostile arguments, each role, against gunicorn with DEBUG off"
fuzz_db="${PG_DB}_fuzz"
psql "${PG_BASE}/postgres" -qc "DROP DATABASE IF EXISTS ${fuzz_db} WITH (FORCE)" -qc "CREATE DATABASE ${fuzz_db}" 2>/dev/null
POS_FUZZ=1 POS_FUZZ_DATABASE_URL="${PG_BASE}/${fuzz_db}" python -m pytest -p no:cacheprovider tests/fuzz
psql "${PG_BASE}/postgres" -qc "DROP DATABASE IF EXISTS ${fuzz_db} WITH (FORCE)" 2>/dev/null || true

say "Production server (gunicorn, as in docker-compose) answers /healthz on PostgreSQL"
bash scripts/smoke_gunicorn.sh "${PG_BASE}/${PG_DB}_smoke"

say "All checks passed in $(( $(date +%s) - started )) s"
