"""`python -m actions.server [--host 127.0.0.1] [--port 5055]`: the action server, for our Rasa server only.

rasa_sdk's own server (`python -m rasa_sdk`) listens on every interface and runs any action for any caller: a
made-up tracker posted to /webhook could "confirm" a payment and send a Notify message anywhere. This entry point
runs the same rasa_sdk app, but
- listens on 127.0.0.1 unless told otherwise (`--host`),
- answers only callers that send ACTION_SERVER_SECRET in the X-Action-Server-Secret header (our Rasa server does:
  endpoints.yml `action_endpoint: headers:`); /health stays open for monitoring,
- allows no browser origin (no CORS): nothing in a web page has any business here,
- with ASSISTANT_ENV=production, refuses to start on the sandbox's keys, URLs or templates (production_problems).
"""
from __future__ import annotations

import argparse
import hmac
import logging
import sys
from typing import Awaitable, Callable, List, Optional

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME, DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.metrics import observe
from actions.settings import (
    DEFAULT_COUNCIL_API_BASE_URL,
    DEFAULT_NOTIFY_API_KEY,
    DEFAULT_OPEN311_API_KEY,
    DEFAULT_PAY_API_KEY,
    NotifyTemplates,
    Settings,
    settings,
)

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Action-Server-Secret"
OPEN_PATHS = frozenset({"/health", "/metrics"})  # /metrics has its own rule (actions/metrics.py)
# A generated secret (scripts/run.sh) is 64 characters; a short, guessable one is refused in production.
MIN_PRODUCTION_SECRET_LENGTH = 32
SANDBOX_ORIGINS = (DEFAULT_COUNCIL_API_BASE_URL, "http://localhost:5080")
COUNCIL_URLS = {
    "ADDRESS_API_URL": "address_api_url",
    "WASTE_API_URL": "waste_api_url",
    "OPEN311_API_URL": "open311_api_url",
    "COUNCIL_RECORDS_API_URL": "council_records_api_url",
    "PAY_API_URL": "pay_api_url",
    "PAY_RETURN_URL_BASE": "pay_return_url_base",
    "NOTIFY_API_URL": "notify_api_url",
}


def refuse_strangers(secret: str) -> Callable[[Request], Awaitable[Optional[HTTPResponse]]]:
    """A request middleware: only a caller holding the shared secret gets past it (/health excepted)."""
    expected = secret.encode("utf-8")

    async def only_our_rasa_server(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            logger.warning("Refused a call to %s without the action server secret", request.path)
            return response.json({"error": f"The {SECRET_HEADER} header is required."}, status=401)
        # Constant time, so the secret can't be guessed a character at a time from response times.
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected):
            logger.warning("Refused a call to %s with a wrong action server secret", request.path)
            return response.json({"error": f"The {SECRET_HEADER} header is not right."}, status=403)
        return None

    return only_our_rasa_server


def build_app(secret: str, actions_package: str = "actions", watch_seconds: Optional[float] = None) -> Sanic:
    app = create_app(actions_package, cors_origins=None)
    app.register_middleware(refuse_strangers(secret), "request")
    observe(app)  # health, metrics and action counts (actions/metrics.py): after the secret check
    watch_payments(app, watch_seconds)
    return app


def watch_payments(app: Sanic, interval_seconds: Optional[float]) -> None:
    """Payments left open when the conversation moved on are settled by a background check in this process
    (actions/payments/settling.py), every `interval_seconds` (PAYMENT_WATCH_SECONDS); POST /payments/check (behind
    the secret, like every path but /health) runs one round now, for operators and tests."""
    from actions.payments.settling import check_watched_payments, run_watch

    @app.post("/payments/check")
    async def check_now(request: Request) -> HTTPResponse:
        return response.json(await check_watched_payments())

    if interval_seconds:
        @app.after_server_start
        async def start_watching(app: Sanic, loop) -> None:
            app.ctx.payment_watch = loop.create_task(run_watch(interval_seconds))

        @app.before_server_stop
        async def stop_watching(app: Sanic, _loop) -> None:
            app.ctx.payment_watch.cancel()  # a check cut short is claimed again after its lease


def deliver_outbox(app: Sanic, interval_seconds: float) -> None:
    """Reports and confirmations kept while a council API was down are sent by a background pass in this process
    (actions/outbox/), every `interval_seconds` (OUTBOX_WORKER_SECONDS)."""
    from actions.outbox.background import keep_delivering

    @app.after_server_start
    async def start_delivering(app: Sanic, _loop) -> None:
        app.add_task(keep_delivering(interval_seconds))


def production_problems(config: Settings) -> List[str]:
    """What stops this configuration from serving the public: sandbox keys, URLs and templates, a missing secret."""
    problems = []
    secret = config.action_server_secret
    if secret is None:
        problems.append("ACTION_SERVER_SECRET is not set")
    elif len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
        problems.append(f"ACTION_SERVER_SECRET is shorter than {MIN_PRODUCTION_SECRET_LENGTH} characters")
    for name, value, sandbox in (
        ("OPEN311_API_KEY", config.open311_api_key, DEFAULT_OPEN311_API_KEY),
        ("PAY_API_KEY", config.pay_api_key, DEFAULT_PAY_API_KEY),
        ("NOTIFY_API_KEY", config.notify_api_key, DEFAULT_NOTIFY_API_KEY),
    ):
        if value == sandbox:
            problems.append(f"{name} is the sandbox's key")
    for name, field in COUNCIL_URLS.items():
        if getattr(config, field).lower().startswith(SANDBOX_ORIGINS):
            problems.append(f"{name} points at the local sandbox ({getattr(config, field)})")
    sandbox_templates = [
        f"NOTIFY_TEMPLATE_{purpose}_{channel}".upper()
        for purpose in NotifyTemplates.PURPOSES
        for channel in NotifyTemplates.CHANNELS
        if config.notify_templates.get(purpose, channel) == NotifyTemplates().get(purpose, channel)
    ]
    if sandbox_templates:
        problems.append(f"{', '.join(sandbox_templates)} are the sandbox's Notify templates")
    return problems


def startup_problems(config: Settings) -> List[str]:
    if config.production:
        return production_problems(config)
    if config.action_server_secret is None:
        return ["ACTION_SERVER_SECRET is not set (./scripts/run.sh generates one into var/action-server-secret)"]
    return []


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("-p", "--port", type=int, default=DEFAULT_SERVER_PORT)
    parser.add_argument("--actions", default="actions", help="the package of actions to load")
    utils.add_logging_level_option_arguments(parser)
    utils.add_logging_file_arguments(parser)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = argument_parser().parse_args(argv)
    try:
        config = settings()
    except ValueError as error:
        print(f"The action server cannot start: {error}", file=sys.stderr)
        return 2
    problems = startup_problems(config)
    if problems:
        where = " in production (ASSISTANT_ENV=production)" if config.production else ""
        print(f"The action server refuses to start{where}:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2

    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    app = build_app(config.action_server_secret, args.actions, config.payment_watch_seconds)
    deliver_outbox(app, config.outbox_worker_seconds)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Action server on http://%s:%s (only for callers with the secret)", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
