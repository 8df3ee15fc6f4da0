"""The index's vocabulary: its shortcut past fuzz.ratio must never drop a word fuzz.ratio accepts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.postings import Vocabulary
from bot.search.scoring import word_similarity

# few letters, many repeats: the words whose letter counts make the bound tight
WORDS = st.text(alphabet="ab1", min_size=1, max_size=12) | st.text(
    alphabet="aeknorsv19", min_size=1, max_size=14
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=300, unique=True), WORDS, st.booleans())
def test_similar_words_are_every_word_word_similarity_accepts(
    words: list[str], query_word: str, prefix: bool
) -> None:
    vocabulary = Vocabulary()
    for word in words:
        vocabulary.number(word)
    expected = {
        vocabulary.number(word): found
        for word in words
        if (found := word_similarity(query_word, word, prefix))
    }
    assert vocabulary.similar(query_word, prefix) == expected


def test_a_word_keeps_its_number() -> None:
    vocabulary = Vocabulary()
    assert [vocabulary.number(word) for word in ("kronstadt", "makhno", "kronstadt")] == [0, 1, 0]
    assert vocabulary.get("makhno") == 1
    assert vocabulary.get("tambov") is None
    assert len(vocabulary) == 2


def test_a_query_word_of_hundreds_of_repeated_letters_is_compared_like_any_other() -> None:
    """60 × `中` or 86 × `ﬃ` is one word of over 255 letters with few distinct ones: the letter
    bound's arithmetic must not overflow the vocabulary's byte-sized counts."""
    vocabulary = Vocabulary()
    for word in ("kronstadt", "ffi" * 80, "zhong" * 60):
        vocabulary.number(word)
    for query_word in ("ffi" * 86, "zhong" * 60, "a" * 400):
        expected = {
            vocabulary.number(word): found
            for word in ("kronstadt", "ffi" * 80, "zhong" * 60)
            if (found := word_similarity(query_word, word, False))
        }
        assert vocabulary.similar(query_word, False) == expected
