"""The daily post's intro line: `{anniversaries}` says the count with its noun in the post's
language and the plural form that number takes; anything else in braces is refused."""

from __future__ import annotations

import pytest

from bot.daily.intro import check_intro, filled_intro
from bot.i18n.errors import UserError


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", ["1 anniversary", "3 anniversaries", "5 anniversaries", "21 anniversaries"]),
        ("ru", ["1 годовщина", "3 годовщины", "5 годовщин", "21 годовщина"]),
        ("uk", ["1 річниця", "3 річниці", "5 річниць", "21 річниця"]),
        ("pl", ["1 rocznica", "3 rocznice", "5 rocznic", "21 rocznic"]),
        ("de", ["1 Jahrestag", "3 Jahrestage", "5 Jahrestage", "21 Jahrestage"]),
    ],
)
def test_anniversaries_takes_the_plural_form_of_its_number(language: str, shown: list[str]) -> None:
    line = check_intro("Good morning: {anniversaries} on {date}, {count} in all")
    assert line is not None
    filled = [filled_intro(line, "16 March", count, language) for count in (1, 3, 5, 21)]
    assert filled == [f"Good morning: {words} on 16 March, {words.split()[0]} in all" for words in shown]


def test_any_other_field_is_refused_naming_the_three() -> None:
    with pytest.raises(UserError) as refused:
        check_intro("Hello {user}")
    assert "`{date}`, `{count}`, `{anniversaries}`" in str(refused.value)
    assert "`{user}`" in str(refused.value)
