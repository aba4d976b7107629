"""Amounts as residents read and type them. Everything else works in whole pence, as GOV.UK Pay does."""
from __future__ import annotations

import re
from typing import Optional

_AMOUNT = re.compile(r"^£?\s*(\d{1,6})(?:\.(\d{1,2}))?\s*(?:pounds?|quid|gbp)?$", re.I)


def say_money(pence: int) -> str:
    """2350 -> "£23.50"; 3000 -> "£30.00"."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def read_amount(text: str) -> Optional[int]:
    """"£45", "45.50", "45.5", "£1,200" -> pence; None when it is not plainly an amount of money."""
    cleaned = str(text or "").strip().replace(",", "").rstrip(".")
    match = _AMOUNT.fullmatch(cleaned)
    if not match:
        return None
    pounds, pennies = match.groups()
    return int(pounds) * 100 + (int(pennies.ljust(2, "0")) if pennies else 0)
