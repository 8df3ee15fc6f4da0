"""The one-shot command line, as a newcomer runs it: `almanac ask …` in a fresh process each time.

    python -m benchmarks.command_line [--runs 15]

On the bundled chronology, in a database of its own (loaded once before the timing), each
command is run `--runs` times and its median wall time kept:
- the interpreter alone (`python -c pass`), the floor any command pays;
- the naive way, a process that imports the whole bot before it could answer (discord.py and
  the cogs, numpy and the search index, the picture renderer), without answering anything;
- a date question, `ask "/onthisday 16 March"`, which imports only what a day needs;
- a search question, `ask "/search kronstadt"`, which needs numpy and builds the search index.
The speed-up is the naive way's median over the date question's. Writes
benchmarks/command_line.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "command_line.json"
PROJECT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "interpreter": ["-c", "pass"],
    "whole_bot_import": ["-c", "import bot.client, bot.search.index, bot.render.picture"],
    "date_question": ["-m", "bot", "ask", "/onthisday 16 March"],
    "search_question": ["-m", "bot", "ask", "/search kronstadt"],
}


def _environment(folder: Path) -> dict[str, str]:
    """Nothing from the caller's settings: a database of its own, the bundled data file, no token."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "PYTHONPATH": str(PROJECT),
        "DATABASE_PATH": str(folder / "almanac.sqlite3"),
    }


def _run(arguments: list[str], folder: Path) -> tuple[float, str]:
    """Seconds one fresh process takes, from start to exit, and what it printed; a failure stops
    the benchmark, so an error is never timed as an answer."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *arguments], cwd=folder, env=_environment(folder), check=True, capture_output=True
    )
    return time.perf_counter() - started, done.stdout.decode("utf-8", "replace")


def measure(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="almanac-cli-") as name:
        folder = Path(name)
        _, answer = _run(COMMANDS["date_question"], folder)  # creates the database, loads the chronology
        if "16 March" not in answer:
            raise SystemExit(f"the date question did not answer: {answer[:200]!r}")
        medians = {
            command: round(statistics.median(_run(arguments, folder)[0] for _ in range(runs)), 3)
            for command, arguments in COMMANDS.items()
        }
    return {
        "runs": runs,
        "median_s": medians,
        "date_question_speedup": round(medians["whole_bot_import"] / medians["date_question"], 2),
    }


def table(document: dict[str, Any]) -> str:
    medians = document["median_s"]
    return "\n".join(
        [
            f"| a cold process, median of {document['runs']} | wall time |",
            "|---|---:|",
            f"| `python -c pass` (the interpreter alone) | {medians['interpreter']:.2f} s |",
            "| importing the whole bot, answering nothing (the naive way) | "
            f"{medians['whole_bot_import']:.2f} s |",
            f'| `almanac ask "/onthisday 16 March"` | {medians["date_question"]:.2f} s '
            f"(**{document['date_question_speedup']:g}×** sooner) |",
            f'| `almanac ask "/search kronstadt"` (numpy and the search index) | '
            f"{medians['search_question']:.2f} s |",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    document = measure(args.runs)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(table(document))


if __name__ == "__main__":
    main()
