"""bot/i18n/text.py's terminal_safe: what a terminal would act on is shown, and nothing else changes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n.text import terminal_safe


def test_escapes_controls_and_bidi_overrides_and_keeps_the_rest() -> None:
    assert terminal_safe("a\x1b]52;c;eA==\x07b") == "a\\u001b]52;c;eA==\\u0007b"
    assert terminal_safe("x\ry\x08\x9b\u202e\u2066z") == "x\\u000dy\\u0008\\u009b\\u202e\\u2066z"
    assert terminal_safe("Кронштадт\tline\nnext 中 ﬃ") == "Кронштадт\tline\nnext 中 ﬃ"


@given(st.text())
def test_a_json_document_stays_the_same_json(text: str) -> None:
    document = json.dumps({"title": text}, ensure_ascii=False)
    safe = terminal_safe(document)
    assert json.loads(safe) == {"title": text}
    assert not any((ord(char) < 0x20 and char not in "\t\n") or 0x7F <= ord(char) < 0xA0 for char in safe)
