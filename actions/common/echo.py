"""Repeating back what a resident typed, without it ever becoming a link or formatting.

Bot messages are rendered as a little Markdown: the web chat widget makes `[text](http...)` and bare http(s)
addresses into links and `**text**` into bold, and other channels may render more (`<http://...>`, backticks). A
resident's own words put into a bot message would be rendered the same way, so anyone could make the council's
assistant show a link of their choosing ("[Pay your council tax here](https://evil.example)"). Everything the
actions repeat from a resident goes through `echoed` first. It keeps the words readable rather than escaping them,
because a backslash shown on screen confuses people more than it protects them:

- a link's `](` becomes `] (`, which no Markdown reads as a link;
- addresses lose their scheme (`https://evil.example/x` -> `evil.example/x`), so nothing links a bare address;
- `<` and `>` become `‹` and `›` (no autolinks, no HTML);
- `**` and `__` are dropped (no bold), and backticks become apostrophes (no code);
- line breaks become spaces, so a resident can't add lines that look like the bot's own.
"""
from __future__ import annotations

import re
from typing import Any, Optional, Text

_LINK_OPENING = re.compile(r"\]\s*\(")
_SCHEME = re.compile(r"\b[a-z][a-z0-9+.\-]{1,20}:/+", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*{2,}|_{2,}")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\v\f]+\s*")


def echoed(text: Any, limit: Optional[int] = None) -> Text:
    """`text` as a resident typed it, safe to put into a bot message; cut to `limit` characters with an ellipsis."""
    shown = _LINE_BREAKS.sub(" ", str(text or "")).strip()
    if limit is not None and len(shown) > limit:
        shown = shown[:limit].rstrip() + "…"
    # Removing one piece can bring two others together ("*https://*" -> "**"), so repeat until nothing changes.
    while True:
        before = shown
        shown = _EMPHASIS.sub("", shown)
        shown = _SCHEME.sub("", shown)
        shown = _LINK_OPENING.sub("] (", shown)
        if shown == before:
            break
    return shown.replace("`", "'").replace("<", "‹").replace(">", "›")
