#!/usr/bin/env bash
# The production command (used by the Dockerfile, docker-compose and the CI smoke test).
# --preload: the app is imported once in the master, so a worker recycled by --max-requests starts
# at once instead of importing Django and the schema while the tills wait (p99 spikes in bench/).
set -euo pipefail
exec gunicorn config.wsgi:application \
  --bind "${BIND:-0.0.0.0:8000}" \
  --workers "${WEB_CONCURRENCY:-2}" \
  --threads "${GUNICORN_THREADS:-4}" \
  --worker-class gthread \
  --preload \
  --max-requests "${GUNICORN_MAX_REQUESTS:-2000}" \
  --max-requests-jitter 200 \
  --timeout 30 \
  --access-logfile - \
  "$@"
