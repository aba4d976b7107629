"""Who may read a service's metrics: the one rule the Rasa server and the action server share.

With a metrics token set (METRICS_TOKEN), a request must carry `Authorization: Bearer <token>`, from anywhere.
Without one, only a request made directly from this machine: a loopback peer and no proxy header, because a request
relayed by a proxy on the same machine (nginx in deploy/nginx/) also arrives from loopback. Standard library only,
so the action server can use it without loading Rasa or the Rasa server's metrics.
"""
from __future__ import annotations

import hmac
import ipaddress
from typing import Mapping, Optional, Text

# Headers a proxy adds: a request carrying one came through a proxy, so its loopback peer says nothing of the sender.
PROXY_HEADERS = frozenset({"x-forwarded-for", "forwarded", "x-real-ip"})
REFUSED = "Metrics need the metrics token (or a direct local request)."


def may_read_metrics(peer: Optional[Text], headers: Mapping[Text, Text], token: Optional[Text]) -> bool:
    names = {str(name).lower(): name for name in headers.keys()}
    if token:
        given = headers.get(names["authorization"]) if "authorization" in names else ""
        return hmac.compare_digest(str(given).encode("utf-8", "replace"), f"Bearer {token}".encode("utf-8"))
    return is_loopback(peer) and not PROXY_HEADERS.intersection(names)


def is_loopback(peer: Optional[Text]) -> bool:
    try:
        return ipaddress.ip_address((peer or "").strip("[]")).is_loopback
    except ValueError:
        return False
