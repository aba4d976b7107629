"""`python -m actions.storage upgrade`: apply the migrations to ACTIONS_DATABASE_URL (deployments run it on release)."""
from __future__ import annotations

import argparse

from . import database


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.storage", description=__doc__)
    parser.add_argument("command", choices=["upgrade"])
    parser.parse_args()
    database().ready()
    print("The action server's database is up to date.")


if __name__ == "__main__":
    main()
