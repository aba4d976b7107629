"""What every request handler needs: the database, the clock and the Open311 API key of the running app."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .clock import Clock
from .db import Database

EXTENSION = "council_sandbox"


@dataclass
class Sandbox:
    db: Database
    clock: Clock
    api_key: str


def current() -> Sandbox:
    return current_app.extensions[EXTENSION]
