"""The 초성 decomposition and the autocomplete's matcher (ledger.payees.hangul)."""
import re

from hypothesis import given
from hypothesis import strategies as st

from ledger.payees.hangul import CHOSEONG, fold, initial_of, initials, like_pattern, match_kind

syllables = st.integers(min_value=0xAC00, max_value=0xD7A3).map(chr)
names = st.text(alphabet=st.one_of(syllables, st.sampled_from("abcXYZ 25-ㅅ%_/")), min_size=1, max_size=20)


def _like(pattern: str, text: str) -> bool:
    """SQL LIKE with escape "/", in Python (for the pre-filter's completeness)."""
    regex, chars = "", iter(pattern)
    for char in chars:
        if char == "/":
            regex += re.escape(next(chars))
        elif char == "%":
            regex += ".*"
        elif char == "_":
            regex += "."
        else:
            regex += re.escape(char)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def test_initials_of_syllables_and_other_characters():
    assert initials("스타벅스") == "ㅅㅌㅂㅅ"
    assert initials("GS25 역삼") == "gs25 ㅇㅅ"
    assert initials("까치") == "ㄲㅊ"
    assert initial_of("힣") == "ㅎ" and initial_of("가") == "ㄱ"


def test_match_kinds():
    assert match_kind("ㅅㅂ", "스타벅스") == "initials"
    assert match_kind("스ㅂ", "스타벅스") == "initials"
    assert match_kind("스벅", "스타벅스") == "initials"
    assert match_kind("ㅅㅌ", "스타벅스") == "prefix"
    assert match_kind("스ㅌ", "스타벅스") == "prefix"
    assert match_kind("스타", "스타벅스") == "prefix"
    assert match_kind("타벅", "스타벅스") == "substring"
    assert match_kind("ㅂㅅ", "스타벅스") == "substring"
    assert match_kind("gs", "GS25") == "prefix"
    assert match_kind("25", "GS25") == "substring"
    assert match_kind("g5", "GS25") is None  # Latin letters match runs only
    assert match_kind("ㅋ", "스타벅스") is None
    assert match_kind("ㅂㅌ", "스타벅스") is None  # in order only
    assert match_kind("", "스타벅스") is None


@given(names, st.data())
def test_every_slice_and_its_initials_match(name, data):
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    piece = name[start:end]
    assert match_kind(piece, name) in ("prefix", "substring")
    assert match_kind(initials(piece), name) is not None


@given(names, names)
def test_the_sql_prefilter_is_complete(name, query):
    if match_kind(query, name) is not None:
        assert _like(like_pattern(query), initials(name))


@given(names)
def test_initials_keep_the_length(name):
    assert len(initials(name)) == len(name) == len(fold(name))
    assert all(c in CHOSEONG or not ("\uac00" <= c <= "\ud7a3") for c in initials(name))
