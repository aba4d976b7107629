#!/usr/bin/env bash
# Set up (when needed) and run the whole assistant locally: council services sandbox, action server, Rasa server.
# Ctrl-C stops all three.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SANDBOX_PORT="${SANDBOX_PORT:-5080}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
RASA_PORT="${RASA_PORT:-5005}"
WEBCHAT_PORT="${WEBCHAT_PORT:-8080}"
STAFF_PORT="${STAFF_PORT:-5090}"
mkdir -p "$ROOT/var" "$ROOT/models"
ensure_environment
ensure_model
ensure_webchat_packages
ensure_staff_packages
cd "$ROOT"

# Two secrets: the token of Rasa's HTTP API, and the one the Rasa server shows the action server (endpoints.yml).
# The local demo generates each once into var/ (readable by its owner only) unless it is set; production must set
# both (docs/deployment.md).
local_secret() {  # file: print the secret kept in it, made first when missing
  if [ ! -s "$1" ]; then
    (umask 077 && "$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))' >"$1")
  fi
  chmod 600 "$1"
  cat "$1"
}
token_note="the token is in var/rasa-api-token"
if [ "${ASSISTANT_ENV:-local}" = production ]; then
  for name in RASA_AUTH_TOKEN ACTION_SERVER_SECRET; do
    [ -n "${!name:-}" ] || { echo "ASSISTANT_ENV=production: set $name (see docs/deployment.md)." >&2; exit 1; }
  done
fi
[ -n "${RASA_AUTH_TOKEN:-}" ] && token_note="the token is RASA_AUTH_TOKEN"
RASA_AUTH_TOKEN="${RASA_AUTH_TOKEN:-$(local_secret var/rasa-api-token)}"
ACTION_SERVER_SECRET="${ACTION_SERVER_SECRET:-$(local_secret var/action-server-secret)}"
export ACTION_SERVER_SECRET
# The staff console (staff/) and the assistant share a third secret: the assistant's calls to the console (queue a
# conversation, a callback request, a resident's presence) carry it. The console calls Rasa's API with its token.
STAFF_SERVICE_TOKEN="${STAFF_SERVICE_TOKEN:-$(local_secret var/staff-service-token)}"
export STAFF_SERVICE_TOKEN RASA_AUTH_TOKEN
export STAFF_CONSOLE_URL="${STAFF_CONSOLE_URL:-http://127.0.0.1:$STAFF_PORT}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"

pids=()
stop_all() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    echo
    echo "==> Stopping the assistant"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop_all EXIT
trap 'stop_all; exit 0' INT TERM

wait_for() {  # url, name, log, seconds[, API token]
  local i
  for ((i = 0; i < $4; i++)); do
    if API_TOKEN="${5:-}" "$VENV/bin/python" - "$1" <<'PY' 2>/dev/null; then return 0; fi
import os, sys, urllib.parse, urllib.request
url = sys.argv[1]
if os.environ["API_TOKEN"]:
    url += "?" + urllib.parse.urlencode({"token": os.environ["API_TOKEN"]})
with urllib.request.urlopen(url, timeout=2) as answer:
    body = answer.read().decode()
sys.exit(0 if answer.status == 200 and '"model_file":""' not in body.replace(" ", "") else 1)
PY
    sleep 1
  done
  echo "The $2 did not start: see $3" >&2
  tail -n 20 "$3" >&2
  return 1
}

"$VENV/bin/python" -m retention run >>var/retention.log 2>&1 || echo "The retention job failed: see var/retention.log" >&2  # old conversations go (daily in production: docs/deployment.md)
echo "==> Starting the council services sandbox on port $SANDBOX_PORT"
"$VENV/bin/python" -m council_sandbox --host 127.0.0.1 --port "$SANDBOX_PORT" >var/sandbox.log 2>&1 &
pids+=($!)
echo "==> Starting the action server on port $ACTIONS_PORT"
COUNCIL_API_BASE_URL="${COUNCIL_API_BASE_URL:-http://127.0.0.1:$SANDBOX_PORT}" \
  "$VENV/bin/python" -m actions.server --host 127.0.0.1 --port "$ACTIONS_PORT" >var/actions.log 2>&1 &
pids+=($!)
echo "==> Starting the Rasa server on port $RASA_PORT (loading the model takes a little while)"
# Rasa reads ACTION_SERVER_SECRET from the environment for endpoints.yml. endpoints.yml names the action server's
# default port: on another ACTIONS_PORT, Rasa gets a copy pointing at it.
endpoints=endpoints.yml
if [ "$ACTIONS_PORT" != 5055 ]; then
  sed "s#http://127.0.0.1:5055/webhook#http://127.0.0.1:$ACTIONS_PORT/webhook#" endpoints.yml >var/endpoints.yml
  endpoints=var/endpoints.yml
fi
"$VENV/bin/rasa" run --enable-api --auth-token "$RASA_AUTH_TOKEN" -i 127.0.0.1 -p "$RASA_PORT" -m models \
  --endpoints "$endpoints" --credentials credentials.yml >var/rasa.log 2>&1 &
pids+=($!)

echo "==> Starting the staff console on port $STAFF_PORT"
"$VENV/bin/python" -m staff serve --host 127.0.0.1 --port "$STAFF_PORT" >var/staff.log 2>&1 &
pids+=($!)

echo "==> Serving the web chat demo pages on port $WEBCHAT_PORT"
"$VENV/bin/python" webchat/serve.py --host 127.0.0.1 --port "$WEBCHAT_PORT" >var/webchat.log 2>&1 &
pids+=($!)

wait_for "http://127.0.0.1:$SANDBOX_PORT/health" "council services sandbox" var/sandbox.log 60
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" "action server" var/actions.log 120
wait_for "http://127.0.0.1:$STAFF_PORT/health" "staff console" var/staff.log 60
wait_for "http://127.0.0.1:$RASA_PORT/status" "Rasa server" var/rasa.log 300 "$RASA_AUTH_TOKEN"

cat <<TXT

The assistant is running.
  Rasa server      http://127.0.0.1:$RASA_PORT   (REST channel: POST /webhooks/rest/webhook)
                   its HTTP API (/conversations, /model, /status) needs ?token=...: $token_note
  Action server    http://127.0.0.1:$ACTIONS_PORT/health   (only the Rasa server may call it)
  Council sandbox  http://127.0.0.1:$SANDBOX_PORT/health   (reports: /open311/v2/requests.json)
  Staff console    http://127.0.0.1:$STAFF_PORT   (add an account first:
                   .venv/bin/python -m staff users add sam --role agent --display-name Sam   then type a password)
  Web chat demos   http://127.0.0.1:$WEBCHAT_PORT/demo/chorley.html?rasa=http://127.0.0.1:$RASA_PORT
                   http://127.0.0.1:$WEBCHAT_PORT/demo/southribble.html?rasa=http://127.0.0.1:$RASA_PORT
Talk to it from another terminal:
  ./scripts/chat.sh
or:
  curl -s -X POST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender": "me", "message": "my bin was not emptied"}'
Logs are in var/. Press Ctrl-C to stop.
TXT

# Stop everything if any one of the three stops.
wait -n "${pids[@]}" || true
echo "A service stopped unexpectedly: see the logs in var/." >&2
exit 1
