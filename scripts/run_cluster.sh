#!/usr/bin/env bash
# The production layout with several processes, on this machine, to try (docs/deployment.md, "More than one Rasa
# process"): nginx in front of RASA_PROCESSES Rasa processes (default 2) with the web chat, two action servers behind
# nginx's loopback upstream, conversations in a PostgreSQL database made for this run (dropped at the end), locks
# and the web chat's state in Redis under a key prefix of this run's own, and the council services sandbox.
# Needs PostgreSQL and Redis running (POSTGRES_URL, REDIS_URL) and nginx (./scripts/install_nginx.sh). Ctrl-C stops it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$ROOT/var/cluster" "$ROOT/models"
ensure_environment
# The model ./scripts/setup.sh (or run.sh) trained: this script never trains.
ls "$ROOT"/models/*.tar.gz >/dev/null 2>&1 || { echo "No trained model in models/: run ./scripts/setup.sh first." >&2; exit 1; }
"$ROOT/scripts/install_nginx.sh"
cd "$ROOT"
export TEST_POSTGRES_URL="${POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export TEST_REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export RASA_PROCESSES="${RASA_PROCESSES:-2}"
exec "$VENV/bin/python" - <<'PY'
import os, signal, tempfile, threading
from pathlib import Path

from tests.deploy.cluster import Cluster, missing
from tests.stack import RASA_API_TOKEN, RestartableSandbox

reason = missing()
if reason:
    raise SystemExit(reason)
logs = Path(tempfile.mkdtemp(prefix="run-", dir="var/cluster")).resolve()
sandbox = RestartableSandbox(f"sqlite:///{logs / 'sandbox.db'}")
sandbox.start()
print(f"==> Starting {os.environ['RASA_PROCESSES']} Rasa processes, two action servers and nginx (logs in {logs})")
cluster = Cluster(logs, sandbox.url, rasa_count=int(os.environ["RASA_PROCESSES"]))
stopped = threading.Event()
signal.signal(signal.SIGINT, lambda *_: stopped.set())
signal.signal(signal.SIGTERM, lambda *_: stopped.set())
try:
    print(f"""
The layout is running.
  nginx (the web chat's socket.io only)  {cluster.url}
  Rasa processes                         {', '.join(p.url for p in cluster.rasa)}   (API token: {RASA_API_TOKEN})
  action servers, behind nginx           {cluster.nginx.actions_url}
  council sandbox                        {sandbox.url}
  PostgreSQL database (this run's)       {cluster.database_url.rsplit('/', 1)[-1]}
  Redis key prefix (this run's)          {cluster.prefix}
Point the widget at it: webchat/serve.py, then /demo/chorley.html?rasa={cluster.url}
Which process served which page: {cluster.nginx.access_log}
Press Ctrl-C to stop.""", flush=True)
    stopped.wait()
finally:
    print("==> Stopping")
    cluster.stop()
    sandbox.stop()
PY
