#!/usr/bin/env bash
# Deployment workflow on the server: install, migrate, restart the units, wait for /health.
# Usage: deploy/deploy.sh [/opt/boeing-data-hub]   (run from the freshly synced checkout)
set -euo pipefail
ROOT="${1:-/opt/boeing-data-hub}"
ENV_FILE="${ENV_FILE:-/etc/boeing-data-hub/env}"
HEALTH_URL="${HEALTH_URL:-http://127.0.0.1:8000/health}"

cd "$ROOT/backend"
test -x .venv/bin/python || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip uv
.venv/bin/uv pip install --quiet --python .venv/bin/python -r requirements.lock
.venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .

set -a; . "$ENV_FILE"; set +a
.venv/bin/boeing-hub migrate

install -m 0644 "$ROOT"/deploy/systemd/*.service /etc/systemd/system/
systemctl daemon-reload
systemctl enable --quiet boeing-backend.service boeing-celery.service boeing-celery-beat.service \
  boeing-celery@boeing.service boeing-celery@shopify.service boeing-celery@default.service
systemctl restart boeing-celery@boeing.service boeing-celery@shopify.service boeing-celery@default.service
systemctl restart boeing-celery-beat.service boeing-backend.service

for attempt in $(seq 1 60); do
  if curl -fsS "$HEALTH_URL" >/dev/null; then
    echo "healthy after ${attempt}s"
    exit 0
  fi
  sleep 1
done
echo "not healthy after 60s:" >&2
curl -sS "$HEALTH_URL" >&2 || true
exit 1
