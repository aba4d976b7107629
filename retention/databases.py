"""Opening the two databases the job works on, without creating one that is not there yet."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, Engine, make_url


def open_database(url: Union[str, URL], table: Optional[str] = None) -> Optional[Engine]:
    """An engine on `url`, or None when it is an SQLite file not made yet or (with `table`) lacks that table:
    nothing has been kept there, so there is nothing to delete."""
    url = make_url(url) if isinstance(url, str) else url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).expanduser().exists():
            return None
    engine = create_engine(url, future=True)
    if table and not inspect(engine).has_table(table):
        engine.dispose()
        return None
    return engine
