"""`python -m retention run` (daily) and `python -m retention erase --email ... --phone ... --reference ...`.

Both print counts and dates only: never a sender id, a message, or the email, number or reference searched for;
and a line for each store left alone and why (the staff console's database not made yet, events on RabbitMQ).
`--dry-run` shows what would go and deletes nothing.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import List, Optional

from .job import Outcome, erase, run
from .matching import Resident, normalise_email, normalise_phone, normalise_reference
from .settings import retention_settings


def main(argv: Optional[List[str]] = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        settings = retention_settings(days=arguments.days)
        if arguments.command == "run":
            outcome = run(settings, dry_run=arguments.dry_run)
            print(_run_report(outcome, settings.retention_days, arguments.dry_run))
        else:
            resident = _resident(arguments)
            outcome = erase(settings, resident, dry_run=arguments.dry_run)
            print(_erase_report(outcome, arguments.dry_run))
    except ValueError as problem:
        print(f"retention: {problem}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m retention", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    daily = commands.add_parser("run", help="delete conversations and rows older than RETENTION_DAYS")
    on_request = commands.add_parser("erase", help="find and erase one resident's conversations and rows")
    on_request.add_argument("--email", action="append", default=[], help="an email address they gave")
    on_request.add_argument("--phone", action="append", default=[], help="a UK phone number, in any spelling")
    on_request.add_argument("--reference", action="append", default=[],
                            help="a report (REP-...), order (BWC-...), parking fine or account reference")
    for command in (daily, on_request):
        command.add_argument("--dry-run", action="store_true", help="show what would be deleted, delete nothing")
        command.add_argument("--days", type=int, help="the retention period (default RETENTION_DAYS, or 90)")
    return parser


def _resident(arguments: argparse.Namespace) -> Resident:
    def each(values: List[str], normalise, option: str, what: str):
        normalised = []
        for value in values:
            found = normalise(value)
            if found is None:  # never echo the value: it is someone's personal data
                raise ValueError(f"a {option} given is not {what}")
            normalised.append(found)
        return tuple(normalised)

    resident = Resident(emails=each(arguments.email, normalise_email, "--email", "an email address"),
                        phones=each(arguments.phone, normalise_phone, "--phone", "a UK phone number"),
                        references=each(arguments.reference, normalise_reference, "--reference",
                                        "a reference (5 or more letters and digits, with a digit)"))
    if not resident:
        raise ValueError("say whom to erase: --email, --phone or --reference")
    return resident


def _when(moment: Optional[datetime]) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _conversations(outcome: Outcome) -> List[str]:
    lines = [f"  conversations: {len(outcome.conversations)} ({outcome.conversation_events} events)"]
    lines += [f"    {number}. {_when(c.first)} to {_when(c.last)} UTC, {c.events} events"
              for number, c in enumerate(outcome.conversations, start=1)]
    return lines


def _rows(outcome: Outcome) -> List[str]:
    return [f"  {rows.table}: {rows.count} rows" + (f" ({_when(rows.oldest)} to {_when(rows.newest)} UTC)"
                                                    if rows.count else "") for rows in outcome.rows]


def _staff(outcome: Outcome, erasing: bool) -> List[str]:
    lines = []
    found = outcome.handovers
    if found is not None:
        dates = f" ({_when(found.oldest)} to {_when(found.newest)} UTC)" if found.count else ""
        lines.append(f"  handovers: {found.count}{dates}, {found.messages} transcript lines; audit log entries kept "
                     f"without their link: {found.audit_unlinked}")
        if erasing and found.open_erased:
            lines.append(f"    of which still open or a callback not yet closed: {found.open_erased}")
        if not erasing:
            lines.append(f"  handovers kept though older: {found.kept_open} open (waiting or active), "
                         f"{found.kept_callbacks} callbacks not yet closed (new or called)")
    events = outcome.handover_events
    if events is not None:
        lines.append(f"  handover_events: {events.count} rows" + (
            f" ({_when(events.oldest)} to {_when(events.newest)} UTC)" if events.count else ""))
    lines += [f"  skipped {why}." for why in outcome.skipped]
    return lines


def _run_report(outcome: Outcome, days: int, dry_run: bool) -> str:
    verb = "Would delete" if dry_run else "Deleted"
    lines = [f"Retention ({days} days): {verb.lower()} what was last touched before {_when(outcome.cutoff)} UTC."]
    lines.append(f"  conversations: {len(outcome.conversations)} ({outcome.conversation_events} events)")
    lines.append(f"  older sessions of conversations still going on: {outcome.older_session_events} events")
    lines += _rows(outcome)
    lines += _staff(outcome, erasing=False)
    if dry_run:
        lines.append("Dry run: nothing was deleted.")
    return "\n".join(lines)


def _erase_report(outcome: Outcome, dry_run: bool) -> str:
    lines = ["Found for this resident:"] + _conversations(outcome) + _rows(outcome)
    lines += _staff(outcome, erasing=True)
    lines.append("Dry run: nothing was erased." if dry_run else "Erased: all of the above is deleted.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
