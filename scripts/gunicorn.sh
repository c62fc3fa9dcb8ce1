#!/usr/bin/env bash
# The production command (used by the Dockerfile, docker-compose and the CI smoke test).
set -euo pipefail
exec gunicorn config.wsgi:application \
  --bind "${BIND:-0.0.0.0:8000}" \
  --workers "${WEB_CONCURRENCY:-2}" \
  --threads "${GUNICORN_THREADS:-4}" \
  --worker-class gthread \
  --max-requests "${GUNICORN_MAX_REQUESTS:-2000}" \
  --max-requests-jitter 200 \
  --timeout 30 \
  --access-logfile - \
  "$@"
