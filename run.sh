#!/usr/bin/env bash
# Run Tidings: web server, Celery worker and beat (and an embedded Redis unless
# REDIS_URL is set), on SQLite unless DATABASE_URL is set. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/bootstrap.sh requirements.txt
export DEBUG="${DEBUG:-true}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_defaults
exec .venv/bin/python manage.py run "$@"
