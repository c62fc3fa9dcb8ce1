#!/usr/bin/env bash
# Start the production command against a scratch PostgreSQL database and check /healthz.
# usage: smoke_gunicorn.sh postgres://postgres@127.0.0.1:5432/pos_smoke
set -euo pipefail
cd "$(dirname "$0")/.."
url="$1"
db="${url##*/}"
PGOPTIONS="-c client_min_messages=warning" psql "${url%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" >/dev/null
psql "${url%/*}/postgres" -qc "CREATE DATABASE ${db}" >/dev/null
export DATABASE_URL="$url" DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=false
# Static files go to a scratch folder: the hashed storage must be on, as in production.
export STATIC_ROOT="${TMPDIR:-/tmp}/pos-smoke-static-${db}" STATIC_HASHED_NAMES=true
python manage.py migrate --noinput -v0
port=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BIND="127.0.0.1:${port}" WEB_CONCURRENCY=1 bash scripts/gunicorn.sh >"${TMPDIR:-/tmp}/pos-smoke-gunicorn-${db}.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$STATIC_ROOT"; psql "${url%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 30); do
  if body=$(curl -fsS "http://127.0.0.1:${port}/healthz" 2>/dev/null); then
    echo "healthz: $body"
    echo "$body" | grep -q '"status": "ok"'
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d '{"query":"{ __typename }"}' "http://127.0.0.1:${port}/graphql/")
    [ "$code" = "200" ] || { echo "/graphql/ answered $code" >&2; exit 1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port}/static/admin/css/base.css")
    [ "$code" = "200" ] || { echo "/static/admin/css/base.css answered $code" >&2; exit 1; }
    exit 0
  fi
  sleep 1
done
echo "gunicorn did not answer /healthz; its log:" >&2
cat "${TMPDIR:-/tmp}/pos-smoke-gunicorn-${db}.log" >&2
exit 1
