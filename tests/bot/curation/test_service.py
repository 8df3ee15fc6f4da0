"""Curation through the application layer: every change shows at once in the answers of the server
that made it, never in another's, and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.curation.forms import EventForm, read_date, split_labels
from bot.curation.service import Target
from bot.i18n.errors import UserError
from bot.model.event import FieldErrors
from bot.runtime import Services

HERE, THERE = 1001, 2002
MOD = 77
TODAY = dt.date(2026, 1, 1)
PUTILOV = EventForm(
    "Strike at the Putilov works",
    "2 March 1921",
    "Workers stopped.",
    "https://example.org",
    "tags: strike, workers\nalso: Putilov walkout",
)


async def titles_on(services: Services, guild_id: int, day: str) -> list[str]:
    answer = await services.almanac.on_this_day(guild_id, day, TODAY)
    return [item.event.title for item in answer.anniversaries]


async def found(services: Services, guild_id: int, query: str) -> list[str]:
    return [event.title for event in (await services.almanac.search(guild_id, query)).events]


async def completed(services: Services, guild_id: int, text: str, *, own_only: bool = False) -> list[str]:
    return [hit.title for hit in await services.almanac.complete(guild_id, text, own_only=own_only)]


async def actions(services: Services, guild_id: int) -> list[str]:
    return [entry.action for entry in reversed(await services.store.audit_entries(guild_id, None, 5000))]


# -- what the modal accepts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2 March 1921", "1921-03-02"),
        ("March 2, 1921", "1921-03-02"),
        ("1921-03-02", "1921-03-02"),
        ("2/3/1921", "1921-03-02"),
        ("March 1921", "1921-03"),
        ("1921", "1921"),
        ("1921-03~", "1921-03~"),
        (" 1918 / 1921 ".replace(" ", ""), "1918/1921"),
    ],
)
def test_dates_are_read_as_edtf_or_as_onthisday_days_with_a_year(typed: str, stored: str) -> None:
    assert read_date(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2 March", "needs a year"),
        ("tomorrow", "needs a year"),
        ("32 March 1921", "not a date I can read"),
        ("", "empty"),
    ],
)
def test_dates_without_a_year_or_that_do_not_exist_are_refused(typed: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        read_date(typed)


def test_tags_and_other_names_are_read_from_labelled_lines() -> None:
    assert split_labels("strike, navy\nalso: Kronstadt uprising; Kronstadt mutiny\ntags: sailors") == (
        ["strike", " navy", " sailors"],
        [" Kronstadt uprising", " Kronstadt mutiny"],
    )


# -- add ----------------------------------------------------------------------------------------


async def test_an_added_event_is_answered_at_once_in_its_server_only(services: Services) -> None:
    event = await services.curation.add(HERE, MOD, PUTILOV)

    assert event.slug == "strike-at-the-putilov-works" and event.date.edtf() == "1921-03-02"
    assert event.fields.tags == ("strike", "workers") and event.fields.aliases == ("Putilov walkout",)
    assert "Strike at the Putilov works" in await titles_on(services, HERE, "2 March")
    assert "Strike at the Putilov works" in await found(services, HERE, "putilov walkout")
    assert await completed(services, HERE, "putilov w", own_only=True) == ["Strike at the Putilov works"]
    assert "Strike at the Putilov works" not in await titles_on(services, THERE, "2 March")
    assert "Strike at the Putilov works" not in await found(services, THERE, "putilov walkout")
    assert await completed(services, THERE, "putilov w", own_only=True) == []
    assert await actions(services, HERE) == ["add"] and await actions(services, THERE) == []


async def test_every_problem_in_the_modal_is_named_by_its_box_at_once(services: Services) -> None:
    with pytest.raises(FieldErrors) as raised:
        await services.curation.add(HERE, MOD, EventForm("x" * 101, "16 March", "", "s" * 301, ""))

    assert [name for name, _ in raised.value.problems] == ["date", "title", "source"]
    assert await services.store.scope_events(HERE) == []


async def test_ids_come_from_titles_and_never_collide(services: Services) -> None:
    first = await services.curation.add(HERE, MOD, PUTILOV)
    second = await services.curation.add(HERE, MOD, EventForm(PUTILOV.title, "1922"))
    await services.curation.remove(HERE, MOD, second.id)
    third = await services.curation.add(HERE, MOD, EventForm(PUTILOV.title, "1923"))

    base = "strike-at-the-putilov-works"
    assert [first.slug, second.slug, third.slug] == [base, f"{base}-2", f"{base}-3"]


async def test_adding_an_event_the_server_already_sees_is_refused(services: Services) -> None:
    await services.curation.add(HERE, MOD, PUTILOV)

    with pytest.raises(FieldErrors, match="is already on 2 March 1921"):
        await services.curation.add(HERE, MOD, EventForm("Strike at the Putilov Works!", "1921-03-02"))
    with pytest.raises(FieldErrors, match="“Kronstadt rebellion” is already on"):
        await services.curation.add(HERE, MOD, EventForm("The Kronstadt rebellion", "1921-02-28/1921-03-19"))
    other = await services.curation.add(THERE, MOD, EventForm("Strike at the Putilov works", "1921-03-02"))
    assert other.scope == THERE


# -- edit ---------------------------------------------------------------------------------------


async def test_an_edit_replaces_the_event_in_every_answer_and_logs_the_old_values(services: Services) -> None:
    event = await services.curation.add(HERE, MOD, PUTILOV)
    form = EventForm.of(event.fields)
    assert form.labels == "tags: strike; workers\nalso: Putilov walkout"

    changed = EventForm("Putilov lockout", "3 March 1921", form.summary, form.source, form.labels)
    edited = await services.curation.edit(HERE, MOD + 1, event, changed)

    assert edited.slug == event.slug and edited.version == 2
    assert "Strike at the Putilov works" not in await titles_on(services, HERE, "2 March")
    assert "Putilov lockout" in await titles_on(services, HERE, "3 March")
    assert (await found(services, HERE, "putilov lockout"))[0] == "Putilov lockout"
    assert "Strike at the Putilov works" not in await found(services, HERE, "strike at the putilov works")
    assert "Strike at the Putilov works" not in await completed(services, HERE, "strike at", own_only=True)
    (entry, _) = await services.store.audit_entries(HERE, event.id, 10)
    assert entry.action == "edit" and entry.actor_id == MOD + 1
    assert entry.before and entry.before["title"] == "Strike at the Putilov works"
    assert entry.after and entry.after["date"] == "1921-03-03"


async def test_an_edit_from_a_stale_modal_is_refused_not_lost(services: Services) -> None:
    event = await services.curation.add(HERE, MOD, PUTILOV)
    await services.curation.edit(HERE, MOD, event, EventForm("First edit", "1921"))

    with pytest.raises(UserError, match="changed while you were editing it"):
        await services.curation.edit(HERE, MOD, event, EventForm("Second edit", "1921"))
    assert (
        await services.curation.own_event(HERE, await services.curation.find(HERE, "first edit", Target.OWN))
    ).title == "First edit"


async def test_bundled_and_other_servers_events_cannot_be_edited_or_removed(services: Services) -> None:
    theirs = await services.curation.add(THERE, MOD, PUTILOV)
    (kronstadt,) = [e for e in await services.store.scope_events(0) if e.title == "Kronstadt rebellion"]

    with pytest.raises(UserError, match="bundled event: servers cannot change it, but `/events hide`"):
        await services.curation.own_event(HERE, kronstadt.id)
    with pytest.raises(UserError, match="This server has no event called"):
        await services.curation.remove(HERE, MOD, theirs.id)
    with pytest.raises(UserError, match="This server has no event called"):
        await services.curation.own_event(
            HERE, await services.curation.find(HERE, "Strike at the Putilov works", Target.OWN)
        )
    assert not (await services.store.get_event(theirs.id)).deleted  # type: ignore[union-attr]


# -- remove and restore --------------------------------------------------------------------------


async def test_remove_and_restore_take_the_event_out_of_every_answer_and_back(services: Services) -> None:
    event = await services.curation.add(HERE, MOD, PUTILOV)

    await services.curation.remove(
        HERE, MOD, await services.curation.find(HERE, "strike-at-the-putilov-works", Target.OWN)
    )  # by its id, typed
    assert "Strike at the Putilov works" not in await titles_on(services, HERE, "2 March")
    assert "Strike at the Putilov works" not in await found(services, HERE, "putilov walkout")
    assert await completed(services, HERE, "", own_only=True) == []
    assert [hit.title for hit in await services.curation.complete_removed(HERE, "putilov")] == [event.title]
    with pytest.raises(UserError, match="was removed; `/events restore` brings it back"):
        await services.curation.remove(HERE, MOD, event.id)

    await services.curation.restore(
        HERE, MOD, await services.curation.find(HERE, "Strike at the Putilov works", Target.REMOVED)
    )  # by its title
    assert "Strike at the Putilov works" in await titles_on(services, HERE, "2 March")
    assert "Strike at the Putilov works" in await found(services, HERE, "putilov walkout")
    assert await services.curation.complete_removed(HERE, "") == []
    with pytest.raises(UserError, match="is not removed"):
        await services.curation.restore(HERE, MOD, event.id)
    assert await actions(services, HERE) == ["add", "remove", "restore"]


# -- hide and unhide ----------------------------------------------------------------------------


async def test_hiding_a_bundled_event_hides_it_in_that_server_only(services: Services) -> None:
    assert "Cheka storms the Putilov works" in await found(
        services, HERE, "putilov"
    )  # warms the hidden cache
    (hit,) = [
        h
        for h in await services.curation.complete_bundled(HERE, "cheka storms", hidden=False)
        if h.title == "Cheka storms the Putilov works"
    ]

    await services.curation.hide(HERE, MOD, hit.event_id)

    assert "Cheka storms the Putilov works" not in await found(services, HERE, "putilov")
    assert "Cheka storms the Putilov works" not in await titles_on(services, HERE, "16 March")
    assert "Cheka storms the Putilov works" not in await completed(services, HERE, "cheka storms")
    assert (await services.almanac.event(HERE, hit.event_id)).event is None
    assert "Cheka storms the Putilov works" in await found(services, THERE, "putilov")
    assert [h.title for h in await services.curation.complete_bundled(HERE, "", hidden=True)] == [hit.title]
    with pytest.raises(UserError, match="already hidden"):
        await services.curation.hide(HERE, MOD, await services.curation.find(HERE, hit.title, Target.BUNDLED))

    await services.curation.unhide(HERE, MOD, await services.curation.find(HERE, hit.title, Target.BUNDLED))

    assert "Cheka storms the Putilov works" in await found(services, HERE, "putilov")
    assert "Cheka storms the Putilov works" in await titles_on(services, HERE, "16 March")
    with pytest.raises(UserError, match="is not hidden"):
        await services.curation.unhide(
            HERE, MOD, await services.curation.find(HERE, hit.title, Target.BUNDLED)
        )
    assert await actions(services, HERE) == ["hide", "unhide"]


# -- history ------------------------------------------------------------------------------------


async def test_history_lists_every_change_newest_first_and_the_log_cannot_be_rewritten(
    services: Services,
) -> None:
    event = await services.curation.add(HERE, MOD, PUTILOV)
    await services.curation.edit(HERE, MOD, event, EventForm("Renamed", "1921"))
    await services.curation.remove(HERE, MOD, event.id)
    await services.curation.set_curator_role(HERE, 555, MOD)

    everything = await services.curation.history(HERE, None)
    one = await services.curation.history(HERE, await services.curation.find(HERE, "Renamed", Target.LOGGED))

    assert [entry.action for entry in everything.entries] == ["curator-role", "remove", "edit", "add"]
    assert one.event and one.event.id == event.id
    assert [entry.action for entry in one.entries] == ["remove", "edit", "add"]
    assert (await services.curation.history(THERE, None)).entries == []
    with pytest.raises(Exception, match="never rewritten"):  # either engine's error
        async with services.store.transaction() as db:
            await db.execute("UPDATE audit_log SET actor_id = 1")


async def test_the_curator_role_is_stored_and_its_changes_logged(services: Services) -> None:
    assert await services.curation.set_curator_role(HERE, 555, MOD) is None
    assert await services.store.curator_role(HERE) == 555
    assert await services.curation.set_curator_role(HERE, None, MOD) == 555
    assert await services.store.curator_role(HERE) is None

    entries = (await services.curation.history(HERE, None)).entries
    assert [(e.before, e.after) for e in entries] == [
        ({"role": 555}, {"role": None}),
        ({"role": None}, {"role": 555}),
    ]


# -- import and export --------------------------------------------------------------------------


def csv_file(rows: list[str]) -> bytes:
    return ("id,date,title,summary,tags\n" + "\n".join(rows) + "\n").encode()


async def test_one_bad_row_among_a_thousand_changes_nothing_and_is_named(services: Services) -> None:
    rows = [
        f"e{n},1920-{n % 12 + 1:02d}-{n % 28 + 1:02d},Event number {n},Summary {n},t{n}" for n in range(1000)
    ]
    rows[612] = "e612,1920-02-30,Event number 612,Summary,t"

    report = await services.curation.import_file(HERE, MOD, "events.csv", csv_file(rows))

    assert not report.applied and report.added == []
    assert [(note.line, note.text) for note in report.rejected] == [
        (614, "date: `1920-02-30` does not exist: February 1920 has 29 days.")
    ]
    assert report.headline().startswith("Nothing was imported: 1 of 1,000 rows has a problem.")
    assert await services.store.scope_events(HERE) == [] and await actions(services, HERE) == []
    assert not [title for title in await found(services, HERE, "event number 5") if "number" in title]


async def test_a_good_file_adds_every_row_at_once_and_a_second_import_doubles_nothing(
    services: Services,
) -> None:
    rows = [f"e{n},1920-03-{n % 28 + 1:02d},Event number {n},Summary {n},t{n}" for n in range(1000)]

    report = await services.curation.import_file(HERE, MOD, "events.csv", csv_file(rows))
    again = await services.curation.import_file(HERE, MOD, "events.csv", csv_file(rows))

    assert report.applied and len(report.added) == 1000 and report.duplicates == []
    assert "Event number 5" in await titles_on(services, HERE, "6 March")
    assert "Event number 999" in await found(services, HERE, "event number 999")
    assert await completed(services, HERE, "event number 42", own_only=True)
    assert again.applied and again.added == [] and len(again.duplicates) == 1000
    assert again.headline() == "Imported 0 events from 1,000 rows. 1,000 duplicates skipped, not doubled."
    assert len(await services.store.scope_events(HERE)) == 1000
    assert (await actions(services, HERE)).count("import") == 1000


async def test_a_json_export_imports_into_an_empty_server_as_the_same_events(services: Services) -> None:
    await services.curation.add(HERE, MOD, PUTILOV)
    await services.curation.import_file(
        HERE,
        MOD,
        "e.json",
        json.dumps(
            [
                {
                    "id": "range",
                    "date": "1921-02-28/1921-03-19?",
                    "title": "Odd =title @here <@123>",
                    "russia": True,
                    "people": ["A", "B"],
                    "places": ["Kronstadt"],
                    "note": "line one\nline two",
                    "source": "p. 12",
                },
                {"date": "1918", "title": "Кронштадт", "aliases": ["x; y"]},
            ]
        ).encode(),
    )
    removed = await services.curation.add(HERE, MOD, EventForm("Removed one", "1930"))
    await services.curation.remove(HERE, MOD, removed.id)

    exported = await services.curation.export(HERE, "json")
    report = await services.curation.import_file(THERE, MOD, exported.filename, exported.data)

    assert exported.count == 3 and report.applied and report.duplicates == []
    here = [event.fields for event in await services.store.scope_events(HERE, deleted=False)]
    there = [event.fields for event in await services.store.scope_events(THERE, deleted=False)]
    assert there == here


async def test_exports_come_in_three_formats_with_or_without_the_bundled_events(services: Services) -> None:
    with pytest.raises(UserError, match="no events of its own yet"):
        await services.curation.export(HERE, "json")
    await services.curation.add(HERE, MOD, PUTILOV)

    own = await services.curation.export(HERE, "csv")
    everything = await services.curation.export(HERE, "timelinejs", with_bundled=True)

    assert own.filename == f"almanac-{HERE}-events.csv" and own.count == 1
    assert own.data.decode().splitlines()[1].startswith("strike-at-the-putilov-works,1921-03-02,")
    assert everything.filename == f"almanac-{HERE}-timeline.json"
    assert everything.count == len(await services.store.scope_events(0, deleted=False)) + 1
    with pytest.raises(UserError, match="Export as one of json, csv, timelinejs"):
        await services.curation.export(HERE, "xml")


async def test_nothing_changes_or_leaves_the_bundled_chronology_through_curation(services: Services) -> None:
    (kronstadt,) = [e for e in await services.store.scope_events(0) if e.title == "Kronstadt rebellion"]
    attempts = [
        services.curation.import_file(0, MOD, "e.csv", csv_file(["a,1921,A,,"])),
        services.curation.add(0, MOD, PUTILOV),
        services.curation.remove(0, MOD, kronstadt.id),
        services.curation.export(0, "json", with_bundled=True),
    ]
    for attempt in attempts:
        with pytest.raises(UserError, match="one server's own chronology"):
            await attempt
    assert not (await services.store.get_event(kronstadt.id)).deleted  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("2 de març de 1921", "1921-03-02"), ("марта 1921", "1921-03"), ("2. März 1921", "1921-03-02")],
)
async def test_the_event_form_reads_a_date_typed_in_another_language(
    services: Services, typed: str, stored: str
) -> None:
    event = await services.curation.add(HERE, MOD, EventForm("Strike at the Putilov works", typed))
    assert event.date.edtf() == stored


async def test_translations_imported_from_csv_are_stored_searchable_and_exported(services: Services) -> None:
    rows = (
        "date,title,summary,title_ru,summary_ru,title_ca\n"
        "1921-03-02,Strike at the Putilov works,Workers stopped.,Забастовка на Путиловском заводе,"
        "Рабочие остановили станки.,Vaga a la fàbrica Putílov\n"
    )
    report = await services.curation.import_file(HERE, MOD, "events.csv", rows.encode())
    assert report.applied and len(report.added) == 1

    (stored,) = await services.store.scope_events(HERE)
    assert stored.fields.title_in("ru") == "Забастовка на Путиловском заводе"
    assert stored.fields.summary_in("ru") == "Рабочие остановили станки."
    assert stored.fields.title_in("ca") == "Vaga a la fàbrica Putílov"
    for query in ("Путиловском заводе", "станки", "vaga fabrica"):
        assert "Strike at the Putilov works" in await found(services, HERE, query), query

    exported = await services.curation.export(HERE, "csv")
    header = exported.data.decode().splitlines()[0].split(",")
    assert header[-4:] == ["title_ca", "summary_ca", "title_ru", "summary_ru"]
    again = await services.curation.import_file(THERE, MOD, "again.csv", exported.data)
    assert [event.fields for event in again.added] == [stored.fields]
