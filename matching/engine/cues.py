"""Locate the places in an essay where its author's name or e-mail can sit.

An author cue is a *position*, not a name: the value of a "Namn:" header, the first line
of an exam.net export, a "Name, 9B" line, a signature at the very end, the filename,
an e-mail address. This module finds those positions in one pass over the head and the
tail of the text (the body of a 1 MB essay is never tokenised) and hands their tokens
to the scorer; it knows nothing about the roster.

It also knows which labels announce somebody who is *not* the author (Teacher, Lärare,
Instructor, Course, Datum, Klass, …): such lines are never read as author cues, which is
how the teacher's full name in every header stays harmless.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .normalize import fold, has_digit, split_camel_case, tokens

# How much of a text is read. The head holds headers, exam.net name lines and
# "my name is"; the tail holds signatures. Bodies can be huge and are skipped.
HEAD_CHARS = 6000
HEAD_LINES = 30
TAIL_CHARS = 2000
TAIL_LINES = 6
MAX_CUE_LINE = 90  # longer lines are prose, not a name line
MAX_NAME_TOKENS = 8  # a name line has a handful of words, not a sentence
NAME_LINE_EARLY_LINES = 5  # the top lines, always read as header lines

# Header labels that introduce the author (compared after folding and dropping
# everything but letters, so "E-post", "Written by" and "Författare" all work).
AUTHOR_LABELS: frozenset[str] = frozenset(
    {
        "name", "namn", "student", "studentname", "studentsname", "elev", "elevnamn",
        "elevensnamn", "author", "by", "writtenby", "writer", "forfattare", "skrivenav",
        "skrivetav", "inlamnadav", "submittedby", "fullname", "fulltnamn", "firstname",
        "fornamn", "lastname", "surname", "familyname", "efternamn", "from", "fran",
        "avsandare", "sender", "pupil", "candidate", "deltagare", "participant",
    }
)  # fmt: skip

# Labels whose value is an e-mail address of the author.
EMAIL_LABELS: frozenset[str] = frozenset(
    {"email", "epost", "mejl", "mail", "emailadress", "epostadress", "emailaddress"}
)

# Labels that announce somebody or something that is NOT the author. Any label not in
# AUTHOR_LABELS is treated the same way; this list documents the common ones.
NON_AUTHOR_LABELS: frozenset[str] = frozenset(
    {
        "teacher", "larare", "undervisandelarare", "instructor", "mentor", "examinator",
        "examiner", "handledare", "supervisor", "tutor", "course", "kurs", "kurskod",
        "coursecode", "date", "datum", "class", "klass", "group", "grupp", "task",
        "uppgift", "moment", "assignment", "submitted", "inlamnad", "prov", "exam",
        "antalord", "wordcount", "words", "tid", "time", "subject", "amne", "title",
        "titel", "rubrik", "school", "skola", "term", "termin", "to", "till", "cc",
        "mottagare", "recipient", "grade", "betyg",
    }
)  # fmt: skip

# "Label: value" — a label is one to four words of letters (no digits: "10:24" in
# "Inga Khan  2025-02-28 10:24" is a time, not a label separator).
_LABEL_RE = re.compile(r"^\s*([^\W\d_][^\W\d_'.]*(?:[ \-/][^\W\d_][^\W\d_'.]*){0,3})\s*[:：]\s*(.*)$")
_PREFIX_RE = re.compile(
    r"^\s*(written by|skriven av|skrivet av|inlämnad av|submitted by|by|av)\s+(\S.*)$",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W_]+")
_EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_NAME_PHRASE_RE = re.compile(
    r"\b(?:my name is|my name's|mitt namn är|jag heter|i am called|i'm called)\s+"
    r"([^\W\d_][\w\-' ]{0,60})",
    re.IGNORECASE,
)
_SIG_MARKER_RE = re.compile(r"^\s*(?:/{1,2}|[-–—~]{1,2})\s*([^\W\d_].*)$")
_CLOSING_RE = re.compile(
    r"^\s*(best regards|kind regards|warm regards|warmest regards|regards|"
    r"yours sincerely|sincerely|yours truly|all the best|best wishes|cheers|"
    r"med vänliga hälsningar|med vänlig hälsning|vänliga hälsningar|vänlig hälsning|"
    r"hälsningar|hälsning|mvh|hej då)\b[\s,.!:;–—-]*(.*)$",
    re.IGNORECASE,
)
# exam.net anonymised export names: "MHHXGLCG 50 (SA24D ENG 5 WRITING 2025).txt"
_ANON_FILENAME_RE = re.compile(r"^[A-Z]{5,12}\s+\d+\s*\(.*\)\s*$")
_PARENS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_FILENAME_SEP_RE = re.compile(r"[_\-.+]+")
_EXT_RE = re.compile(r"\.[A-Za-z0-9]{1,5}$")

# Cue kinds (also the Evidence.kind values).
HEADER_LABEL = "header_label"
FIRST_LINE = "first_line"
NAME_LINE = "name_line"
NAME_PHRASE = "name_phrase"
SIGNATURE = "signature"
FILENAME = "filename"
EMAIL = "email"
EMAIL_NAME = "email_name"


@dataclass(slots=True)
class Cue:
    """One place that may carry the author's name, with its tokens (never changed once
    made; a plain class, which the compiled engine makes and reads far faster than a
    named tuple — a batch makes thousands).

    ``tokens`` are ``(folded, start, end)`` with offsets into ``line`` (the raw line, or
    the filename), so evidence can quote exactly what was written.
    """

    kind: str
    source: str
    line: str
    line_number: int | None
    tokens: tuple[tuple[str, int, int], ...]
    label: str | None = None
    marked: bool = False  # an explicit signature marker ("/", "//", "Mvh", …)
    position: int = 0  # index among the non-empty lines of the head (0 = first)

    @property
    def words(self) -> tuple[str, ...]:
        """The folded words alone (the key under which a batch caches their hits)."""
        return tuple([tok for tok, _s, _e in self.tokens])


class EmailFound(NamedTuple):
    """An e-mail address seen in an author-compatible place."""

    address: str
    line: str
    line_number: int
    start: int
    end: int


@lru_cache(maxsize=4096)
def label_key(label: str) -> str:
    """Fold a header label to letters only: ``"E-post"`` → ``"epost"``. Cached: the same
    few labels (Namn, Klass, Datum, …) head every essay of a class."""
    return "".join(ch for ch in fold(label) if ch.isalpha())


def _span(line: str, start: int, end: int | None = None) -> tuple[tuple[str, int, int], ...]:
    """Tokens of ``line[start:end]`` with offsets relative to the whole line."""
    if start == 0 and end is None:  # the whole line: the offsets are already right
        return tuple(tokens(line))
    piece = line[start:end] if end is not None else line[start:]
    return tuple((tok, s + start, e + start) for tok, s, e in tokens(piece))


def _numbered_lines(
    text: str, hyphenated: bool | None = None
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The head lines and the tail lines of ``text`` as ``(line_number, line)``.

    Only the first HEAD_CHARS and the last TAIL_CHARS characters are split; the line
    numbers of the tail come from counting newlines (a C-speed scan), not splitting.
    Hyphenation at the end of a head line is undone ("Ekst-" + "röm …" → "Ekström …",
    as scans of printed or handwritten headers give it); the joined line keeps the
    first number. When the head has no hyphenated line end (``_has_hyphenated_line_end``,
    or ``hyphenated=False``), no line can be joined and the lines are kept as they are,
    in one C-level pass; ``hyphenated=True`` always takes the joining reader.
    """
    if len(text) <= HEAD_CHARS:
        return _short_text_lines(text, hyphenated)
    raw = text[:HEAD_CHARS].split("\n")
    head_raw = raw if len(raw) == 1 else raw[:-1]  # the last piece was cut mid-line
    if hyphenated is None:
        hyphenated = _has_hyphenated_line_end(text)
    if hyphenated:
        head = _joined_head_lines(head_raw)
    else:
        numbered = enumerate(head_raw[: HEAD_LINES * 3], 1)
        head = [(n, line) for n, line in numbered if line and not line.isspace()]
        del head[HEAD_LINES:]
    first_nl = text.find("\n", len(text) - TAIL_CHARS)
    if first_nl == -1:
        return head, []
    base = text.count("\n", 0, first_nl + 1) + 1
    lines = text[first_nl + 1 :].split("\n")
    tail: list[tuple[int, str]] = []
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if line and not line.isspace():
            tail.append((base + i, line))
            if len(tail) >= TAIL_LINES:
                break
    tail.reverse()
    return head, tail


def _short_text_lines(
    text: str, hyphenated: bool | None
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``_numbered_lines`` for a text that fits in the head: its non-empty lines are
    listed once and give both the head and the tail."""
    raw = text.split("\n")
    kept = [(n, line) for n, line in enumerate(raw, 1) if line and not line.isspace()]
    tail = kept[-TAIL_LINES:]
    if hyphenated is None:
        hyphenated = _has_hyphenated_line_end(text)
    if hyphenated:
        return _joined_head_lines(raw), tail
    if len(raw) > HEAD_LINES * 3:
        limit = HEAD_LINES * 3
        kept = [(n, line) for n, line in kept if n <= limit]
    return kept[:HEAD_LINES], tail


def _joined_head_lines(head_raw: list[str]) -> list[tuple[int, str]]:
    """The non-empty head lines, a line ending in a hyphenated word joined to the next."""
    head: list[tuple[int, str]] = []
    last = 0  # number of the line the last head entry ended on
    hyphen = False  # that line ends in a hyphenated word
    for number, line in enumerate(head_raw[: HEAD_LINES * 3], 1):
        if hyphen and last == number - 1 and _continues(line):
            head[-1] = (head[-1][0], head[-1][1].rstrip()[:-1] + line)
            last = number
            hyphen = _ends_hyphenated(line)
            continue
        if line and not line.isspace():
            if len(head) >= HEAD_LINES:
                break
            head.append((number, line))
            last = number
            hyphen = line.rstrip().endswith("-") and _ends_hyphenated(line)
    return head


# A hyphen at the end of a line (trailing spaces allowed): the only place where
# _joined_head_lines joins two lines.
_LINE_END_HYPHEN_RE = re.compile(r"-[^\S\n]*\n")


def _has_hyphenated_line_end(text: str) -> bool:
    """Whether some head line ends in a hyphen followed by another line."""
    return _LINE_END_HYPHEN_RE.search(text, 0, HEAD_CHARS) is not None


def _continues(line: str) -> bool:
    """The line goes on with the rest of a word: lower case, or a scanned l/o ("1maz")."""
    first = line[:1]
    return first.islower() or (first in "01|" and line[1:2].isalpha())


def _ends_hyphenated(line: str) -> bool:
    """ "Ekst-": a letter and a hyphen at the end of the line."""
    stripped = line.rstrip()
    return len(stripped) >= 2 and stripped[-1] == "-" and stripped[-2].isalpha()


def find_emails(line: str, line_number: int) -> list[EmailFound]:
    """E-mail addresses in a line (only its first 500 characters are searched)."""
    if line.find("@", 0, 500) == -1:  # most lines: skip the regex scan entirely
        return []
    found = []
    for m in _EMAIL_RE.finditer(line[:500]):
        address = m.group().strip(".-").lower()
        found.append(EmailFound(address, line, line_number, m.start(), m.end()))
    return found


def _is_name_candidate(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_CUE_LINE:
        return False
    found = _WORD_RE.findall(stripped)
    # Words with digits do not count; mostly every word is all letters, and then none can.
    alpha = all(map(str.isalpha, found))
    count = len(found) if alpha else sum(1 for t in found if not has_digit(t))
    if not count or count > MAX_NAME_TOKENS:
        return False
    # A sentence ending in a full stop with many words is prose, not a name line.
    return not (stripped.endswith((".", "?", "!")) and count > 4)


@dataclass(slots=True, eq=False)
class _HeadLine:
    """What one header line can be, read once (cached: header templates recur in every
    essay of a class, and across re-matches of the same batch)."""

    label: str | None  # "Namn" of "Namn: Anna", when the line is a label line
    label_kind: int  # _AUTHOR, _EMAIL_ONLY, _OTHER (or _NO_LABEL)
    value: tuple[tuple[str, int, int], ...]  # tokens of the value of an author label
    candidate: bool  # short enough and few enough words to be a name line
    prefix: str | None  # "By", "Skriven av" of "By Anna Andersson"
    prefix_tokens: tuple[tuple[str, int, int], ...]
    tokens: tuple[tuple[str, int, int], ...]  # tokens of the whole line (candidates only)
    phrase: bool = False  # "my name is …" / "jag heter …" somewhere in the line


_NO_LABEL, _AUTHOR, _EMAIL_ONLY, _OTHER = 0, 1, 2, 3
_PROSE_LINE = _HeadLine(None, _NO_LABEL, (), False, None, (), (), False)
_PROSE_PHRASE_LINE = _HeadLine(None, _NO_LABEL, (), False, None, (), (), True)
_CACHED_LINE_CHARS = 120  # longer lines are prose: read each time, never kept


def _analyse_head_line(line: str) -> _HeadLine:
    colon = line.find(":", 0, 200) != -1 or line.find("：", 0, 200) != -1
    label_match = _LABEL_RE.match(line[:200]) if colon else None
    key = label_key(label_match.group(1)) if label_match else None
    if label_match and key and len(key) <= 25 and "@" not in label_match.group(1):
        label = label_match.group(1).strip()
        if key in AUTHOR_LABELS:
            value = _span(line, label_match.start(2)) if label_match.group(2).strip() else ()
            return _HeadLine(label, _AUTHOR, value, False, None, (), ())
        kind = _EMAIL_ONLY if key in EMAIL_LABELS else _OTHER
        return _HeadLine(label, kind, (), False, None, (), ())
    phrase = _holds_phrase(line)
    if not _is_name_candidate(line):
        return _PROSE_PHRASE_LINE if phrase else _PROSE_LINE  # most lines: shared, not made
    prefix = _PREFIX_RE.match(line)
    if prefix:
        return _HeadLine(
            None, _NO_LABEL, (), True, prefix.group(1), _span(line, prefix.start(2)), _span(line, 0), phrase
        )
    return _HeadLine(None, _NO_LABEL, (), True, None, (), _span(line, 0), phrase)


_read_head_line = lru_cache(maxsize=32768)(_analyse_head_line)


def find_text_cues(text: str) -> tuple[list[Cue], list[EmailFound]]:
    """All author cues in the head and tail of ``text``, plus author-compatible e-mails."""
    hyphenated = _has_hyphenated_line_end(text)
    head, tail = _numbered_lines(text, hyphenated)
    emails: list[EmailFound] = []
    # In a short text head and tail overlap: the top lines are read as header lines,
    # the rest of the overlap as possible signatures; never both.
    # A very short text keeps its last two lines for the signature pass.
    early = NAME_LINE_EARLY_LINES
    if len(text) <= HEAD_CHARS and len(head) < HEAD_LINES:
        early = max(1, min(early, len(head) - 2))
    cues = _head_cues(text, head, tail[0][0] if tail else None, early, emails, hyphenated)
    if cues:
        wrapped = _wrapped_label_cues(cues, head)
        combined = _combined_label_cue(cues)
        if combined is not None:
            cues.append(combined)
        cues.extend(wrapped)
    if tail:
        early_numbers = {n for n, _ in head[:early]}
        tail = [(n, line) for n, line in tail if n not in early_numbers]
        cues.extend(_signature_cues(tail, emails, head))
    return cues, emails


# A word every "my name is" / "jag heter" phrase holds, in some case: the cheap test before
# the (case-insensitive) regex. Looked for in the text's UTF-8 bytes lower-cased, a fast
# ASCII pass: no other letter lower-cases to one of these words' letters.
_PHRASE_WORDS = (b"nam", b"heter", b"called")


def _lowered_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass").lower()


def _holds_phrase(line: str) -> bool:
    """Whether the line says "my name is …" / "jag heter …" (in its first 500 characters)."""
    lowered = _lowered_bytes(line[:500])
    return any(word in lowered for word in _PHRASE_WORDS) and _NAME_PHRASE_RE.search(line[:500]) is not None


def _phrase_lines(text: str, hyphenated: bool) -> set[int] | None:
    """The numbers of the head lines where a word of "my name is" / "jag heter" occurs,
    in any case, from one pass over the head; None when every line must be read (a
    hyphenated line end, ``_has_hyphenated_line_end``, can join such a word across two
    lines)."""
    if hyphenated:
        return None
    head = _lowered_bytes(text[:HEAD_CHARS])
    numbers: set[int] = set()
    for word in _PHRASE_WORDS:
        number, counted = 1, 0  # newlines counted up to the previous occurrence, not again
        at = head.find(word)
        while at != -1:
            number += head.count(b"\n", counted, at)
            counted = at
            numbers.add(number)
            at = head.find(word, at + 1)
    return numbers


def _head_info(line: str, may_hold_phrase: bool) -> _HeadLine:
    """What a head line can be: short lines are read once per process, a long line with
    no label is prose at once (unless it says "my name is": ``may_hold_phrase`` when it
    has one of its words), the rest is read each time."""
    if len(line) <= _CACHED_LINE_CHARS:
        return _read_head_line(line)
    if line.find(":", 0, 200) == -1 and line.find("：", 0, 200) == -1 and len(line.strip()) > MAX_CUE_LINE:
        # what _analyse_head_line makes of it: no label, too long for a name line
        return _PROSE_PHRASE_LINE if may_hold_phrase and _holds_phrase(line) else _PROSE_LINE
    return _analyse_head_line(line)


def _head_cues(
    text: str,
    head: list[tuple[int, str]],
    tail_start: int | None,
    early: int,
    emails: list[EmailFound],
    hyphenated: bool,
) -> list[Cue]:
    """The cues of the head lines: labels, the first line, name lines, "my name is".

    The lines from ``tail_start`` on are the tail (the last non-empty lines); unless
    among the first ``early`` lines, the signature pass reads them instead."""
    cues: list[Cue] = []
    first_number = head[0][0] if head else None
    if tail_start is None:
        tail_start = len(text) + 1
    mails = text.find("@", 0, HEAD_CHARS) != -1
    phrase_lines = _phrase_lines(text, hyphenated)
    pending_label: str | None = None
    for position, (number, line) in enumerate(head):
        info = _head_info(line, phrase_lines is None or number in phrase_lines)
        if mails and "@" in line and info.label_kind != _OTHER:
            emails.extend(find_emails(line, number))
        if info.label_kind != _NO_LABEL:
            if info.label_kind == _AUTHOR:
                if info.value:
                    cues.append(
                        Cue(HEADER_LABEL, "text", line, number, info.value, info.label, False, position)
                    )
                else:
                    pending_label = info.label
            elif info.label_kind == _OTHER:
                pending_label = None  # Teacher, Kurs, Datum, …: announces a non-author
        elif pending_label is not None:
            if info.candidate:
                cues.append(
                    Cue(HEADER_LABEL, "text", line, number, info.tokens, pending_label, False, position)
                )
            pending_label = None
        else:
            if info.phrase:
                cues.extend(_phrase_cues(line, number, position))
            if not info.candidate or (number >= tail_start and position >= early):
                continue  # prose, or the tail pass reads it as a possible signature
            if info.prefix is not None:
                cues.append(
                    Cue(HEADER_LABEL, "text", line, number, info.prefix_tokens, info.prefix, False, position)
                )
            else:
                kind = FIRST_LINE if number == first_number else NAME_LINE
                cues.append(Cue(kind, "text", line, number, info.tokens, None, False, position))
    return cues


def _phrase_cues(line: str, number: int, position: int) -> list[Cue]:
    """ "My name is …" / "Jag heter …" cues in one line."""
    out = []
    for m in _NAME_PHRASE_RE.finditer(line[:500]):
        value_tokens = _span(line, m.start(1), _phrase_end(line, m.start(1)))[:4]
        if value_tokens:
            out.append(Cue(NAME_PHRASE, "text", line, number, value_tokens, position=position))
    return out


def _wrapped_label_cues(cues: list[Cue], head: list[tuple[int, str]]) -> list[Cue]:
    """A label whose value continues on the next line ("Namn: Hugo" / "Ekström", a
    scanned header wrapped): the two lines read as one, when the value has at most three
    words and the next line one or two words and no label. The one-line reading stays."""
    short_labels = [
        c for c in cues if c.kind == HEADER_LABEL and 1 <= len(c.tokens) <= 3 and c.line_number is not None
    ]
    if not short_labels:
        return []
    out = []
    for cue in short_labels:
        # a head cue's position is its line's index in ``head``: the next entry, if it
        # is the very next line of the text
        after = cue.position + 1
        if after >= len(head) or head[after][0] != (cue.line_number or 0) + 1:
            continue
        nxt = head[after][1]
        if _LABEL_RE.match(nxt) or not 1 <= len(tokens(nxt)) <= 2:
            continue
        line = cue.line.rstrip() + " " + nxt.strip()
        start = len(cue.line.rstrip()) + 1
        out.append(
            Cue(
                HEADER_LABEL,
                "text",
                line,
                cue.line_number,
                cue.tokens + _span(line, start),
                label=cue.label,
                position=cue.position,
            )
        )
    return out


def _combined_label_cue(cues: list[Cue]) -> Cue | None:
    """Join split author labels ("Förnamn: Anna" + "Efternamn: Andersson") into one cue.

    Only when at least one of them holds a single word, i.e. a name split over lines.
    """
    labelled = [c for c in cues if c.kind == HEADER_LABEL and c.line_number is not None]
    if len(labelled) < 2 or not any(len(c.tokens) == 1 for c in labelled):
        return None
    labelled = labelled[:3]
    line = ""
    toks: list[tuple[str, int, int]] = []
    for cue in labelled:
        if line:
            line += " | "
        offset = len(line)
        line += cue.line.strip()
        shift = offset - (len(cue.line) - len(cue.line.lstrip()))
        toks.extend((t, s + shift, e + shift) for t, s, e in cue.tokens)
    label = " + ".join(c.label or "" for c in labelled)
    return Cue(
        HEADER_LABEL,
        "text",
        line,
        labelled[0].line_number,
        tuple(toks),
        label=label,
        position=labelled[0].position,
    )


def _phrase_end(line: str, start: int) -> int:
    """Where the name after "my name is" stops: at the first sentence punctuation."""
    for i in range(start, min(len(line), start + 60)):
        if line[i] in ".,!?;:()\n":
            return i
    return min(len(line), start + 60)


@dataclass(slots=True, eq=False)
class _TailLine:
    """What one of the last lines can be, read once (cached like ``_HeadLine``)."""

    closing: bool  # "Mvh", "Best regards," …
    signed: tuple[tuple[str, int, int], ...] | None  # a name cue's tokens on this line
    marked: bool  # the name follows a marker ("/", "//", "—", "Mvh …", "By …")
    plain: tuple[tuple[str, int, int], ...] | None  # the whole line as a name, if it is one


_NO_SIGNATURE = _TailLine(False, None, False, None)


def _analyse_tail_line(line: str) -> _TailLine:
    stripped = line.strip()
    if len(stripped) > MAX_CUE_LINE:
        return _NO_SIGNATURE  # prose: most last lines are, so one shared reading
    closing = _CLOSING_RE.match(stripped)
    if closing:
        rest = closing.group(2)
        if rest.strip():
            return _TailLine(True, _span(line, line.find(rest)), True, None)
        return _TailLine(True, None, False, None)
    if _LABEL_RE.match(line):
        return _NO_SIGNATURE  # "Datum: …" is not a signature
    plain = _span(line, 0) if _is_name_candidate(line) else None
    marker = _SIG_MARKER_RE.match(line)
    if marker and _is_name_candidate(marker.group(1)):
        return _TailLine(False, _span(line, marker.start(1)), True, plain)
    prefix = _PREFIX_RE.match(line)
    if prefix and _is_name_candidate(prefix.group(2)):
        return _TailLine(False, _span(line, prefix.start(2)), True, plain)
    return _TailLine(False, None, False, plain)


_read_tail_line = lru_cache(maxsize=32768)(_analyse_tail_line)


def _signature_cues(
    tail: list[tuple[int, str]], emails: list[EmailFound], head: list[tuple[int, str]]
) -> list[Cue]:
    """Signature cues among the last non-empty lines ("/Anna", "Mvh Anna", "Anna A.")."""
    cues: list[Cue] = []
    closing_next = False
    last_number = tail[-1][0] if tail else None
    for number, line in tail:
        if "@" in line and all(number != n for n, _line in head):  # head e-mails are in
            emails.extend(find_emails(line, number))
        if len(line) <= _CACHED_LINE_CHARS:
            info = _read_tail_line(line)
        elif len(line.strip()) > MAX_CUE_LINE:
            info = _NO_SIGNATURE  # prose, as _analyse_tail_line reads it
        else:
            info = _analyse_tail_line(line)
        if info.closing and info.signed is None:
            closing_next = True
            continue
        if info.signed is not None:
            cues.append(Cue(SIGNATURE, "text", line, number, info.signed, marked=info.marked))
        elif info.plain is not None and (closing_next or number == last_number):
            cues.append(Cue(SIGNATURE, "text", line, number, info.plain, marked=closing_next))
        closing_next = False
    return cues


_GLUED_PARTICLES = ("van", "von", "der", "den", "de", "la", "af", "da", "dos", "du", "del")
# A word's lower-case run right before a capital. The look-behind pins the start to a
# word boundary so a long run without capitals costs linear, not cubic, time.
_GLUED_RUN_RE = re.compile(r"(?<![^\W\d_])([^\W\d_])([a-zß-ÿ]+)(?=[A-ZÀ-ÖØ-Þ])")
MAX_FILENAME_CHARS = 255


def _peel_particles(cleaned: str) -> str:
    """Split particles glued into CamelCase: ``"ZeynepvanderBerg"`` → ``"Zeynep van der Berg"``.

    Only a lower-case run right before a capital is peeled, from its end, and only into
    known particles; the caller keeps the unpeeled reading too, since a given name can
    end in "de" or "la" by itself.
    """

    def peel(match: re.Match[str]) -> str:
        word = match.group(1) + match.group(2)
        peeled: list[str] = []
        while True:
            for particle in _GLUED_PARTICLES:
                if word.endswith(particle) and len(word) - len(particle) >= 2:
                    peeled.insert(0, particle)
                    word = word[: -len(particle)]
                    break
            else:
                break
        return " ".join([word, *peeled]) + (" " if peeled else "")

    return _GLUED_RUN_RE.sub(peel, cleaned)


def find_filename_cues(filename: str | None) -> list[Cue]:
    """The filename as name cues (one reading, or two when glued particles can be split)."""
    if not filename:
        return []
    if len(filename) > MAX_FILENAME_CHARS:
        return list(_filename_cues.__wrapped__(filename))
    return list(_filename_cues(filename))


@lru_cache(maxsize=8192)
def _filename_cues(filename: str) -> tuple[Cue, ...]:
    """Cached: "uppsats.docx", "essay.docx" and exam.net names recur in every batch."""
    cue = find_filename_cue(filename)
    if cue is None:
        return ()
    peeled = find_filename_cue(filename, peel=True)
    if peeled is None or peeled.line == cue.line:
        return (cue,)
    return (cue, peeled)


def find_filename_cue(filename: str | None, peel: bool = False) -> Cue | None:
    """The filename as a name cue, unless it is an anonymised exam.net export name.

    ``Andersson_Anna_uppsats.txt`` and ``AnnaAndersson.pdf`` both give the tokens
    ``anna``/``andersson``; words like "uppsats" are ignored later by the scorer.
    """
    if not filename:
        return None
    base = filename.replace("\\", "/").rsplit("/", 1)[-1][-MAX_FILENAME_CHARS:]
    stem = _EXT_RE.sub("", base)
    if _ANON_FILENAME_RE.match(stem):
        return None
    cleaned = _PARENS_RE.sub(" ", stem)
    cleaned = _FILENAME_SEP_RE.sub(" ", cleaned)
    if peel:
        cleaned = _peel_particles(cleaned)
    cleaned = split_camel_case(cleaned)
    toks = tuple(tokens(cleaned))
    if not toks:
        return None
    return Cue(FILENAME, "filename", cleaned, None, toks)


def email_local_cue(found: EmailFound) -> Cue | None:
    """A name cue from an e-mail's local part: ``anna.andersson2@…`` → anna, andersson.

    Used when the address is not on the roster (a personal address, a roster without
    e-mails). Student-id style addresses (``ab12cd@…``) give no letters-only words and
    so no cue: they can only ever match a roster e-mail exactly.
    """
    local = found.address.split("@", 1)[0]
    local_tokens = []
    offset = found.start
    for tok, s, _e in tokens(re.sub(r"[._+\-]", " ", local)):
        word = "".join(ch for ch in tok if not ch.isdigit())
        if len(word) >= 2 and word == tok.rstrip("0123456789"):
            local_tokens.append((word, offset + s, offset + s + len(word)))
    if not local_tokens:
        return None
    return Cue(EMAIL_NAME, "text", found.line, found.line_number, tuple(local_tokens))


_PART_OF_NAME_LABELS = frozenset({"fornamn", "firstname", "efternamn", "lastname", "surname", "familyname"})


def declared_author_names(text: str) -> list[tuple[str, str]]:
    """The names a header declares as the author's ("Namn: Hugo Eriksson", "Förnamn: … /
    Efternamn: …", "Namn: Eriksson, Hugo"), as written: ``(first names, last name)``.

    For the teacher, not the scorer: a declared name that fits nobody on the roster is offered
    as a student to add. Only labelled header values count (a signature or a first line may be
    anything), and only two to four words of letters.
    """
    found: list[tuple[str, str]] = []
    for cue in find_text_cues(text)[0]:
        if cue.kind != HEADER_LABEL or not 2 <= len(cue.tokens) <= 4:
            continue
        if label_key(cue.label or "") in _PART_OF_NAME_LABELS:  # "Förnamn: Anna Karin" is half a name
            continue
        words = [cue.line[start:end] for _folded, start, end in cue.tokens]
        if not all(word.isalpha() for word in words) or len(words[-1]) < 2:
            continue
        last_first = "," in cue.line[cue.tokens[0][2]:cue.tokens[1][1]]  # "Eriksson, Hugo"
        name = (" ".join(words[1:]), words[0]) if last_first else (" ".join(words[:-1]), words[-1])
        if name not in found:
            found.append(name)
    return found
