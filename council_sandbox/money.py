"""Amounts: the sandbox keeps every amount as whole pence (as GOV.UK Pay does) and says it in pounds."""
from __future__ import annotations

import re
from typing import Any, Optional

_POUNDS = re.compile(r"£\s*([0-9]{1,6}(?:,[0-9]{3})*)(?:\.([0-9]{2}))?")


def pounds(pence: int) -> str:
    """4500 -> "£45.00"; 123456 -> "£1,234.56"."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def parse_pounds(text: Any) -> Optional[int]:
    """The first amount in pounds in a configuration text ("£30 a bin a year") in pence, or None."""
    match = _POUNDS.search(str(text or ""))
    if not match:
        return None
    return int(match.group(1).replace(",", "")) * 100 + int(match.group(2) or 0)
