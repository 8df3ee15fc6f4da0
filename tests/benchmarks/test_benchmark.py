"""`make bench` runs end to end on a tiny size and writes results in the shape other tools read.
No timing is asserted here: speed is the benchmark's job, on a quiet machine."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import cast

from benchmarks import command_line, common, engines, generate, pictures, quality, queries, run, tantivy_peer
from bot.model.event import Event, EventFields
from bot.store import Store

OPERATIONS = {"search", "autocomplete", "lookup", "onthisday", "timeline"}
TIMING_KEYS = {"p50_ms", "p99_ms", "baseline_p99_ms", "speedup_p99"}
PEER_OPERATIONS = {"search", "autocomplete", "lookup"}  # what FTS5 and tantivy can answer
GUILD = 900_000_000_000_000_000
SIZE_KEYS = OPERATIONS | {
    "recall_at_10",
    "peer_recall_at_10",
    "load_s",
    "reload_unchanged_s",
    "reload_speedup",
    "db_mb",
    "peak_rss_mb",
    "load_peak_rss_mb",
    "start_s",
    "tantivy_recall_at_10",
    "source_hit_at_1",
    "source_hit_at_10",
    "index_build_s",
    "index_mb",
    "warm_start_s",
    "first_answer_s",
    "snapshot_mb",
}
PEER_KEYS = {"peer_p50_ms", "peer_p99_ms", "peer_speedup_p99", "tantivy_p50_ms", "tantivy_p99_ms"}
SYSTEMS = {"index", "full_scan", "fts5", "tantivy"}


def test_a_tiny_benchmark_writes_results_json_and_a_table(tmp_path: Path) -> None:
    run.main(["--sizes", "200", "--queries", "20", "--out", str(tmp_path)])

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(results) == {"machine", "sizes"}
    assert set(results["sizes"]) == {"200"}
    size = results["sizes"]["200"]
    assert set(size) == SIZE_KEYS
    for operation in OPERATIONS:
        timing = size[operation]
        if operation in PEER_OPERATIONS:
            assert set(timing) == TIMING_KEYS | PEER_KEYS | {"tantivy_speedup_p99"}
            assert timing["peer_speedup_p99"] == round(timing["peer_p99_ms"] / timing["p99_ms"], 2)
            assert timing["tantivy_speedup_p99"] == round(timing["tantivy_p99_ms"] / timing["p99_ms"], 2)
            assert timing["tantivy_p99_ms"] >= timing["tantivy_p50_ms"] > 0
        else:
            assert set(timing) == TIMING_KEYS
        assert timing["p99_ms"] >= timing["p50_ms"] > 0 and timing["baseline_p99_ms"] > 0
        assert timing["speedup_p99"] == round(timing["baseline_p99_ms"] / timing["p99_ms"], 2)
    assert 0.95 <= size["recall_at_10"] <= 1.0
    assert 0.0 < size["peer_recall_at_10"] <= 1.0  # FTS5 finds some of the full scan's answers
    assert 0.0 < size["tantivy_recall_at_10"] <= 1.0  # and so does tantivy
    for hit in ("source_hit_at_1", "source_hit_at_10"):  # every system finds some queries' own event
        assert set(size[hit]) == SYSTEMS and all(0.0 < share <= 1.0 for share in size[hit].values())
    assert all(size["source_hit_at_10"][system] >= size["source_hit_at_1"][system] for system in SYSTEMS)
    assert set(size["index_build_s"]) == {"index", "fts5", "tantivy"} and set(size["index_mb"]) == {
        "index",
        "tantivy",
    }
    assert size["db_mb"] > 0 and size["peak_rss_mb"] > 0 and size["load_s"] > 0 and size["start_s"] > 0
    assert size["warm_start_s"] > 0 and size["snapshot_mb"] > 0  # the second start loaded the snapshot
    agreement = results["machine"]["details"]["200"]["agreement"]
    assert agreement["timeline"] == 1.0  # the naive way is the same answer, only slower …
    assert (
        agreement["search"] >= 0.9 and agreement["autocomplete"] >= 0.9
    )  # … or nearly (see bot/search/index.py)

    table = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "| `/search` p50 / p99 |" in table and "200 events" in table and "FTS5" in table
    assert "| FTS5 and tantivy: `/search` p50 / p99 | FTS5 " in table and "source hit@1" in table
    cold_and_warm = f"{size['start_s']:.1f} s / {size['warm_start_s']:.1f} s"
    assert f"| ready to answer after start, cold / from the index's snapshot | {cold_and_warm} |" in table


def test_the_picture_benchmark_measures_pillow_in_fresh_processes(tmp_path: Path) -> None:
    out = tmp_path / "pictures.json"
    pictures.main(["--sizes", "5,20", "--renders", "2", "--out", str(out)])

    rows = json.loads(out.read_text(encoding="utf-8"))["pictures"]
    pillow = [row for row in rows if row["library"] == "pillow"]
    assert [row["events"] for row in pillow] == [5, 20]
    for row in pillow:
        assert row["p99_ms"] >= row["p50_ms"] > 0 and row["added_peak_mb"] > 0
        assert row["same_bytes"] is True and row["png_kb"] > 0


def test_the_command_line_benchmark_times_fresh_processes_against_importing_the_whole_bot(
    tmp_path: Path,
) -> None:
    out = tmp_path / "command_line.json"
    command_line.main(["--runs", "1", "--out", str(out)])

    document = json.loads(out.read_text(encoding="utf-8"))
    medians = document["median_s"]
    assert set(medians) == set(command_line.COMMANDS) and all(value > 0 for value in medians.values())
    speedup = round(medians["whole_bot_import"] / medians["date_question"], 2)
    assert document["date_question_speedup"] == speedup


def test_the_synthetic_timeline_has_every_precision_inside_its_span() -> None:
    answer = pictures.synthetic_timeline(250)
    assert len(answer.events) == 250 and answer.span == (pictures.FIRST, pictures.LAST)
    precisions = {event.date.precision for event in answer.events}
    assert len(precisions) == 3 and any(event.date.is_range for event in answer.events)
    assert all(pictures.FIRST <= event.date.first_day() <= pictures.LAST for event in answer.events)


def test_the_engine_benchmark_measures_sqlite_and_a_real_postgresql_side_by_side(tmp_path: Path) -> None:
    engines.main(
        ["--events", "200", "--servers", "60", "--hours", "6", "--writes", "15", "--out", str(tmp_path)]
    )

    found = json.loads((tmp_path / "engines.json").read_text(encoding="utf-8"))
    assert set(found["engines"]) == {"sqlite", "postgresql"}
    for engine in found["engines"].values():
        assert all(engine["commands"][operation]["p99_ms"] > 0 for operation in OPERATIONS)
        assert engine["writes"]["writes"] == 2 * 15 and engine["writes"]["writes_per_s"] > 0
        daily = engine["daily"]
        assert daily["servers"] == 60 and daily["posts"] > 0 and daily["duplicates"] == 0
    table = (tmp_path / "engines.md").read_text(encoding="utf-8")
    assert "| | SQLite | PostgreSQL |" in table and "writes per second" in table


def test_a_query_remembers_the_event_it_was_made_from_and_hits_count_it(tmp_path: Path) -> None:
    rng = random.Random(3)
    fields = generate.Writer(rng).event(0, 1917)
    subject = queries.Subject(GUILD, fields, scope=0, event_id=42)
    asked = [*queries.searches([subject], 2, rng), *queries.lookups([subject], 1, rng)]
    assert subject.home == 0 and all(q.source == 42 and q.guild_id == GUILD for q in asked)
    path = tmp_path / "questions.json"
    common.save_questions(path, {"search": asked})
    assert common.load_questions(path) == {"search": asked}

    tally = quality.Tally()
    tally.add([42, 7], [7, 42], 42)  # first: a hit at 1 and at 10, and all of the full scan's ten
    tally.add([7, 42], [7], 42)  # second: a hit at 10 only
    tally.add([7], [], None)  # the event hidden, nothing expected: counted in neither
    assert tally.summary() == {"recall_at_10": 1.0, "hit_at_1": 0.5, "hit_at_10": 1.0}


async def test_the_tantivy_peer_finds_a_misspelt_name_in_the_servers_scopes_only() -> None:
    def event(event_id: int, scope: int, title: str, summary: str) -> Event:
        fields = EventFields.from_mapping(
            {"id": f"e{event_id}", "date": "1921-03-01", "title": title, "summary": summary}
        )
        return Event(event_id, scope, fields)

    events = [
        event(1, 0, "Kronstadt rebellion", "Sailors rose against the Bolsheviks."),
        event(2, GUILD, "Strike in Petrograd", "Workers of Kronstadt and Petrograd walked out."),
        event(3, GUILD + 1, "Kronstadt rising", "Another server's event."),
        event(4, GUILD, "Makhnovshchina", "The free territory of Ukraine."),
    ]

    class NoHidden:
        async def hidden_event_ids(self, guild_id: int) -> set[int]:
            return set()

    peer = tantivy_peer.TantivyPeer(events, cast(Store, NoHidden()))
    assert peer.ids(GUILD, "kronstdat rebelion", 10, ()) == [1, 2]  # a name outranks a summary word
    assert peer.ids(GUILD, "kronstadt", 10, (1,)) == [2]  # hidden events are left out
    assert peer.ids(GUILD, "makhnovsh", 10, (), complete=True) == [4]  # the last word as a prefix
    assert peer.ids(GUILD, "makhnovsh", 10, ()) == []  # … only while it is being typed
    assert tantivy_peer.distance("brest") == 1 and tantivy_peer.distance("kronstadt") == 2
