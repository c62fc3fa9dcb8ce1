#!/usr/bin/env bash
# Run a Django management command from a fresh clone: bash scripts/manage.sh <command> [args...]
# Creates .venv and installs the pinned requirements on first use. On a laptop (no SECRET_KEY in
# the environment, DEBUG unset) it runs with DEBUG on, like scripts/dev.sh; production sets its own.
source "$(dirname "$0")/lib.sh"
ensure_venv
if [ -z "${SECRET_KEY:-}" ] && [ -z "${DEBUG:-}" ]; then
  export DEBUG=1
fi
exec python manage.py "$@"
