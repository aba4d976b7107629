"""The staff console's command line.

    python -m staff users add NAME --role agent|trainer|supervisor [--display-name "Sam"]   (password on stdin)
    python -m staff users disable NAME | users enable NAME
    python -m staff users reset-password NAME                                              (password on stdin)
    python -m staff users totp NAME          a new two-factor secret; prints its otpauth:// URI once
    python -m staff migrate                  apply the database migrations (serve does it too)
    python -m staff serve [--host 127.0.0.1] [--port 5090]

Passwords are read from standard input (one line), so scripts can create accounts; typed at a terminal they are
asked for twice without being shown. Exit status 0 when done, 2 with a message on bad input.
"""
from __future__ import annotations

import argparse
import getpass
import ipaddress
import logging
import signal
import sys
import threading
import traceback
from typing import List, Optional

from .auth import AccountProblem, add_user, new_totp, reset_password, set_disabled
from .database import Database
from .models import ROLES
from .settings import settings


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password (at least 12 characters): ")
        if getpass.getpass("The same password again: ") != first:
            raise AccountProblem("The two passwords are not the same. Nothing was changed.")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _database() -> Database:
    return Database(settings().database_url).ready()


def users(args) -> int:
    db = _database()
    try:
        if args.action == "add":
            user = add_user(db, args.name, args.role, _password(), args.display_name)
            print(f"Added {user.username} ({user.role}), shown to residents as {user.display_name!r}.")
            if settings().require_totp:
                print("Two-factor sign-in is required (STAFF_REQUIRE_TOTP): add this to their authenticator app "
                      "(shown once):")
                print(new_totp(db, user.username))
        elif args.action in ("disable", "enable"):
            user = set_disabled(db, args.name, args.action == "disable")
            print(f"{user.username} is {'disabled and signed out everywhere' if user.disabled else 'enabled'}.")
        elif args.action == "reset-password":
            user = reset_password(db, args.name, _password())
            print(f"The password of {user.username} is changed; they are signed out everywhere and unlocked.")
        elif args.action == "totp":
            uri = new_totp(db, args.name)
            print("Add this to the authenticator app (it is shown once; the old one no longer works):")
            print(uri)
    finally:
        db.dispose()
    return 0


def migrate(_args) -> int:
    db = _database()
    db.dispose()
    print("The staff console's database is up to date.")
    return 0


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WithoutDetails(logging.Formatter):
    """The console's log format: an exception is logged as its type and where it happened, never its message,
    which can carry a resident's words or details (SQLAlchemy's carry the statement's parameters)."""

    def formatException(self, ei) -> str:
        kind = ei[0].__name__ if ei[0] is not None else "exception"
        frames = "".join(traceback.format_tb(ei[2])).rstrip()
        return f"Traceback (most recent call last):\n{frames}\n{kind} (its message is not logged)"


def serve(args) -> int:
    from werkzeug.serving import WSGIRequestHandler, make_server

    from .app import EXTENSION, create_app

    class _Quiet(WSGIRequestHandler):
        def log_request(self, *a, **k) -> None:  # the app logs each request itself, without the query string
            pass

        def log_error(self, format: str, *args) -> None:
            # The HTTP server's own refusals ("Bad request syntax ('GET /x?token=... HTTP/1.1')") quote the raw
            # request line, query string and all: say what happened, not what was sent.
            code = args[0] if args and isinstance(args[0], int) else "no answer"
            log.warning("refused a request the server could not read (%s)", code)

    handler = logging.StreamHandler()
    handler.setFormatter(WithoutDetails("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    log = logging.getLogger("staff")
    if not _loopback(args.host):
        log.error("the console listens on this machine only (127.0.0.1 or ::1); put a proxy such as nginx in "
                  "front of it to reach it from elsewhere, not %s", args.host)
        return 2
    try:
        app = create_app()
        server = make_server(args.host, args.port, app, threaded=True, request_handler=_Quiet)
    except (ValueError, OSError) as exc:  # production checks, database unreachable, port taken
        log.error("cannot start: %s", exc)
        return 2

    def stop(signum, _frame):
        log.info("stopping (%s)", signal.Signals(signum).name)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    log.info("staff console on http://%s:%s", args.host, server.server_port)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.extensions[EXTENSION].stop()
    log.info("stopped")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m staff", description="The council's staff console.")
    commands = top.add_subparsers(dest="command", required=True, metavar="users|migrate|serve")
    people = commands.add_parser("users", help="add, disable, enable staff accounts, reset passwords, two-factor")
    actions = people.add_subparsers(dest="action", required=True, metavar="add|disable|enable|reset-password|totp")
    add = actions.add_parser("add", help="a new account (password on standard input)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--display-name", help="the name residents see, like Sam (default: from the username)")
    for action, words in (("disable", "sign them out and stop them signing in"), ("enable", "let them in again"),
                          ("reset-password", "a new password (on standard input); unlocks the account"),
                          ("totp", "a new two-factor secret; prints the otpauth:// URI once")):
        actions.add_parser(action, help=words).add_argument("name")
    people.set_defaults(run=users)
    commands.add_parser("migrate", help="apply the database migrations").set_defaults(run=migrate)
    run = commands.add_parser("serve", help="run the console (loopback only)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=5090)
    run.set_defaults(run=serve)
    return top


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except AccountProblem as problem:
        print(problem, file=sys.stderr)
        return 2
    except ValueError as problem:  # a setting that can't be used
        print(f"The console's settings can't be used: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
