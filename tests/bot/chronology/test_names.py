"""The gazetteer beside the data file: every person, place, tag and source of the bundled
chronology spelled in every translated language, read into each event's translations, and part
of the data file's fingerprint so an edit to it reloads the chronology."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.chronology.names import Gazetteer, names_path
from bot.chronology.reader import (
    DEFAULT_DATA_FILE,
    ChronologyError,
    file_fingerprint,
    file_stat,
    load_chronology,
)
from bot.i18n.languages import TRANSLATED
from bot.runtime import open_services
from tests.support import FIXTURE_CHRONOLOGY, GOOD_CHRONOLOGY


def test_every_name_of_the_bundled_chronology_is_spelled_in_every_language() -> None:
    spellings = Gazetteer.beside(DEFAULT_DATA_FILE).spellings
    for fields in load_chronology(DEFAULT_DATA_FILE).events:
        used = {"people": fields.people, "places": fields.places, "tags": fields.tags}
        used["sources"] = (fields.source,) if fields.source else ()
        for kind, values in used.items():
            for value in values:
                missing = set(TRANSLATED) - set(spellings[kind].get(value, {}))
                assert not missing, f"{fields.slug}: {kind} `{value}` has no spelling in {sorted(missing)}"


def test_the_reader_gives_each_translation_its_people_places_tags_and_source() -> None:
    kronstadt = next(e for e in load_chronology(DEFAULT_DATA_FILE).events if e.slug == "kronstadt-rebellion")
    russian = kronstadt.translation("ru")
    assert russian is not None
    assert russian.places == ("Кронштадт", "Петроград")
    assert russian.people == ("Лев Троцкий",)
    assert "матросы" in russian.tags
    assert russian.source == "Революция, сошедшая с рельсов"
    polish = kronstadt.translation("pl")
    assert polish is not None and polish.places[0] == "Kronsztad"


def copy_with_names(tmp_path: Path, names: str) -> Path:
    data = tmp_path / "chronology.toml"
    data.write_text(GOOD_CHRONOLOGY, encoding="utf-8")
    names_path(data).write_text(names, encoding="utf-8")
    return data


def test_an_edit_to_the_gazetteer_changes_the_fingerprint_and_the_stat(tmp_path: Path) -> None:
    alone = tmp_path / "alone" / "chronology.toml"
    alone.parent.mkdir()
    alone.write_text(GOOD_CHRONOLOGY, encoding="utf-8")
    data = copy_with_names(tmp_path, '[places."Kronstadt"]\nru = "Кронштадт"\n')
    before, stat = file_fingerprint(data), file_stat(data)
    assert before == load_chronology(data).fingerprint != file_fingerprint(alone)

    names_path(data).write_text(
        '[places."Kronstadt"]\nru = "Кронштадт"\nuk = "Кронштадт"\n', encoding="utf-8"
    )
    assert file_fingerprint(data) == load_chronology(data).fingerprint != before
    assert file_stat(data) != stat


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        ('[places."Kronstadt"]\nit = "Kronštadt"\n', "places.Kronstadt.it: is not a translated language"),
        ('[places."Kronstadt"]\nru = ""\n', "places.Kronstadt.ru: must be text of 1 to 100 characters"),
        ('[rivers."Volga"]\nru = "Волга"\n', "[rivers]: is not one of people, places, tags, sources"),
        ('[places."Kronstadt"\n', "Expected ']'"),
    ],
)
def test_a_bad_gazetteer_is_refused_naming_what_is_wrong(tmp_path: Path, names: str, problem: str) -> None:
    data = copy_with_names(tmp_path, names)
    with pytest.raises(ChronologyError) as caught:
        load_chronology(data)
    assert problem in str(caught.value)
    assert str(caught.value).startswith(str(names_path(data)))


async def test_random_takes_a_tag_in_any_language_the_gazetteer_spells(tmp_path: Path) -> None:
    data = tmp_path / "chronology.toml"
    shutil.copy(FIXTURE_CHRONOLOGY, data)
    names_path(data).write_text(
        '[tags."anarchists"]\nru = "анархисты"\nfr = "anarchistes"\n', encoding="utf-8"
    )
    async with open_services(tmp_path / "db.sqlite3", data) as services:
        for typed in ("анархисты", "Anarchistes", "anarchists"):
            answer = await services.almanac.random(0, tag=typed, pick=0.5)
            assert answer.event is not None and "anarchists" in answer.event.fields.tags, typed
