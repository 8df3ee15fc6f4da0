"""The timeline picture (bot/render/picture.py): every event once, no label over another, the
asker's language and script, the same bytes for the same answer, and a committed reference image
it must still look like.

To redraw the reference after a deliberate change of the picture's look:
    ALMANAC_REDRAW_REFERENCE=1 .venv/bin/pytest tests/bot/render/test_picture.py
and look at tests/fixtures/timeline_reference.png before committing it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from bot.almanac.answers import EventList
from bot.i18n.messages import said
from bot.model.event import BUNDLED_SCOPE, Event, EventFields
from bot.model.kinds import Theme
from bot.render.font_coverage import covered_code_points
from bot.render.localize import localized
from bot.render.picture import (
    LABEL_WIDTH_MAX,
    PALETTES,
    WIDTH,
    Placed,
    _coverage,
    _tick_labels,
    layout,
    timeline_png,
)
from bot.runtime import Services

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "timeline_reference.png"
DISCORD_FILE_MAX = 10 * 1024 * 1024  # what any server (and a DM) accepts from a bot
FONT = (Path(__file__).resolve().parents[3] / "bot" / "render" / "fonts" / "DejaVuSans.ttf").read_bytes()


def event(number: int, date: str, title: str, scope: int = BUNDLED_SCOPE, **extra: Any) -> Event:
    fields = EventFields.from_mapping({"id": f"event-{number}", "date": date, "title": title} | extra)
    return Event(id=number, scope=scope, fields=fields)


def answer_of(events: list[Event], span: tuple[dt.date, dt.date] | None = None) -> EventList:
    heading = said("Timeline: {span}", span="test")
    return EventList(heading, events, heading, span)


def image_of(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(png)).convert("RGB")


def overlaps(first: Placed, second: Placed) -> bool:
    return first.row == second.row and first.left < second.right and second.left < first.right


def assert_laid_out_cleanly(answer: EventList) -> list[Placed]:
    """Every event placed exactly once, inside the picture, overlapping no other in its row."""
    _, placed = layout(answer)
    assert sorted(item.event.id for item in placed) == sorted(event.id for event in answer.events)
    for item in placed:
        assert item.left >= 0 and item.right <= WIDTH, item.label
        assert item.label_width <= LABEL_WIDTH_MAX
    by_row: dict[int, list[Placed]] = {}
    for item in placed:
        by_row.setdefault(item.row, []).append(item)
    for items in by_row.values():
        for number, item in enumerate(items):
            assert not any(overlaps(item, other) for other in items[number + 1 :]), item.label
    return placed


# -- what the picture shows -----------------------------------------------------------------------


async def test_the_fixture_timeline_still_looks_like_its_reference(services: Services) -> None:
    answer = await services.almanac.timeline(0, "1918 to 1921", None)
    png = timeline_png(answer, "en", Theme.LIGHT)
    if os.environ.get("ALMANAC_REDRAW_REFERENCE"):
        REFERENCE.write_bytes(png)
    drawn, reference = image_of(png), image_of(REFERENCE.read_bytes())
    assert drawn.size == reference.size
    # another FreeType may shade a glyph's edge differently; a moved or missing mark changes far more
    difference = ImageChops.difference(drawn, reference).convert("L").point(lambda value: 255 * (value > 48))
    changed = difference.histogram()[255]
    assert changed <= 0.001 * drawn.width * drawn.height, f"{changed} pixels differ from the reference"


async def test_every_event_of_a_span_appears_once_and_no_label_covers_another(services: Services) -> None:
    answer = await services.almanac.timeline(0, "1918 to 1921", None)
    assert len(answer.events) > 10
    assert_laid_out_cleanly(answer)


def test_two_hundred_and_fifty_events_on_one_day_stack_and_stay_within_discords_file_limit() -> None:
    long_title = "Очень длинное название события, которое никак не поместится в одну строку подписи"
    events = [event(n, "1921-03-18", f"{long_title} {n}") for n in range(1, 251)]
    answer = answer_of(events, (dt.date(1921, 1, 1), dt.date(1921, 12, 31)))
    placed = assert_laid_out_cleanly(answer)
    assert len({item.row for item in placed}) == 250  # one day: one row each
    assert all(item.label.endswith("…") for item in placed)
    png = timeline_png(answer, "ru", Theme.DARK)
    assert len(png) < DISCORD_FILE_MAX


def test_the_same_answer_gives_the_same_bytes_and_each_theme_its_background() -> None:
    answer = answer_of([event(1, "1921-03-02/1921-03-18", "Kronstadt rebellion"), event(2, "1921-03", "NEP")])
    light = timeline_png(answer, "en", Theme.LIGHT)
    assert timeline_png(answer, "en", Theme.LIGHT) == light
    dark = timeline_png(answer, "en", Theme.DARK)
    for theme, png in ((Theme.LIGHT, light), (Theme.DARK, dark)):
        corner = image_of(png).getpixel((2, 2))
        assert corner == Image.new("RGB", (1, 1), PALETTES[theme].background).getpixel((0, 0))


def test_each_precision_is_drawn_its_own_way() -> None:
    events = [
        event(1, "1921-03-07", "A day"),
        event(2, "1921-03-02/1921-03-18", "Days"),
        event(3, "1921-06", "A month"),
        event(4, "1921", "A year"),
        event(5, "1921-08-20?", "Uncertain day"),
        event(6, "1921-10~", "Approximate month"),
    ]
    answer = answer_of(events, (dt.date(1921, 1, 1), dt.date(1921, 12, 31)))
    placed = {item.event.id: item for item in assert_laid_out_cleanly(answer)}
    image = image_of(timeline_png(answer, "en"))
    palette = PALETTES[Theme.LIGHT]

    def colour_at(item: Placed) -> str:
        from bot.render.picture import ROW_HEIGHT, ROWS_TOP

        y = ROWS_TOP + item.row * ROW_HEIGHT + 25
        red, green, blue = image.getpixel((round((item.mark_left + item.mark_right) / 2), y))  # type: ignore[misc]
        return f"#{red:02x}{green:02x}{blue:02x}"

    assert colour_at(placed[1]) == palette.bundled  # a filled dot
    assert colour_at(placed[2]) == palette.bundled  # a solid bar
    assert colour_at(placed[3]) == colour_at(placed[4]) == palette.band  # lighter bands
    assert colour_at(placed[5]) == palette.background  # a hollow dot
    assert placed[5].label.endswith(" ?") and placed[6].label.endswith(" ~")
    assert placed[2].mark_right - placed[2].mark_left > 2 * (placed[1].mark_right - placed[1].mark_left)
    year = placed[4]
    assert year.mark_left == pytest.approx(40, abs=1) and year.mark_right == pytest.approx(WIDTH - 40, abs=1)


def test_a_servers_own_events_have_their_own_colour_and_a_line_in_the_legend() -> None:
    only_bundled = answer_of([event(1, "1921-03-07", "Bundled")])
    with_own = answer_of([event(1, "1921-03-07", "Bundled"), event(2, "1921-03-09", "Ours", scope=77)])
    assert image_of(timeline_png(with_own, "en")).size == image_of(timeline_png(only_bundled, "en")).size
    assert timeline_png(with_own, "en") != timeline_png(only_bundled, "en")


# -- languages and scripts ------------------------------------------------------------------------


def test_the_picture_is_in_the_askers_language() -> None:
    translated = {"ru": {"title": "Кронштадтское восстание"}, "ca": {"title": "Revolta de Kronstadt"}}
    events = [event(1, "1921-03-02/1921-03-18", "Kronstadt rebellion", translations=translated)]
    english = answer_of(events, (dt.date(1921, 1, 1), dt.date(1921, 12, 31)))
    russian = localized(english, "ru")
    assert [item.label for item in layout(russian)[1]] == ["Кронштадтское восстание"]
    assert timeline_png(russian, "ru") != timeline_png(english, "en")
    months = [words for _, words in _tick_labels(layout(russian)[0], "ru")]
    assert months[:2] == ["янв. 1921", "март"], months


def test_characters_the_font_lacks_are_transliterated_not_drawn_as_boxes() -> None:
    answer = answer_of([event(1, "1927-04-12", "上海四一二事件"), event(2, "1921-03-07", "Кронштадт")])
    labels = {item.event.id: item.label for item in layout(answer)[1]}
    assert labels[2] == "Кронштадт"  # Cyrillic is in the font: kept
    assert labels[1] and all(ord(character) in _coverage() or character == " " for character in labels[1])
    assert labels[1].startswith("Shang")


def test_the_font_coverage_is_read_from_the_fonts_own_table() -> None:
    covered = covered_code_points(FONT)
    assert {ord("A"), ord("ж"), ord("à"), ord("ñ"), ord("א"), ord("…")} <= covered
    assert ord("上") not in covered and 0xFFFF not in covered
    with pytest.raises(ValueError):
        covered_code_points(FONT[:12] + b"\x00" * 64)


# -- the axis -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (dt.date(1917, 1, 1), dt.date(1939, 12, 31), ["1920", "1925", "1930", "1935"]),
        (dt.date(1918, 1, 1), dt.date(1921, 12, 31), ["Jan 1918", "Jul", "Jan 1919", "Jul", "Jan 1920"]),
        (dt.date(1921, 3, 1), dt.date(1921, 3, 31), ["1 Mar 1921", "8 Mar", "15 Mar", "22 Mar"]),
        (dt.date(1, 1, 1), dt.date(9999, 12, 31), ["1000", "2000", "3000"]),
    ],
)
def test_ticks_are_as_fine_as_fit_and_say_the_year_where_it_changes(
    first: dt.date, last: dt.date, expected: list[str]
) -> None:
    from bot.render.picture import TICKS_MAX, Axis

    words = [label for _, label in _tick_labels(Axis(first, last), "en")]
    assert words[: len(expected)] == expected and len(words) <= TICKS_MAX


def test_an_answer_without_events_has_no_picture() -> None:
    with pytest.raises(ValueError, match="no events"):
        timeline_png(answer_of([]), "en")


@pytest.mark.parametrize(
    "dates",
    [
        ["0001-01-01/0001-01-05", "1921-03-01"],
        ["0033-04-03", "1921-03-01", "9998-12-31"],
        ["9998-12-31"],
        ["0001-01-01"],
    ],
)
def test_the_whole_chronology_is_drawn_to_either_end_of_the_calendar(dates: list[str]) -> None:
    events = [event(number, date, f"Event {number}") for number, date in enumerate(dates, 1)]
    image = Image.open(io.BytesIO(timeline_png(answer_of(events), "en")))
    assert image.width > 0 and image.height > 0
