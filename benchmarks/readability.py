"""How easy the assistant's replies are to read (issues 12 and 13): reading age (Flesch-Kincaid grade + 5) of every
reply on every channel, overall and by where the replies come from, then the hardest ones.

    .venv/bin/python -m benchmarks.readability [--hardest 15]

Prints a Markdown table for BENCHMARKS.md. The collecting and scoring are the test's (tests/replies/readability.py),
so the figures are what tests/replies/test_readability.py checks.
"""
from __future__ import annotations

import argparse

from tests.replies.readability import MAX_LIMIT, MEDIAN_LIMIT, figures, scored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hardest", type=int, default=15, help="how many of the hardest replies to list")
    args = parser.parse_args()
    results = scored()
    print(f"Reading age (Flesch-Kincaid grade + 5); limits: median at most {MEDIAN_LIMIT}, none above {MAX_LIMIT}.\n")
    print("| Replies | Count | Median | 90th percentile | Max |")
    print("|---|---:|---:|---:|---:|")
    for name, row in figures(results).items():
        print(f"| {name} | {row['count']} | {row['median']:.1f} | {row['p90']:.1f} | {row['max']:.1f} |")
    print("\nHardest:")
    for s in sorted(results, key=lambda s: -s.reading_age)[:args.hardest]:
        print(f"  {s.reading_age:5.1f}  {s.reply.where}: {s.cleaned[:110]!r}")


if __name__ == "__main__":
    main()
