#!/usr/bin/env bash
# Set up a fresh clone and start the server on SQLite with demo data: bash scripts/dev.sh
source "$(dirname "$0")/lib.sh"
ensure_venv

export DEBUG="${DEBUG:-1}"
PORT="${PORT:-8000}"
PASSWORD="${POS_DEMO_PASSWORD:-pos-demo-2026}"

say "Migrating the database (${DATABASE_URL:-SQLite file db.sqlite3})"
python manage.py migrate --noinput
say "Loading demo data"
python manage.py seed_demo --password "$PASSWORD"

cat <<BANNER

  POS Server is starting on http://127.0.0.1:${PORT}/   (start page: every link below, the version)
    GraphiQL:     http://127.0.0.1:${PORT}/graphql/
    Django admin: http://127.0.0.1:${PORT}/admin/
    Dashboard:    http://127.0.0.1:${PORT}/admin/dashboard/
    Health:       http://127.0.0.1:${PORT}/healthz

  Demo logins (password: ${PASSWORD}):  admin · manager · cashier
  In GraphiQL run:  mutation { tokenAuth(username: "admin", password: "${PASSWORD}") { token } }
  then add the header  {"Authorization": "JWT <token>"}  and run  { me { username role } }

BANNER
exec python manage.py runserver "127.0.0.1:${PORT}"
