"""What every table of the action server's database keeps the same way: naive UTC times, and sender ids (or client
keys) as hashes, since a store only needs to match them, never to read them back. Imports nothing heavy, so the
retention job can use it to match rows exactly as the stores wrote them."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Optional


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def hashed(scope: str, key: Optional[str]) -> Optional[str]:
    """SHA-256 of "scope:key"; None for no key."""
    if not key:
        return None
    return hashlib.sha256(f"{scope}:{key}".encode("utf-8")).hexdigest()
