#!/usr/bin/env bash
# createSale throughput of an old tree against this one, in alternating rounds on the same database.
#   git archive <old-commit> | (mkdir -p /tmp/old && tar -x -C /tmp/old)
#   OLD=/tmp/old DATABASE_URL=postgres://.../<generated db> bash bench/sale_ab.sh [ROUNDS] [CLIENTS] [SECONDS]
# Each round starts gunicorn (scripts/gunicorn.sh, production defaults) from one tree, drives it with
# wrk (bench/load.lua, BENCH_SCENARIO, default createSale3) for SECONDS, stops it, then the other
# tree; the order flips every round (old first, new first, ...). Both trees use this tree's .venv.
# Prints one JSON line per run and, last, the median throughput and p99 of each tree and the ratio
# new/old per round. The database is prepared once (bench/prep.py prepare); an old tree that does not
# write what this one writes (e.g. summaries) leaves them behind: rebuild before check_ledgers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
PY=${PYTHON:-$root/.venv/bin/python}
OLD=${OLD:?set OLD to a checkout of the old commit}
rounds=${1:-5}
clients=${2:-8}
seconds=${3:-10}
scenario=${BENCH_SCENARIO:-createSale3}
: "${DATABASE_URL:?}"
export DEBUG=0 SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost LOG_LEVEL=WARNING
export SECRET_KEY=${SECRET_KEY:-bench-secret-key-not-for-production-0123456789abcdef}
export JWT_SECRET=${JWT_SECRET:-bench-jwt-secret-not-for-production-fedcba9876543210}
out="$here/results/ab-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
$PY bench/prep.py prepare "$out" >/dev/null
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
gpid=""
cleanup() { if [ -n "$gpid" ]; then kill "$gpid" 2>/dev/null || true; wait "$gpid" 2>/dev/null || true; fi; }
trap cleanup EXIT

run() {  # run TREE LABEL ROUND
  (cd "$1" && BIND="127.0.0.1:$port" PATH="$(dirname "$PY"):$PATH" exec bash scripts/gunicorn.sh) \
    >"$out/gunicorn-$2-$3.log" 2>&1 &
  gpid=$!
  for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  local token
  token=$(curl -fsS -H 'Content-Type: application/json' "http://127.0.0.1:$port/graphql/" \
    -d "{\"query\":\"mutation { tokenAuth(username: \\\"${BENCH_USER:-bench-admin}\\\", password: \\\"${BENCH_PASSWORD:-Bench-Pass-2026-loopback}\\\") { token } }\"}" |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["data"]["tokenAuth"]["token"])')
  BENCH_DATA="$out/data.lua" BENCH_OUT="$out/$2.jsonl" BENCH_TOKEN=$token BENCH_SCENARIO=$scenario \
    BENCH_CLIENTS=$clients timeout $((seconds + 30)) wrk -t 2 -c "$clients" -d "${seconds}s" --timeout 10s \
    -s "$here/load.lua" "http://127.0.0.1:$port" >"$out/wrk-$2-$3.txt" 2>&1 || echo "wrk failed: $2 $3" >&2
  echo "$2 round $3: $(tail -1 "$out/$2.jsonl" | cut -c1-160)"
  kill "$gpid"; wait "$gpid" 2>/dev/null || true; gpid=""
}

for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then run "$OLD" old "$round"; run "$root" new "$round"
  else run "$root" new "$round"; run "$OLD" old "$round"; fi
done
$PY - "$out" <<'EOF'
import json, statistics, sys
out = sys.argv[1]
runs = {name: [json.loads(line) for line in open(f"{out}/{name}.jsonl")] for name in ("old", "new")}
for name, rows in runs.items():
    print(f"{name}: rps median {statistics.median(r['rps'] for r in rows):.1f} "
          f"(min {min(r['rps'] for r in rows):.1f}, max {max(r['rps'] for r in rows):.1f}); "
          f"p99 median {statistics.median(r['p99_ms'] for r in rows):.0f} ms; "
          f"errors {sum(r['errors'] for r in rows)}, refused {sum(r['refused'] for r in rows)}")
ratios = [n["rps"] / o["rps"] for o, n in zip(runs["old"], runs["new"])]
print("new/old throughput per round:", ", ".join(f"{r:.3f}" for r in ratios),
      f"median {statistics.median(ratios):.3f}")
EOF
echo "results: $out"
