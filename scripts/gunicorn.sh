#!/usr/bin/env bash
# The production command (used by the Dockerfile, docker-compose and the CI smoke test).
# --preload: the app is imported once in the master, so a worker recycled by --max-requests starts
# at once instead of importing Django and the schema while the tills wait (p99 spikes in bench/).
# --max-requests 20000: recycling guards against slow leaks (worker RSS stays flat at ~70 MB in
# bench/). At 2000 a worker recycled every ~4 s under load, one worker short each time: half the
# throughput of { __typename } and p99 15 -> 118 ms. 20000 is about a day of a busy shop's requests.
# Access log: off by default. The app already writes one JSON line per request (request id, status,
# duration: shared/middleware.py); gunicorn's own line repeated it at a format and a write per
# request. GUNICORN_ACCESS_LOG=1 turns it back on (e.g. to see requests refused before Django).
# Static files: collected here, before the app loads, so the admin and GraphiQL have their CSS and
# JavaScript wherever this runs (docker-compose, a bare machine); WhiteNoise serves them (settings).
set -euo pipefail
cd "$(dirname "$0")/.."
# A bare machine runs from the clone's .venv (scripts/manage.sh or dev.sh made it); the image has none.
if [ -x .venv/bin/python ]; then
  export PATH="$PWD/.venv/bin:$PATH"
fi
python manage.py collectstatic --noinput -v0
access_log=()
if [ "${GUNICORN_ACCESS_LOG:-0}" = "1" ]; then
  access_log=(--access-logfile -)
fi
exec gunicorn config.wsgi:application \
  --bind "${BIND:-0.0.0.0:8000}" \
  --workers "${WEB_CONCURRENCY:-2}" \
  --threads "${GUNICORN_THREADS:-4}" \
  --worker-class gthread \
  --preload \
  --max-requests "${GUNICORN_MAX_REQUESTS:-20000}" \
  --max-requests-jitter 2000 \
  --timeout 30 \
  "${access_log[@]}" \
  "$@"
