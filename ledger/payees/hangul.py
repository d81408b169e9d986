"""Korean initial consonants (초성) and the one matcher of payee autocomplete.

A name is stored twice beside itself (ledger.payees.models): `name_key`, folded to lower case one character at a
time (so it stays aligned with the name), and `initials`, the same with every Hangul syllable replaced by its
initial consonant as a compatibility jamo: "스타벅스" → "ㅅㅌㅂㅅ", "GS25 역삼" → "gs25 ㅇㅅ". A query matches a name
when its characters match a run of the name's characters one by one, where a character matches itself (case
folded) and an initial-consonant jamo also matches every syllable that starts with it ("ㅅㅌ", "스ㅌ", "타벅" find
스타벅스); a query holding Hangul also matches characters in order with gaps, as Koreans abbreviate ("ㅅㅂ",
"스ㅂ", "스벅" find 스타벅스).

A match's initials always hold the query's initials in order, so `initials LIKE '%ㅅ%ㅂ%'` (like_pattern) is a
complete pre-filter in SQL, and `match_kind()` decides the rest in Python.
"""
from __future__ import annotations

from typing import Literal

_SYLLABLE_FIRST = 0xAC00  # 가
_SYLLABLE_LAST = 0xD7A3  # 힣
_PER_INITIAL = 21 * 28  # medial vowels × finals
# The 19 initial consonants in syllable order, as compatibility jamo (what a keyboard types).
CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_CHOSEONG_SET = frozenset(CHOSEONG)

MatchKind = Literal["prefix", "substring", "initials"]


def fold_char(char: str) -> str:
    """One character in lower case; a character whose lower case is longer (İ) stays as it is, so that a
    folded string keeps its length and its positions."""
    lower = char.lower()
    return lower if len(lower) == 1 else char


def fold(text: str) -> str:
    return "".join(fold_char(char) for char in text)


def initial_of(char: str) -> str:
    """The initial consonant (compatibility jamo) of a Hangul syllable; any other character, folded."""
    code = ord(char)
    if _SYLLABLE_FIRST <= code <= _SYLLABLE_LAST:
        return CHOSEONG[(code - _SYLLABLE_FIRST) // _PER_INITIAL]
    return fold_char(char)


def initials(text: str) -> str:
    """`text` with each syllable replaced by its initial consonant, the rest folded: same length as `text`."""
    return "".join(initial_of(char) for char in text)


def is_choseong(char: str) -> bool:
    return char in _CHOSEONG_SET


def _char_matches(query_char: str, name_char: str) -> bool:
    if query_char == name_char:
        return True
    return is_choseong(query_char) and initial_of(name_char) == query_char


def _contiguous_at(query: str, name: str) -> int | None:
    for start in range(len(name) - len(query) + 1):
        if all(_char_matches(q, n) for q, n in zip(query, name[start:start + len(query)], strict=True)):
            return start
    return None


def _subsequence(query: str, name: str) -> bool:
    """Whether the query's characters match characters of the name in order, not necessarily adjacent (greedy
    is exact: each query character is matched at its earliest possible place)."""
    position = 0
    for char in name:
        if position < len(query) and _char_matches(query[position], char):
            position += 1
    return position == len(query)


def match_kind(query: str, name: str) -> MatchKind | None:
    """How `query` matches `name` (both as typed; folded here), or None.

    "prefix": the name starts with the query's characters; "substring": they match a run of the name
    elsewhere; "initials": a query holding Hangul matches characters of the name in order with gaps, as
    Koreans abbreviate (ㅅㅂ or 스벅 for 스타벅스). A character matches itself, ignoring case, and an initial
    consonant matches every syllable it begins.
    """
    folded_query, folded_name = fold(query), fold(name)
    if not folded_query:
        return None
    start = _contiguous_at(folded_query, folded_name)
    if start is not None:
        return "prefix" if start == 0 else "substring"
    if has_hangul(folded_query) and _subsequence(folded_query, folded_name):
        return "initials"
    return None


def like_pattern(query: str, initials_of: bool = True) -> str:
    """The LIKE pattern (escape character "/") of the query's characters in order with anything between them:
    on `initials`, its initials (a complete pre-filter for every match_kind); on `name_key` (initials_of=False),
    the folded query itself (exact for a query without jamo)."""
    escaped = [("/" + c) if c in "%_/" else c for c in (initials(fold(query)) if initials_of else fold(query))]
    return "%" + "%".join(escaped) + "%"


def is_syllable(char: str) -> bool:
    return _SYLLABLE_FIRST <= ord(char) <= _SYLLABLE_LAST


def has_hangul(text: str) -> bool:
    return any(is_choseong(char) or _SYLLABLE_FIRST <= ord(char) <= _SYLLABLE_LAST for char in text)


def has_choseong(text: str) -> bool:
    return any(is_choseong(char) for char in text)
