"""Calling council services from actions without holding up other conversations."""
from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, TypeVar

T = TypeVar("T")
logger = logging.getLogger(__name__)


async def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking, `requests`-based) client call in a worker thread.

    The action server handles every conversation on one event loop; a slow council system must not stall the rest.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))
