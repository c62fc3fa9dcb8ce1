#!/usr/bin/env bash
# Throughput of two commits under the same load, alternating, in one run (issue 15: ratios, not
# single quiet-run figures): bash bench/compare_load.sh OLD_REF [NEW_REF=HEAD]
#
# Each commit gets its own worktree and its own database, generated identically (same seed, so the
# same product ids) and migrated by its own code; gunicorn (scripts/gunicorn.sh, production defaults)
# serves one side at a time. Each round runs every scenario at BENCH_CLIENTS clients for
# BENCH_DURATION seconds on one side, then the other; the side that goes first alternates. Prints
# each round and the median of the per-round new/old ratios of requests per second and of p99.
# Knobs: BENCH_ROUNDS (3), BENCH_DURATION (8), BENCH_CLIENTS (8),
# BENCH_SCENARIOS ("typename createSale3Cash createSale3"), PG_BASE, BENCH_PRODUCTS/DAYS/SALES_PER_DAY.
# OLD_ENV / NEW_ENV: extra environment for one side's gunicorn, to A/B a setting on the same code,
# e.g. NEW_ENV="WEB_CONCURRENCY=4 GUNICORN_THREADS=1" bash bench/compare_load.sh HEAD HEAD.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
old_ref=${1:?usage: bench/compare_load.sh OLD_REF [NEW_REF]}
new_ref=${2:-HEAD}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-8}
CLIENTS=${BENCH_CLIENTS:-8}
SCENARIOS=${BENCH_SCENARIOS:-"typename createSale3Cash createSale3"}
PY="$root/.venv/bin/python"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
out="$here/results/compare-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
work=$(mktemp -d)
export DEBUG=0 SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost LOG_LEVEL=WARNING
export SECRET_KEY=${SECRET_KEY:-bench-secret-key-not-for-production-0123456789abcdef}
export JWT_SECRET=${JWT_SECRET:-bench-jwt-secret-not-for-production-fedcba9876543210}
gpid=""
cleanup() {
  if [ -n "$gpid" ]; then kill "$gpid" 2>/dev/null || true; wait "$gpid" 2>/dev/null || true; fi
  for side in old new; do
    psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS pos_cmp_${side}_$$ WITH (FORCE)" >/dev/null 2>&1 || true
    git worktree remove --force "$work/$side" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

declare -A tree db side_env=([old]="${OLD_ENV:-}" [new]="${NEW_ENV:-}")
for side in old new; do
  ref=$old_ref; [ "$side" = new ] && ref=$new_ref
  tree[$side]="$work/$side"
  db[$side]="$PG_BASE/pos_cmp_${side}_$$"
  git worktree add --detach -q "${tree[$side]}" "$ref"
  ln -s "$root/.venv" "${tree[$side]}/.venv"
  echo "$side: $(git -C "${tree[$side]}" log --oneline -1) ${side_env[$side]:-}" | tee -a "$out/machine.txt"
  psql "$PG_BASE/postgres" -qc "CREATE DATABASE pos_cmp_${side}_$$" >/dev/null
  (
    cd "${tree[$side]}"
    export DATABASE_URL="${db[$side]}"
    "$PY" manage.py migrate --noinput -v0
    "$PY" manage.py generate_data --products "${BENCH_PRODUCTS:-1000}" --customers 300 \
      --days "${BENCH_DAYS:-10}" --sales-per-day "${BENCH_SALES_PER_DAY:-200}" --seed 1 >/dev/null
    mkdir -p "$out/$side"
    "$PY" bench/prep.py prepare "$out/$side" >/dev/null
  )
done

serve() { # side port
  # shellcheck disable=SC2086 # side_env is a list of NAME=value words
  (cd "${tree[$1]}" && exec env ${side_env[$1]} DATABASE_URL="${db[$1]}" BIND="127.0.0.1:$2" \
    PATH="$root/.venv/bin:$PATH" bash scripts/gunicorn.sh) >>"$out/gunicorn-$1.log" 2>&1 &
  gpid=$!
  for _ in $(seq 1 30); do curl -fsS "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return; sleep 1; done
  echo "gunicorn for $1 did not start (see $out/gunicorn-$1.log)" >&2
  exit 1
}
token() {
  curl -fsS -H 'Content-Type: application/json' "http://127.0.0.1:$1/graphql/" \
    -d '{"query":"mutation { tokenAuth(username: \"bench-admin\", password: \"Bench-Pass-2026-loopback\") { token } }"}' |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"]["tokenAuth"]["token"])'
}

for round in $(seq 1 "$ROUNDS"); do
  order="old new"; [ $((round % 2)) -eq 0 ] && order="new old"
  for side in $order; do
    port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    serve "$side" "$port"
    for scenario in $SCENARIOS; do
      BENCH_DATA="$out/$side/data.lua" BENCH_OUT="$out/$side.jsonl" BENCH_TOKEN=$(token "$port") \
        BENCH_SCENARIO=$scenario BENCH_CLIENTS=$CLIENTS \
        timeout $((DURATION + 30)) wrk -t 2 -c "$CLIENTS" -d "${DURATION}s" --timeout 10s \
        -s "$here/load.lua" "http://127.0.0.1:$port" >/dev/null 2>&1 || echo "wrk failed: $side $scenario" >&2
      echo "round $round $side $(tail -1 "$out/$side.jsonl" | cut -c1-150)"
    done
    kill "$gpid"; wait "$gpid" 2>/dev/null || true; gpid=""
  done
done

"$PY" - "$out" <<'PY' | tee "$out/compare.md"
import json, statistics, sys
from pathlib import Path
out = Path(sys.argv[1])
runs = {side: [json.loads(l) for l in open(out / f"{side}.jsonl")] for side in ("old", "new")}
print("| scenario | old req/s (median) | new req/s (median) | new/old req/s (median of rounds) | old p99 ms | new p99 ms | errors old/new |")
print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
for scenario in dict.fromkeys(r["scenario"] for r in runs["old"]):
    old = [r for r in runs["old"] if r["scenario"] == scenario]
    new = [r for r in runs["new"] if r["scenario"] == scenario]
    ratios = [n["rps"] / o["rps"] for o, n in zip(old, new) if o["rps"]]
    med = lambda rows, key: statistics.median(r[key] for r in rows)
    print(f"| {scenario} | {med(old, 'rps'):.1f} | {med(new, 'rps'):.1f} | {statistics.median(ratios):.2f} "
          f"({min(ratios):.2f}-{max(ratios):.2f}) | {med(old, 'p99_ms'):.0f} | {med(new, 'p99_ms'):.0f} | "
          f"{sum(r['errors'] for r in old)}/{sum(r['errors'] for r in new)} |")
PY
echo "results: $out"
