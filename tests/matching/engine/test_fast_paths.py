"""The engine's shortcuts give exactly what the general path gives.

Speed work may only skip work whose outcome is known: each shortcut here is checked
against the general code it stands in for, on generated input that includes the cases
the shortcut must refuse (hyphenated line ends, digits in name lines, phrases).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine.cues import (
    HEAD_CHARS,
    _analyse_head_line,
    _has_hyphenated_line_end,
    _holds_phrase,
    _is_name_candidate,
    _numbered_lines,
    _phrase_lines,
    find_text_cues,
)
from matching.engine.normalize import fold, has_digit, tokens

_PIECES = ["Namn: Hugo Ekström", "Ekst-", "röm", "Hugo E.", "", "   ", "\t", "9B",
           "Anna-", "Karin", "x-  ", "Skolans framtid", "Mvh", "/Wilma",
           "Det här är en lång mening om skolan som fortsätter en bra stund till. " * 2,
           "1maz", "-", "Ali 2025-02-27", "hugo.ekstrom@skola.se"]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=30)),
                          max_size=40))
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_head_lines_without_hyphenated_ends_match_the_joining_reader(text: str) -> None:
    assert _numbered_lines(text) == _numbered_lines(text, True)
    if not _has_hyphenated_line_end(text):
        assert _numbered_lines(text, False) == _numbered_lines(text, True)


def test_hyphenated_line_end_is_seen_and_joined() -> None:
    text = "Namn: Hugo Ekst-\nröm\n\nText."
    assert _has_hyphenated_line_end(text)
    head, _tail = _numbered_lines(text)
    assert head[0] == (1, "Namn: Hugo Ekström")


def test_hyphen_beyond_the_head_is_not_looked_for() -> None:
    text = "Namn: Hugo\n" + "x" * HEAD_CHARS + "-\nrest"
    assert not _has_hyphenated_line_end(text)


def _candidate_reference(line: str) -> bool:
    """_is_name_candidate as it was written before its all-letters shortcut."""
    stripped = line.strip()
    if not stripped or len(stripped) > 90:
        return False
    words = [t for t in re.findall(r"[^\W_]+", stripped) if not has_digit(t)]
    if not words or len(words) > 8:
        return False
    return not (stripped.endswith((".", "?", "!")) and len(words) > 4)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.sampled_from(_PIECES), st.text(max_size=100)))
def test_name_candidate_shortcut_agrees(line: str) -> None:
    assert _is_name_candidate(line) == _candidate_reference(line)


def test_words_with_digits_still_do_not_count() -> None:
    assert _is_name_candidate("Anna Andersson 9B 2025")
    assert not _is_name_candidate("9B 2025")
    assert not _is_name_candidate("a b c d e f g h i 9B.")


def test_prose_lines_share_one_reading_but_keep_the_phrase() -> None:
    prose = "Det här är en lång rad med vanlig text om skolan och om livet. " * 2
    assert _analyse_head_line(prose) is _analyse_head_line(prose + "x")
    phrase = "Hej! Jag heter Hugo Ekström och jag går i nian på skolan i staden. " * 2
    assert _analyse_head_line(phrase).phrase
    cues, _ = find_text_cues(phrase + "\n\nText.")
    assert any(c.kind == "name_phrase" for c in cues)


_PHRASE_PIECES = [
    "My name is Hugo Ekström and this essay is about the future of our school, which I think about a lot.",
    "Jag HETER Wilma och jag skriver om skolan, om läsning och om allt annat som jag tycker är viktigt nu.",
    "Everyone here calls me Mo, I'M CALLED Mo by my friends, although my full name is something longer.",
    "mitt NaMn är Åsa " + "och så vidare " * 10,
    "Vietnam, names and namnsdagar: " + "ord " * 30,
    "Ünïcödé prose with İ and K (Kelvin) and ſ, then: my name's Zoë " + "x" * 60,
]


@st.composite
def _phrase_texts(draw: st.DrawFn) -> str:
    pieces = st.one_of(st.sampled_from(_PHRASE_PIECES + _PIECES), st.text(max_size=200))
    return "\n".join(draw(st.lists(pieces, max_size=40)))


@settings(max_examples=400, deadline=None)
@given(_phrase_texts())
def test_phrase_line_shortcut_keeps_every_line_that_holds_the_phrase(text: str) -> None:
    """A long line is read for "my name is" only where one pass over the head found one of
    its words: every line that holds the phrase must be among them."""
    numbers = _phrase_lines(text, _has_hyphenated_line_end(text))
    if numbers is None:
        return  # a hyphenated line end: every line is read
    head, _tail = _numbered_lines(text)
    for number, line in head:
        if _holds_phrase(line):
            assert number in numbers, (number, line)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_tokens_fold_the_line_once_as_each_word_would_be_folded(line: str) -> None:
    expected = [(fold(m.group()), m.start(), m.end()) for m in re.finditer(r"[^\W_]+", line)]
    assert tokens(line) == expected
