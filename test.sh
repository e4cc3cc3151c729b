#!/usr/bin/env bash
# Run the test suite (pytest arguments pass through, e.g. ./test.sh -k digest).
# Uses SQLite and an embedded Redis unless DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/bootstrap.sh requirements-dev.txt
export TIDINGS_VAR_DIR="${TIDINGS_VAR_DIR:-$PWD/var/test}"
exec .venv/bin/python -m pytest "$@"
