"""The timeline picture: how long it takes and how much memory it adds, and the library chosen.

    python -m benchmarks.pictures [--sizes 25,250] [--renders 40]

Each (library, size) runs in a fresh process: synthetic events over 1918-1921 at every precision
(days, spans of days, months, years, uncertain and approximate dates, a tenth of them a server's
own), the same placement (`bot.render.picture.layout`), then p50/p99 over the renders after two
warm-ups, and the peak memory added (peak RSS at the end less the RSS before the library was
imported, so its import counts too). Pillow is the library the bot uses. matplotlib, drawing the
same layout, is measured beside it when it is installed (`pip install matplotlib`); it is not a
dependency, and these figures are why. Writes benchmarks/pictures.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.common import peak_rss_mb, percentile
from benchmarks.generate import Writer
from bot.almanac.answers import EventList
from bot.dates.partial import EventDate, PartialDate
from bot.i18n.messages import said
from bot.model.event import BUNDLED_SCOPE, Event
from bot.model.kinds import Theme

OUT = Path(__file__).resolve().parent / "pictures.json"
LIBRARIES = ("pillow", "matplotlib")
FIRST, LAST = dt.date(1918, 1, 1), dt.date(1921, 12, 31)


def synthetic_timeline(size: int, seed: int = 1918) -> EventList:
    """`size` events in 1918-1921, as `/timeline 1918 to 1921` would list them."""
    rng = random.Random(seed)
    writer = Writer(random.Random(f"{seed}-titles"))
    events = []
    for number in range(size):
        fields = replace(writer.event(number, 1919), date=_date(rng))
        scope = 4242 if rng.random() < 0.1 else BUNDLED_SCOPE
        events.append(Event(number + 1, scope, fields))
    events.sort(key=lambda event: (event.date.first_day(), event.date.last_day(), event.id))
    heading = said("Timeline: {span}", span="1918 to 1921")
    return EventList(heading, events, heading, (FIRST, LAST))


def _date(rng: random.Random) -> EventDate:
    day = FIRST + dt.timedelta(days=rng.randrange((LAST - FIRST).days + 1))
    kind = rng.random()
    qualifier = {"": "", "?": "?", "~": "~"}[rng.choice(["", "", "", "", "", "", "", "", "?", "~"])]
    if kind < 0.45:
        return EventDate.parse(f"{day.isoformat()}{qualifier}")
    if kind < 0.65:
        end = min(LAST, day + dt.timedelta(days=rng.randint(1, 90)))
        return EventDate.parse(f"{day.isoformat()}/{end.isoformat()}")
    if kind < 0.9:
        return EventDate(PartialDate(day.year, day.month, approximate=qualifier == "~"))
    return EventDate(PartialDate(day.year, uncertain=qualifier == "?"))


def _resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1024 / 1024


def measure(library: str, size: int, renders: int) -> dict[str, Any]:
    """In this process: import the library, draw `renders` pictures, report times and memory."""
    answer = synthetic_timeline(size)
    before = _resident_mb()
    started = time.perf_counter()
    if library == "pillow":
        import PIL.ImageDraw  # noqa: F401  (timed as the library's import)

        from bot.render.picture import timeline_png as draw
    else:
        draw = matplotlib_png
        import matplotlib.backends.backend_agg  # noqa: F401  (timed as the library's import)
    imported = time.perf_counter() - started
    times = []
    for number in range(renders + 2):
        started = time.perf_counter()
        png = draw(answer, "en")
        if number >= 2:
            times.append((time.perf_counter() - started) * 1000)
    return {
        "library": library,
        "events": size,
        "renders": renders,
        "import_s": round(imported, 3),
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "added_peak_mb": round(peak_rss_mb() - before, 1),
        "png_kb": round(len(png) / 1024, 1),
        "same_bytes": draw(answer, "en") == png,
    }


def matplotlib_png(answer: EventList, language: str, theme: Theme = Theme.LIGHT) -> bytes:
    """The same layout as `bot.render.picture`, drawn by matplotlib (for the comparison only)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Ellipse, FancyBboxPatch

    from bot.render import picture

    palette = picture.PALETTES[Theme.LIGHT]
    axis, placed = picture.layout(answer)
    height = picture.picture_height(placed)
    figure = Figure(figsize=(picture.WIDTH / 100, height / 100), dpi=100, facecolor=palette.background)
    FigureCanvasAgg(figure)
    plot = figure.add_axes((0, 0, 1, 1))
    plot.set_xlim(0, picture.WIDTH)
    plot.set_ylim(height, 0)
    plot.axis("off")
    plot.text(picture.MARGIN, 26, answer.heading.in_language(language), fontsize=18, weight="bold", va="top")
    for day, words in picture._tick_labels(axis, language):
        x = axis.x(day)
        plot.plot((x, x), (picture.ROWS_TOP - 10, height - 20), color=palette.grid, linewidth=1)
        plot.text(x, picture.ROWS_TOP - 24, words, fontsize=10, ha="center", color=palette.faint)
    for item in placed:
        top = picture.ROWS_TOP + item.row * picture.ROW_HEIGHT
        width = item.mark_right - item.mark_left
        if picture._is_point(item.event):
            plot.add_patch(
                Ellipse((item.mark_left + width / 2, top + 25), width, width, color=palette.bundled)
            )
        else:
            box = FancyBboxPatch(
                (item.mark_left, top + 21), width, picture.MARK_HEIGHT, "round,pad=0,rounding_size=3"
            )
            box.set_color(palette.band)
            plot.add_patch(box)
        plot.text(item.label_left, top, item.label, fontsize=11, va="top", color=palette.text)
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="25,250")
    parser.add_argument("--renders", type=int, default=40)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", nargs=2, metavar=("LIBRARY", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]), args.renders)))
        return
    rows: list[dict[str, Any]] = []
    for library in LIBRARIES:
        for size in (int(text) for text in args.sizes.split(",")):
            command = [sys.executable, "-m", "benchmarks.pictures", "--child", library, str(size)]
            done = subprocess.run([*command, "--renders", str(args.renders)], capture_output=True, text=True)
            if done.returncode != 0:
                if "No module named 'matplotlib'" in done.stderr:
                    print("matplotlib is not installed: measuring Pillow only", file=sys.stderr)
                    break
                raise SystemExit(done.stderr)
            rows.append(json.loads(done.stdout))
            print(json.dumps(rows[-1]), file=sys.stderr)
    args.out.write_text(json.dumps({"pictures": rows}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
