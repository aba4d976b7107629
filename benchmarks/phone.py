"""Measure the phone line: time from a signed webhook to its TwiML, and the turns of a keypad-only missed-bin report.

    .venv/bin/python -m benchmarks.phone --start                 # a stack of its own on free ports (tests/stack.py)
    .venv/bin/python -m benchmarks.phone --url http://127.0.0.1:5005 [--token ...] [--sandbox-url http://127.0.0.1:5080]

Every request is what Twilio sends (scripts/phone_simulator.py: form fields, X-Twilio-Signature), and a webhook's
time runs from sending it to having read the whole TwiML answer. "One call" is calls one after another; "20 at
once" is 20 calls started together (a barrier), first each answering the moment it has heard the question (the
worst case: every call always waiting on the server), then each answering `--think` seconds later, as a caller
speaking and Twilio's end-of-speech wait take at least that. Twilio waits about 15 s before giving up on a webhook;
a caller notices more than a second of silence. Prints a Markdown table for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import requests

from councils.phone_line import e164, phone_line_number
from scripts.phone_simulator import DEFAULT_TOKEN, VOICE_PATH, PhoneSimulator

# A call by speech, as the speech recogniser writes answers down: a missed bin (a house whose blue bin wasn't due,
# so nothing is reported), its bin day (declining a link by text, to this number or another, and a person instead),
# opening hours, goodbye. The answers are given one per question, whatever the question, so a call that goes another
# way still times every webhook it makes.
SPOKEN_CALL = [
    "my blue bin wasn't emptied",
    "P R 7 1 D P",
    "yes",
    "102",
    "when is my bin day",
    "P R 7 1 D P",
    "yes",
    "102",
    "no",
    "no",
    "no",
    "what time are you open",
    "goodbye",
]
# The missed-bin caller answers by keys wherever the line offers them: its menus (press N for ...), yes (press 1),
# the house number (keyed, then #), and the postcode keyed as the keys its letters are printed on (PR7 1DP is
# 777137#), then picked or narrowed from the line's keypad menus. With `spoken_postcode` the caller says the
# postcode instead (the only spoken answer).
REFERENCE_HEARD = re.compile(r"\breference is\b|\bR E P\b", re.IGNORECASE)
MENU_OPTION = re.compile(r"press (\d+) for ([^,.]+)", re.IGNORECASE)
WHOLE_OPTION = re.compile(r"press (\d+) for ([^.]+)", re.IGNORECASE)
YES_BY_KEY = re.compile(r"press 1\b[^.]*\byes\b|\byes\b[^.]*\bpress 1\b", re.IGNORECASE)
POSTCODE_STARTS = re.compile(r"postcode starts ([^.?]+)", re.IGNORECASE)
KEY_OF = {letter: key for key, letters in {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO",
                                            "7": "PQRS", "8": "TUV", "9": "WXYZ"}.items() for letter in letters}


class TimedCall(PhoneSimulator):
    """A simulated call that notes how long each voice webhook took to answer (ms)."""

    def __init__(self, answers: Callable[["TimedCall"], Optional[str]], **options) -> None:
        super().__init__(ask=lambda: answers(self), show=self.note, **options)
        self.timings: List[float] = []
        self.failures: List[str] = []
        self.transcript: List[str] = []

    def note(self, line: str) -> None:
        self.transcript.append(line)
        if line.startswith("(the webhook answered HTTP") or line.startswith("(no answer from"):
            self.failures.append(line)

    def post(self, public_url: str, fields: Dict[str, str]) -> requests.Response:
        started = time.perf_counter()
        answer = super().post(public_url, fields)
        answer.content  # read the whole TwiML
        if VOICE_PATH in public_url:
            self.timings.append((time.perf_counter() - started) * 1000)
        return answer


def scripted(lines: List[str], think: float = 0.0) -> Callable[[TimedCall], Optional[str]]:
    """Answers given in turn, each `think` seconds after the question (a caller speaking), then hang up."""
    remaining = list(lines)

    def answer(call: TimedCall) -> Optional[str]:
        if think and remaining:
            time.sleep(think)
        line = remaining.pop(0) if remaining else "/hangup"
        call.transcript.append(f"Caller: {line}")
        return line

    return answer


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cpu_seconds(pid: Optional[int]) -> Optional[float]:
    """CPU time (user + system) a process has used so far: Rasa's cost per webhook, whatever else loads the machine."""
    if not pid:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(run: Callable[[], List[TimedCall]], rasa_pid: Optional[int] = None) -> Dict[str, float]:
    cpu_before, load_before, started = cpu_seconds(rasa_pid), os.getloadavg()[0], time.monotonic()
    calls = run()
    seconds, cpu_after = time.monotonic() - started, cpu_seconds(rasa_pid)
    figures = summary(calls)
    figures.update(wall_s=seconds, webhooks_per_s=figures["webhooks"] / seconds,
                   load_average=[round(load_before, 1), round(os.getloadavg()[0], 1)])
    if cpu_before is not None and cpu_after is not None and figures["webhooks"]:
        figures["rasa_cpu_ms_per_webhook"] = (cpu_after - cpu_before) * 1000 / figures["webhooks"]
    return figures


def summary(calls: List[TimedCall]) -> Dict[str, float]:
    timings = [t for call in calls for t in call.timings]
    return {
        "calls": len(calls),
        "webhooks": len(timings),
        "median_ms": statistics.median(timings) if timings else float("nan"),
        "p95_ms": percentile(timings, 0.95) if timings else float("nan"),
        "max_ms": max(timings) if timings else float("nan"),
        "failed_calls": sum(1 for call in calls if call.failures),
    }


def one_call_at_a_time(options: Dict, rounds: int) -> List[TimedCall]:
    calls = []
    for _ in range(rounds):
        call = TimedCall(scripted(SPOKEN_CALL), **options)
        call.run()
        calls.append(call)
    return calls


def simultaneous_calls(options: Dict, count: int, think: float = 0.0) -> List[TimedCall]:
    calls = [TimedCall(scripted(SPOKEN_CALL, think), **options) for _ in range(count)]
    start = threading.Barrier(count)

    def ring(call: TimedCall) -> None:
        start.wait()
        call.run()

    threads = [threading.Thread(target=ring, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return calls


def spaced(postcode: str) -> str:
    """A postcode as a caller says it letter by letter: "PR7 1DP" -> "P R 7 1 D P"."""
    return " ".join(postcode.replace(" ", ""))


def keyed(postcode: str) -> str:
    """A postcode keyed in, each letter as the key it is printed on: "PR7 1DP" -> "777137"."""
    return "".join(KEY_OF.get(character, character) for character in postcode.replace(" ", "").upper())


def compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def keypad_answer(prompt: str, house: Dict[str, str], spoken_postcode: bool) -> Tuple[str, str]:
    """(what the caller types, why) for the question just heard; "/hangup" when keys can't answer it."""
    lowered = prompt.lower()
    postcode = compact(house["postcode"])
    if YES_BY_KEY.search(prompt):
        return "press 1", "yes"
    for digit, title in WHOLE_OPTION.findall(prompt):  # the postcodes the keys can be: "Press 2 for P R 7, 1 D P."
        if compact(title) == postcode:
            return f"press {digit}", "the postcode, from the keypad menu"
    starts = POSTCODE_STARTS.search(prompt)
    if starts or "postcode start with" in lowered:  # narrowed a character at a time
        following = postcode[len(compact(starts.group(1))) if starts else 0]
        for digit, title in MENU_OPTION.findall(prompt):
            if compact(title) == following:
                return f"press {digit}", "the postcode's next character"
        return "/hangup", "the postcode's next character was not offered"
    if "postcode" in lowered:
        if spoken_postcode:
            return spaced(house["postcode"]), "the postcode, spoken"
        return f"#{keyed(house['postcode'])}", "the postcode, keyed"
    if "house number" in lowered:
        return f"#{house['house']}", "the house number, keyed"
    options = [(digit, title.strip().lower()) for digit, title in MENU_OPTION.findall(prompt)]
    for wanted in ("missed bin", house["bin"], "report it", "yes", "no thanks", "skip", "no"):
        for digit, title in options:
            if wanted in title:
                return f"press {digit}", f"{title}"
    return "/hangup", "no keypad answer fits"


def keypad_missed_bin(options: Dict, house: Dict[str, str], spoken_postcode: bool = False) -> Dict[str, object]:
    """Turns (answers the caller gave) until the report's reference is heard, answering by keys."""
    outcome: Dict[str, object] = {"reported": False, "turns": None, "stopped": None}
    spoken: List[str] = []
    said_so_far = {"count": 0}

    def answer(call: TimedCall) -> Optional[str]:
        prompt = " ".join(call.heard[said_so_far["count"]:])
        said_so_far["count"] = len(call.heard)
        if REFERENCE_HEARD.search(prompt):
            outcome.update(reported=True, turns=call.turns)
            line = "/hangup"
        else:
            line, why = keypad_answer(prompt, house, spoken_postcode)
            if line == "/hangup":
                outcome["stopped"] = why
            elif not line.startswith(("#", "press ")):
                spoken.append(why)
        call.transcript.append(f"Caller: {line}")
        return line

    call = TimedCall(answer, **options)
    call.run()
    if not outcome["reported"] and REFERENCE_HEARD.search(" ".join(call.heard[said_so_far["count"]:])):
        outcome.update(reported=True, turns=call.turns, stopped=None)  # heard as the call ended
    return {**outcome, "spoken_answers": spoken, "house": f"{house['house']}, {house['postcode']} ({house['bin']})",
            "transcript": call.transcript}


def run_benchmarks(options: Dict, rounds: int, simultaneous: int, houses: List[Dict[str, str]], think: float = 3.0,
                   rasa_pid: Optional[int] = None) -> Dict[str, object]:
    """`houses`: two whose bin can be reported missed, one for each keypad call (a bin is reported only once)."""
    TimedCall(scripted(["goodbye"]), **options).run()  # warm-up: the first message loads what Rasa loads lazily
    return {
        "one_call": measured(lambda: one_call_at_a_time(options, rounds), rasa_pid),
        "simultaneous": measured(lambda: simultaneous_calls(options, simultaneous), rasa_pid),
        "simultaneous_speaking": measured(lambda: simultaneous_calls(options, simultaneous, think), rasa_pid),
        "think_s": think,
        "keypad_missed_bin": keypad_missed_bin(options, houses[0], spoken_postcode=False),
        "keypad_missed_bin_postcode_spoken": keypad_missed_bin(options, houses[1], spoken_postcode=True),
    }


def missed_bin_houses(sandbox_url: str, now: str, council: str, count: int = 2) -> List[Dict[str, str]]:
    """Houses whose blue (recycling) bin can be reported as missed at the sandbox's `now`."""
    from council_sandbox.testing import find_property

    houses: List[Dict[str, str]] = []
    for skip in range(count):
        seen: List[str] = []

        def fresh(candidate: Dict, skip: int = skip, seen: List[str] = seen) -> bool:
            seen.append(candidate["uprn"])
            return len(seen) > skip

        found = find_property(now, "ok", stream="recycling", council=council, base_url=sandbox_url, match=fresh)
        houses.append({"house": found["house"], "postcode": found["postcode"], "bin": found["bin"]["name"].lower()})
    return houses


def with_own_stack(council: str, run: Callable[..., Dict[str, object]]) -> Dict[str, object]:
    """Start the sandbox, the action server and a Rasa server with the phone channel on free ports, then `run`."""
    from tests.stack import (
        SANDBOX_NOW, RestartableSandbox, free_port, newest_model, start_action_server, start_rasa_server, stop,
    )

    with tempfile.TemporaryDirectory() as work:
        logs = Path(work)
        sandbox = RestartableSandbox(f"sqlite:///{logs / 'sandbox.db'}")
        sandbox.start()
        actions = start_action_server(sandbox.url, logs)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        token = os.environ.get("TWILIO_AUTH_TOKEN") or DEFAULT_TOKEN
        rasa = start_rasa_server(
            newest_model(), actions.url, logs, port=port,  # type: ignore[attr-defined]
            extra_env={"TWILIO_AUTH_TOKEN": token, "PHONE_PUBLIC_URL": url, "COUNCIL_API_BASE_URL": sandbox.url},
        )
        try:
            before = len(requests.get(f"{sandbox.url}/open311/v2/requests.json", timeout=10).json())
            houses = missed_bin_houses(sandbox.url, SANDBOX_NOW, council)
            results = run({"url": url, "token": token, "called": e164(phone_line_number(council)) or ""}, houses,
                          rasa.pid)
            after = len(requests.get(f"{sandbox.url}/open311/v2/requests.json", timeout=10).json())
            results["reports_made_in_sandbox"] = after - before
        finally:
            stop(rasa)
            stop(actions)
            sandbox.stop()
    return results


def keypad_row(label: str, keypad: Dict[str, object]) -> str:
    if keypad["reported"]:
        figure = f"{keypad['turns']} answers"
        if keypad["spoken_answers"]:
            figure += f" ({', '.join(keypad['spoken_answers'])}; every other answer keyed)"  # type: ignore[arg-type]
    else:
        figure = f"not made: {keypad['stopped'] or 'no reference heard'} (transcript printed)"
    return f"| {label} ({keypad['house']}) | {figure} |"


def timing_row(label: str, figures: Dict[str, object]) -> str:
    cpu = figures.get("rasa_cpu_ms_per_webhook")
    return (f"| {label} ({figures['calls']} calls, {figures['webhooks']} webhooks) | "
            f"median {figures['median_ms']:.0f} ms, "
            f"95th percentile {figures['p95_ms']:.0f} ms, slowest {figures['max_ms']:.0f} ms; "
            f"{figures['webhooks_per_s']:.1f} webhooks/s"
            + (f", Rasa CPU {cpu:.0f} ms per webhook" if cpu is not None else "")
            + f"; load average {figures['load_average'][0]} to {figures['load_average'][1]} |")


def table(results: Dict[str, object], simultaneous: int) -> str:
    one, many, speaking = results["one_call"], results["simultaneous"], results["simultaneous_speaking"]
    rows = [
        "| measure | figure |",
        "|---|---|",
        timing_row("webhook to TwiML, one call at a time", one),
        timing_row(f"webhook to TwiML, {simultaneous} calls at once, each answering the moment it has heard", many),
        timing_row(f"webhook to TwiML, {simultaneous} calls at once, each answer {results['think_s']:.0f} s after "
                   "the question (a caller speaking)", speaking),
        f"| calls that failed (a webhook not answered with TwiML) | {one['failed_calls']} of {one['calls']} one at a "
        f"time, {many['failed_calls']} and {speaking['failed_calls']} of {many['calls']} at once |",
        keypad_row("turns of a missed-bin report by keypad only, to hearing the reference",
                   results["keypad_missed_bin"]),
        keypad_row("the same with the postcode spoken", results["keypad_missed_bin_postcode_spoken"]),
    ]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running stack's Rasa server (its PHONE_PUBLIC_URL must be this URL)")
    where.add_argument("--start", action="store_true", help="start a stack of its own on free ports")
    parser.add_argument("--token", default=os.environ.get("TWILIO_AUTH_TOKEN") or DEFAULT_TOKEN)
    parser.add_argument("--council", default="chorley", choices=("chorley", "south_ribble"))
    parser.add_argument("--rounds", type=int, default=5, help="calls made one after another")
    parser.add_argument("--simultaneous", type=int, default=20, help="calls made at the same moment")
    parser.add_argument("--sandbox-url", default="http://127.0.0.1:5080",
                        help="with --url: the stack's sandbox, to find a house whose bin can be reported missed")
    parser.add_argument("--sandbox-now", default=os.environ.get("SANDBOX_NOW"),
                        help="with --url: the sandbox's clock (its SANDBOX_NOW; default the tests' fixed time)")
    parser.add_argument("--think", type=float, default=3.0,
                        help="seconds a caller takes to answer, in the second run of simultaneous calls")
    parser.add_argument("--rasa-pid", type=int, default=None,
                        help="with --url: the Rasa server's process id, to measure its CPU time per webhook")
    parser.add_argument("--transcript", action="store_true", help="print the keypad calls' transcripts")
    args = parser.parse_args()

    def run(options: Dict, houses: List[Dict[str, str]], rasa_pid: Optional[int] = None) -> Dict[str, object]:
        return run_benchmarks(options, args.rounds, args.simultaneous, houses, args.think, rasa_pid)

    if args.start:
        results = with_own_stack(args.council, run)
    else:
        from tests.stack import SANDBOX_NOW

        houses = missed_bin_houses(args.sandbox_url, args.sandbox_now or SANDBOX_NOW, args.council)
        results = run({"url": args.url, "token": args.token,
                       "called": e164(phone_line_number(args.council)) or ""}, houses, args.rasa_pid)
    transcripts = {key: results[key].pop("transcript")  # type: ignore[union-attr]
                   for key in ("keypad_missed_bin", "keypad_missed_bin_postcode_spoken")}
    print(json.dumps(results, indent=2))
    for key, transcript in transcripts.items():
        if args.transcript or not results[key]["reported"]:  # type: ignore[index]
            print(f"\n{key}:\n" + "\n".join(transcript))
    print()
    print(table(results, args.simultaneous))
    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
