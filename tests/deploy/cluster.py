"""The production layout with more than one process, for tests and the benchmark: Rasa processes behind a real nginx
(deploy/nginx/council-assistant-upstream.conf and -locations.conf), conversations in a PostgreSQL database made for
the run, locks and the web chat's shared state in Redis under a key prefix of the run's own, and action servers
behind nginx's loopback upstream (deploy/nginx/council-assistant-actions.conf) on one PostgreSQL database.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.stack import ROOT, free_port, newest_model, start_action_server, start_rasa_server, stop

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
DEPLOY = ROOT / "deploy" / "nginx"
CREDENTIALS = "connectors.rest.RedactingRestInput:\nconnectors.webchat.WebChatInput:\n"
# Each Rasa process loads the model in turn; on a busy 2-core machine that can take minutes.
START_SECONDS = 480


def missing() -> str:
    """Why the layout can't run here ("" when it can)."""
    if not os.environ.get("TEST_POSTGRES_URL") or not os.environ.get("TEST_REDIS_URL"):
        return "set TEST_POSTGRES_URL and TEST_REDIS_URL (CI does, .ci/run) to run the layout with several processes"
    if NGINX is None:
        return "nginx is not installed: ./scripts/install_nginx.sh installs Debian's nginx"
    return ""


def fresh_database(admin_url: str) -> str:
    """A PostgreSQL database made for this run (dropped by `drop_database`): its URL."""
    name = f"cluster_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def drop_database(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def stores_config(database_url: str, redis_url: str, lock_prefix: str) -> str:
    """endpoints.yml's production stores: the card-safe tracker store on PostgreSQL, Rasa's Redis lock store."""
    pg, redis = make_url(database_url), make_url(redis_url)
    return (
        "tracker_store:\n  type: connectors.tracker_store.CardSafeSQLTrackerStore\n  dialect: postgresql\n"
        f"  url: {pg.host}\n  port: {pg.port or 5432}\n  db: {pg.database}\n  username: {pg.username or 'postgres'}\n"
        + (f"  password: {pg.password}\n" if pg.password else "")
        + "lock_store:\n  type: redis\n"
        f"  url: {redis.host}\n  port: {redis.port or 6379}\n  db: {redis.database or 0}\n  key_prefix: {lock_prefix}\n"
    )


class Nginx:
    """Debian's nginx with the project's files, ports replaced by the test's; logs which process served what."""

    def __init__(self, prefix: Path, rasa_ports: List[int], action_ports: List[int]) -> None:
        prefix = prefix.resolve()  # nginx reads relative paths from its own prefix
        self.prefix = prefix
        self.port = free_port()
        self.actions_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.actions_url = f"http://127.0.0.1:{self.actions_port}"
        prefix.mkdir(parents=True, exist_ok=True)
        self.access_log = prefix / "access.log"
        upstream = _with_servers((DEPLOY / "council-assistant-upstream.conf").read_text(), "council_assistant_rasa",
                                 rasa_ports)
        actions = _with_servers((DEPLOY / "council-assistant-actions.conf").read_text(), "council_assistant_actions",
                                action_ports).replace("listen 127.0.0.1:5055;", f"listen 127.0.0.1:{self.actions_port};")
        (prefix / "upstream.conf").write_text(upstream)
        (prefix / "actions.conf").write_text(actions)
        temp = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                                "uwsgi", "scgi"))
        user = "user root;" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(f"""{user}
worker_processes 1;
error_log {prefix / 'error.log'};
events {{ worker_connections 1024; }}
http {{
    log_format routes '$arg_route|$upstream_addr|$status|$request_method';
{temp}
    include {prefix / 'upstream.conf'};
    include {prefix / 'actions.conf'};
    server {{
        listen 127.0.0.1:{self.port};
        server_tokens off;
        access_log {self.access_log} routes;
        include {DEPLOY / 'council-assistant-locations.conf'};
    }}
}}
""")
        self.process = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf"),
             "-g", f"daemon off; pid {prefix / 'nginx.pid'};"],
            stdout=(prefix / "nginx.out").open("w"), stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.port, self.process, prefix)

    def routes(self) -> Dict[str, List[str]]:
        """Each route sent by a client -> the processes ("127.0.0.1:port") its requests went to, in order."""
        seen: Dict[str, List[str]] = {}
        for line in self.access_log.read_text().splitlines():
            route, upstream, _status, _method = line.split("|", 3) if line.count("|") >= 3 else ("", "", "", "")
            if route and route != "-" and upstream not in ("", "-"):
                seen.setdefault(route, []).append(upstream.split(",")[-1].strip())
        return seen

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _with_servers(config: str, upstream: str, ports: List[int]) -> str:
    """The upstream block with one `server` line per test process, as the file has one per production process."""
    block = re.search(r"upstream " + upstream + r" \{.*?\n\}", config, re.S)
    assert block, f"{upstream} not found"
    lines = block.group(0).splitlines()
    servers = [line for line in lines if line.strip().startswith("server ")]
    assert servers, f"{upstream} has no servers"
    template = servers[0]
    port = re.search(r"127\.0\.0\.1:(\d+)", template).group(1)
    rest = [line for line in lines if not line.strip().startswith("server ")]
    new = rest[:-1] + [template.replace(f"127.0.0.1:{port}", f"127.0.0.1:{p}") for p in ports] + [rest[-1]]
    return config.replace(block.group(0), "\n".join(new))


def _wait_for_port(port: int, process: subprocess.Popen, prefix: Path) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {(prefix / 'nginx.out').read_text()}{(prefix / 'error.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not start listening")


class Cluster:
    """`rasa_count` Rasa processes and `action_count` action servers behind nginx, sharing PostgreSQL and Redis."""

    def __init__(self, logs: Path, sandbox_url: str, rasa_count: int = 2, action_count: int = 2,
                 extra_env: Optional[Dict[str, str]] = None) -> None:
        self.logs = logs
        self.admin_url = os.environ["TEST_POSTGRES_URL"]
        self.redis_url = os.environ["TEST_REDIS_URL"]
        self.run = uuid.uuid4().hex[:10]
        self.prefix = f"cluster{self.run}:"  # every Redis key of this run starts with it
        self.database_url = fresh_database(self.admin_url)
        self.rasa: List[subprocess.Popen] = []
        self.actions: List[subprocess.Popen] = []
        self.nginx: Optional[Nginx] = None
        try:
            self._start(sandbox_url, rasa_count, action_count, extra_env or {})
        except BaseException:
            self.stop()
            raise

    @property
    def env(self) -> Dict[str, str]:
        """What a Rasa process of this layout has in its environment (also a pushing script's)."""
        return {"WEBCHAT_REDIS_URL": self.redis_url, "WEBCHAT_REDIS_PREFIX": self.prefix}

    def _start(self, sandbox_url: str, rasa_count: int, action_count: int, extra_env: Dict[str, str]) -> None:
        action_ports = [free_port() for _ in range(action_count)]
        # Started together, as a council's machine starts them: one database, one migration (an advisory lock).
        starting = [_in_thread(start_action_server, sandbox_url, self.logs,
                               {"ACTIONS_DATABASE_URL": self.database_url}, port) for port in action_ports]
        self.actions = [thread.result() for thread in starting]
        # nginx first, on the ports the Rasa processes will take, so that Rasa finds its action servers behind it
        rasa_ports = [free_port() for _ in range(rasa_count)]
        self.nginx = Nginx(self.logs / f"nginx-{self.run}", rasa_ports, action_ports)
        # One copy for every process: a retrain replacing models/ meanwhile can't give them different models.
        model = self.logs / f"model-{self.run}.tar.gz"
        shutil.copyfile(newest_model(), model)
        credentials = self.logs / f"credentials-{self.run}.yml"
        credentials.write_text(CREDENTIALS)
        stores = stores_config(self.database_url, self.redis_url, self.prefix.rstrip(":"))
        env = {**self.env, **extra_env}
        saved = os.environ.pop("WEBCHAT_ALLOWED_ORIGINS", None)  # the defaults let the test clients in
        try:
            # One after another: the first creates the tracker store's tables (Rasa creates them at start, and two
            # processes doing so at once could race), and two model loads at once only slow each other on 2 cores.
            for port in rasa_ports:
                self.rasa.append(start_rasa_server(model, self.nginx.actions_url, self.logs, stores, credentials,
                                                   env, port, seconds=START_SECONDS))
        finally:
            if saved is not None:
                os.environ["WEBCHAT_ALLOWED_ORIGINS"] = saved

    @property
    def url(self) -> str:
        assert self.nginx is not None
        return self.nginx.url

    def upstream_of(self, process: subprocess.Popen) -> str:
        return process.url.split("//")[1]  # type: ignore[attr-defined]

    def kill(self, process: subprocess.Popen) -> None:
        """Stopped at once, as a crash or `kill -9` would: no goodbye to its browsers, work in hand lost."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=20)

    def stop(self) -> None:
        for process in self.rasa + self.actions:
            if process.poll() is None:
                stop(process)
        if self.nginx is not None:
            self.nginx.stop()
        try:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            for key in client.scan_iter(f"{self.prefix}*", count=1000):
                client.delete(key)
            for key in client.scan_iter(f"{self.prefix.rstrip(':')}:*", count=1000):
                client.delete(key)
        finally:
            drop_database(self.admin_url, self.database_url)


class _Thread(threading.Thread):
    def __init__(self, target, *args) -> None:
        super().__init__(daemon=True)
        self._target_call = (target, args)
        self._result = None
        self._error: Optional[BaseException] = None
        self.start()

    def run(self) -> None:
        target, args = self._target_call
        try:
            self._result = target(*args)
        except BaseException as error:  # noqa: BLE001  handed to result()
            self._error = error

    def result(self):
        self.join()
        if self._error is not None:
            raise self._error
        return self._result


def _in_thread(target, *args) -> _Thread:
    return _Thread(target, *args)
