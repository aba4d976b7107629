"""`python -m council_sandbox [--host 127.0.0.1] [--port 5080]`: run the sandbox until SIGINT or SIGTERM."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app
from .context import EXTENSION


class _QuietHandler(WSGIRequestHandler):
    """The app logs each request itself, without the query string; werkzeug's own line would include it."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m council_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5080)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("council_sandbox")

    try:
        app = create_app()
        server = make_server(args.host, args.port, app, threaded=True, request_handler=_QuietHandler)
    except (ValueError, OSError, SQLAlchemyError) as exc:  # bad SANDBOX_NOW, database unreachable, port taken
        log.error("cannot start: %s", exc)
        return 2
    sandbox = app.extensions[EXTENSION]

    def stop(signum, _frame):
        log.info("stopping (%s)", signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, so it cannot run in the thread that serves.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    clock = "fixed at " + sandbox.clock.now().isoformat() if sandbox.clock.fixed else "real time"
    log.info(
        "council services sandbox on http://%s:%s (database %s, clock %s)",
        args.host, server.server_port, sandbox.db.engine.url.render_as_string(hide_password=True), clock,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        sandbox.db.dispose()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
