#!/usr/bin/env bash
# One command for the whole benchmark (see bench/README.md). Loopback only, bounded in time.
#   bash bench/run.sh                     # small shop, 8 s per step
#   BENCH_DAYS=365 BENCH_SALES_PER_DAY=1100 BENCH_PRODUCTS=5000 bash bench/run.sh
#   BENCH_DB_KEEP=pos_bench_1m bash bench/run.sh   # reuse an already generated database (no generation)
#   BENCH_DAYS=365 BENCH_SALES_PER_DAY=1100 BENCH_PRODUCTS=5000 BENCH_CUSTOMERS=2000 bash bench/run.sh
#                                                  # everything at full size (1M lines): ~9 minutes
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || command -v python )}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
DURATION=${BENCH_DURATION:-8}
CLIENTS=${BENCH_CLIENTS:-"1 4 8 16"}
SCENARIOS=${BENCH_SCENARIOS:-"typename createSale createSale3 createSaleHot productByCode products priceSale salesStats profitAndLoss"}
CEILING=${BENCH_CEILING:-"$(dirname "$0")/../../shared/bench/ceiling.sh"}
stamp=$(date +%Y%m%d-%H%M%S)
out="$here/results/$stamp"
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

export DEBUG=0 SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost LOG_LEVEL=WARNING
export SECRET_KEY=${SECRET_KEY:-bench-secret-key-not-for-production-0123456789abcdef}
export JWT_SECRET=${JWT_SECRET:-bench-jwt-secret-not-for-production-fedcba9876543210}
if [ -n "${BENCH_DB_KEEP:-}" ]; then
  db=$BENCH_DB_KEEP
else
  db=pos_bench_run_$$
  psql "$PG_BASE/postgres" -qc "CREATE DATABASE $db" >/dev/null
fi
export DATABASE_URL="$PG_BASE/$db"
gpid=""
sampler=""
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  if [ -n "$gpid" ]; then kill "$gpid" 2>/dev/null || true; wait "$gpid" 2>/dev/null || true; fi
  if [ -z "${BENCH_DB_KEEP:-}" ] && [ -z "${BENCH_KEEP_DB:-}" ]; then
    psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
{
  echo "date: $(date -Is)"; echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "nproc: $(nproc)"; echo "memory: $(free -h | awk '/Mem:/{print $2}')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "postgres: $(psql "$PG_BASE/postgres" -tAc 'SHOW server_version')"
  echo "duration_per_step_s: $DURATION"
} >"$out/machine.txt"
cat "$out/machine.txt"

if [ -z "${BENCH_DB_KEEP:-}" ]; then
  echo "==> migrate + generate_data"
  $PY manage.py migrate --noinput -v0
  $PY manage.py generate_data --products "${BENCH_PRODUCTS:-1000}" --customers "${BENCH_CUSTOMERS:-300}" \
    --days "${BENCH_DAYS:-30}" --sales-per-day "${BENCH_SALES_PER_DAY:-200}" --seed "${BENCH_SEED:-1}" \
    | tee "$out/generate.txt"
fi
echo "==> prepare (bench user, stock top-up through receive_stock_many)"
$PY bench/prep.py prepare "$out"

echo "==> ceiling: $CEILING (pgbench, same server)"
timeout $(( (DURATION + 40) * 4 + 60 )) bash "$CEILING" "$PG_BASE/postgres" "$DURATION" $CLIENTS | tee "$out/ceiling.txt"

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "==> gunicorn (scripts/gunicorn.sh, production defaults) on 127.0.0.1:$port"
BIND="127.0.0.1:$port" PATH="$(dirname "$PY"):$PATH" bash scripts/gunicorn.sh >"$out/gunicorn.log" 2>&1 &
gpid=$!
for _ in $(seq 1 30); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null

# Worker RSS, sampled every second through the whole load (max per worker goes to rss.txt).
( while sleep 1; do
    for w in $(pgrep -P "$gpid" 2>/dev/null); do
      ps -o pid=,ppid=,rss= -p "$w" 2>/dev/null
    done
  done >"$out/rss_samples.txt" ) &
sampler=$!

token() {
  curl -fsS -H 'Content-Type: application/json' "http://127.0.0.1:$port/graphql/" \
    -d "{\"query\":\"mutation { tokenAuth(username: \\\"${BENCH_USER:-bench-admin}\\\", password: \\\"${BENCH_PASSWORD:-Bench-Pass-2026-loopback}\\\") { token } }\"}" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["data"]["tokenAuth"]["token"])'
}
before=$($PY bench/prep.py count)
export BENCH_DATA="$out/data.lua" BENCH_OUT="$out/load.jsonl"
for scenario in $SCENARIOS; do
  for c in $CLIENTS; do
    # A fresh access token per step: they live 15 minutes.
    BENCH_TOKEN=$(token) BENCH_SCENARIO=$scenario BENCH_CLIENTS=$c \
      timeout $((DURATION + 30)) wrk -t $(( c < 2 ? c : 2 )) -c "$c" -d "${DURATION}s" --timeout 10s \
      -s "$here/load.lua" "http://127.0.0.1:$port" >"$out/wrk-$scenario-$c.txt" 2>&1 || echo "wrk failed for $scenario/$c" >&2
    tail -1 "$out/load.jsonl" | cut -c1-200
  done
done
kill "$sampler" 2>/dev/null || true; sampler=""
unanswered=$($PY -c "
import json
print(sum(r['unanswered'] for r in map(json.loads, open('$out/load.jsonl')) if r['scenario'].startswith('createSale')))")
kill "$gpid"; wait "$gpid" 2>/dev/null || true; gpid=""

echo "==> verify: no negative stock, no lost sale, check_ledgers"
set +e
$PY bench/prep.py verify "$before" "$out/load.jsonl.tids" "$unanswered" | tee "$out/verify.txt"
verified=${PIPESTATUS[0]}
set -e
$PY bench/report.py "$out" | tee "$out/report.md"

# Figures that survive a noisy machine (CPU per request) and the year-long reports (GraphQL vs raw
# SQL): both on the same database, after the verification (cpu_cost.py writes a few hundred sales).
echo "==> CPU per request (bench/cpu_cost.py, in-process)"
timeout 600 $PY bench/cpu_cost.py "${BENCH_CPU_REQUESTS:-200}" | tee "$out/cpu_cost.md"
echo "==> report timings (bench/report_timings.py)"
timeout 900 $PY bench/report_timings.py "${BENCH_REPORT_REPEAT:-3}" | tee "$out/report_timings.md"
echo "results: $out"
exit "$verified"
