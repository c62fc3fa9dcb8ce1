#!/usr/bin/env bash
# Re-export schema.graphql from the code (commit the result).
source "$(dirname "$0")/lib.sh"
ensure_venv
DEBUG=1 python manage.py graphql_schema --schema config.schema.schema --out schema.graphql
