"""Folding text to search words: every script keeps its letters, and the result is plain words."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.relevance.words import normalize


def test_normalize_keeps_every_letter_of_every_script() -> None:
    assert normalize("Дзержинский") == "dzerzhinskiy"
    assert normalize("Negrín, Largo Caballero") == "negrin largo caballero"
    assert normalize("Ἀθῆναι · Σπάρτη") == "athinai sparti"
    assert normalize("Straße, Łódź") == "strasse lodz"
    assert all(normalize(text) for text in ("北京", "Україна", "ქართული", "עברית", "العربية"))


@given(st.text())
def test_normalize_gives_lowercase_ascii_words_one_space_apart(text: str) -> None:
    words = normalize(text)
    assert words == re.sub(r"[^0-9a-z]+", " ", words).strip()  # nothing else, no space twice
    if text.isascii():  # an ASCII text's words are its letters and digits, in any case, in order
        assert words == " ".join(re.findall(r"[0-9a-z]+", text.lower())) == normalize(text.upper())
