#!/usr/bin/env bash
# Smoke of the local profile: `boeing-hub up` on a fresh data directory (embedded PostgreSQL and Redis,
# Cognito emulator, Boeing and Shopify emulators, API, worker groups, beat), then /health must be green and
# the printed operator token must work; a worker group killed with SIGKILL must be restarted by the
# supervisor and /health turn green again. Everything is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=$(mktemp -d)
PORT=$(.venv/bin/python -c 'from app.local.embedded import free_port; print(free_port())')
env -u DATABASE_URL -u REDIS_URL -u TEST_DATABASE_URL -u TEST_REDIS_URL \
  .venv/bin/boeing-hub up --data-dir "$DATA" --api-port "$PORT" --boeing-port 0 --shopify-port 0 \
  >"$DATA/up.log" 2>&1 &
UP_PID=$!
cleanup() {
  kill -INT "$UP_PID" 2>/dev/null || true
  wait "$UP_PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

wait_healthy() {
  for _ in $(seq 1 120); do
    if ! kill -0 "$UP_PID" 2>/dev/null; then
      echo "smoke: boeing-hub up exited early:" >&2
      tail -n 50 "$DATA/up.log" >&2
      exit 1
    fi
    if curl -fsS "http://127.0.0.1:$PORT/health" >"$DATA/health.json" 2>/dev/null; then
      echo "smoke: /health -> $(cat "$DATA/health.json")"
      return
    fi
    sleep 1
  done
  echo "smoke: /health did not turn green within 120 s" >&2
  curl -sS "http://127.0.0.1:$PORT/health" >&2 || true
  tail -n 50 "$DATA/up.log" >&2
  exit 1
}
wait_healthy

TOKEN=$(grep -E '^eyJ' "$DATA/up.log" | tail -n 1)
curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/auth/me" >"$DATA/me.json"
echo "smoke: /api/v1/auth/me -> $(cat "$DATA/me.json")"

# A worker group dies: the supervisor says so, restarts it, and the rest of the stack stays up.
WORKER_PID=$(pgrep -P "$UP_PID" -f 'default@' | head -n 1)
if [ -z "$WORKER_PID" ]; then
  echo "smoke: no worker-default process under boeing-hub up" >&2
  exit 1
fi
kill -KILL -- "-$WORKER_PID"
restarted=""
for _ in $(seq 1 60); do
  if grep -q "worker-default restarted" "$DATA/up.log"; then
    restarted=yes
    break
  fi
  sleep 1
done
if [ -z "$restarted" ]; then
  echo "smoke: the killed worker group was not restarted within 60 s" >&2
  tail -n 50 "$DATA/up.log" >&2
  exit 1
fi
grep "supervisor: worker-default" "$DATA/up.log"
wait_healthy
echo "smoke: local profile OK"
