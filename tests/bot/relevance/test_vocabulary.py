"""The index's vocabulary: its compiled scan must find every word `word_similarity` (rapidfuzz)
accepts, with the very same similarity, and no other."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.relevance.scoring import word_similarity
from bot.relevance.vocabulary import Vocabulary

# few letters, many repeats: the words whose letter counts make the bound tight; and letters
# beyond ASCII (and past the scan's table of 256 code units), which no folded word holds but a
# vocabulary must still compare right
WORDS = (
    st.text(alphabet="ab1", min_size=1, max_size=12)
    | st.text(alphabet="aeknorsv19", min_size=1, max_size=14)
    | st.text(alphabet="aéжж\u4e2d", min_size=1, max_size=10)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=300, unique=True), WORDS, st.booleans(), st.integers(0, 300))
def test_similar_words_are_every_word_word_similarity_accepts(
    words: list[str], query_word: str, prefix: bool, ordered: int
) -> None:
    """Whether a word is looked for among those in length order or those met since."""
    vocabulary = Vocabulary(unordered=0)
    for word in words[:ordered]:
        vocabulary.number(word)
    vocabulary.similar("a", False)  # puts the first ones in length order
    for word in words[ordered:]:
        vocabulary.number(word)
    expected = {
        vocabulary.number(word): found
        for word in words
        if (found := word_similarity(query_word, word, prefix))
    }
    assert vocabulary.similar(query_word, prefix).as_dict() == expected


@settings(max_examples=150, deadline=None)
@given(
    st.lists(WORDS, min_size=1, max_size=200, unique=True),
    st.lists(st.tuples(WORDS, st.booleans()), min_size=1, max_size=6),
)
def test_the_words_of_a_query_looked_for_together_are_those_looked_for_one_by_one(
    words: list[str], asked: list[tuple[str, bool]]
) -> None:
    """A query's words are looked for in one pass over the vocabulary; the same word twice, or
    as a prefix and not, included."""
    vocabulary = Vocabulary(unordered=0)
    for word in words:
        vocabulary.number(word)
    together = [found.as_dict() for found in vocabulary.similar_all([*asked, *asked[:1]])]
    expected = [
        {
            number: found
            for number, word in enumerate(words)
            if (found := word_similarity(typed, word, prefix))
        }
        for typed, prefix in [*asked, *asked[:1]]
    ]
    assert together == expected


def test_a_word_keeps_its_number() -> None:
    vocabulary = Vocabulary()
    assert [vocabulary.number(word) for word in ("kronstadt", "makhno", "kronstadt")] == [0, 1, 0]
    assert vocabulary.get("makhno") == 1
    assert vocabulary.get("tambov") is None
    assert len(vocabulary) == 2


def test_a_query_word_of_hundreds_of_repeated_letters_is_compared_like_any_other() -> None:
    """60 × `中` or 86 × `ﬃ` is one word of over 255 letters: its length does not fit the
    vocabulary's byte, and the words past it are compared all the same."""
    vocabulary = Vocabulary()
    for word in ("kronstadt", "ffi" * 80, "zhong" * 60):
        vocabulary.number(word)
    for query_word in ("ffi" * 86, "zhong" * 60, "a" * 400):
        expected = {
            vocabulary.number(word): found
            for word in ("kronstadt", "ffi" * 80, "zhong" * 60)
            if (found := word_similarity(query_word, word, False))
        }
        assert vocabulary.similar(query_word, False).as_dict() == expected


def test_the_slips_people_make_are_one_edit_each() -> None:
    """A letter dropped, doubled, replaced or swapped with its neighbour costs one edit, so the
    word it was typed from is nearer than a longer word that merely holds the same letters."""
    vocabulary = Vocabulary()
    for word in ("radayan", "krasaryan", "kronstadt", "petrograd"):
        vocabulary.number(word)
    for typed, meant in (("rasayan", "radayan"), ("kronstdat", "kronstadt"), ("petrogard", "petrograd")):
        found = vocabulary.similar(typed, False).as_dict()
        best = max(found, key=found.__getitem__)
        assert vocabulary.words[best] == meant, found


def test_words_met_after_the_length_order_was_made_are_found_too() -> None:
    vocabulary = Vocabulary()
    for number in range(5000):
        vocabulary.number(f"w{number}x")
    assert vocabulary.similar("w12x", False).as_dict()  # orders the first 5,000 by length
    vocabulary.number("makhno")
    assert vocabulary.words[next(iter(vocabulary.similar("mahkno", False).as_dict()))] == "makhno"
    assert vocabulary.similar("makh", True).as_dict() == {5000: 90.0}


def test_a_word_near_thousands_of_words_finds_every_one() -> None:
    """More words found than the scan makes room for at first: it makes more, and loses none."""
    typed = "kronstadt"
    words = {
        typed[:one] + first + typed[one + 1 : two] + second + typed[two + 1 :]
        for one, two in itertools.combinations(range(len(typed)), 2)
        for first, second in itertools.product("abcdefg", repeat=2)
    }
    vocabulary = Vocabulary(unordered=0)
    for word in sorted(words):
        vocabulary.number(word)
    similar = {word: word_similarity(typed, word, False) for word in words}
    expected = {vocabulary.number(word): near for word, near in similar.items() if near}
    assert len(expected) > 1024
    assert vocabulary.similar(typed, False).as_dict() == expected
