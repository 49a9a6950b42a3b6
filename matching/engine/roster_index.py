"""A per-batch index of the roster, built once so every essay is read only once.

Scanning a text means: tokenise the few places where an author cue can sit, and look
each token up here. The index maps every spelling of every name word (folded,
transliterated, hyphen-joined) to the students who carry it, and every roster e-mail to
its student. It also holds the *other* spellings a student may use for a roster name —
nicknames (Kalle for Karl) and transliteration variants (Muhammad for Mohammed), from
the tables in ``given_names.py`` — marked as aliases so the scorer can weigh them.
Fuzzy look-ups (one typo) go through rapidfuzz against the roster's own spellings only
(not the aliases) and are cached per batch, because the same words recur across essays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .given_names import VARIANT, nicknames_for, spelling_alternatives
from .normalize import fold, name_words, spelling_variants
from .types import RosterStudent

# Name particles: part of a surname but never enough on their own to identify anyone.
PARTICLES: frozenset[str] = frozenset(
    {
        "af", "av", "von", "van", "der", "den", "de", "la", "le", "del", "della", "di",
        "da", "dos", "das", "do", "du", "zu", "ten", "ter", "bin", "ibn", "al", "el",
    }
)  # fmt: skip

# Roles of an index entry.
GIVEN = "given"                  # one given-name word ("karin" of "Anna-Karin")
SURNAME = "surname"              # one core surname word ("essen" of "von Essen")
PARTICLE = "particle"            # a particle of this student's surname ("von")
GIVEN_JOINED = "given_joined"    # all given words glued ("annakarin")
SURNAME_JOINED = "surname_joined"  # the whole surname glued ("vonessen", "afugglas")
FULL_JOINED = "full_joined"      # given + surname glued ("annaandersson")


class Hit(NamedTuple):
    """A token of the text that matches a name word of one roster student.

    ``alias`` is empty when the token is a spelling of the roster word itself (folded,
    transliterated, glued), else how it stands for it: ``"variant"`` (Muhammad for
    Mohammed), ``"pet"`` (Kalle for Karl) or ``"short"`` (Lisa for Elisabet); see
    ``given_names.py``.
    """

    student: int
    role: str
    part: int
    edits: int
    alias: str = ""


Entry = tuple[int, str, int, str]
"""An index entry: (student, role, part, alias)."""


@dataclass(slots=True)
class StudentNames:
    """The folded name parts of one roster student, as the scorer needs them."""

    index: int
    student: RosterStudent
    given: tuple[str, ...]
    surname: tuple[str, ...]
    particles: tuple[str, ...]
    display: str
    compound_given: bool = False
    """The given names are one hyphenated name ("Anna-Karin"), not two given names."""


def _max_edits(token: str) -> int:
    """How many typos a token may carry and still be looked up fuzzily.

    One edit at most; a two-letter word is only compared with three-letter names that
    start with the same letter (see ``lookup``), since one edit on two letters matches
    almost anything.
    """
    return 1 if len(token) >= 2 else 0


@dataclass(slots=True)
class RosterIndex:
    """Everything about a roster that matching needs, precomputed once per batch."""

    students: list[StudentNames]
    token_map: dict[str, list[Entry]]
    emails: dict[str, list[int]]
    given_share: dict[str, int]
    vocab: list[str]
    _cache: dict[str, tuple[Hit, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, roster: Sequence[RosterStudent]) -> RosterIndex:
        students: list[StudentNames] = []
        token_map: dict[str, list[Entry]] = defaultdict(list)
        emails: dict[str, list[int]] = defaultdict(list)
        given_students: dict[str, set[int]] = defaultdict(set)
        aliases: list[tuple[str, Entry]] = []

        def add(key: str, entry: Entry) -> None:
            if key and entry not in token_map[key]:
                token_map[key].append(entry)

        for idx, student in enumerate(roster):
            given_words = name_words(student.first_name)
            surname_words = name_words(student.last_name)
            core = [w for w in surname_words if fold(w) not in PARTICLES] or surname_words
            particles = [w for w in surname_words if w not in core]
            names = StudentNames(
                index=idx,
                student=student,
                given=tuple(fold(w) for w in given_words),
                surname=tuple(fold(w) for w in core),
                particles=tuple(fold(w) for w in particles),
                display=f"{student.first_name} {student.last_name}".strip(),
                compound_given="-" in (student.first_name or "") and len(given_words) > 1,
            )
            students.append(names)
            for part, word in enumerate(given_words):
                for v in spelling_variants(word):
                    add(v, (idx, GIVEN, part, ""))
                given_students[fold(word)].add(idx)
                folded = fold(word)
                aliases.extend((alt, (idx, GIVEN, part, VARIANT))
                               for alt in spelling_alternatives(folded))
                aliases.extend((nick, (idx, GIVEN, part, kind))
                               for nick, kind in nicknames_for(folded))
            for part, word in enumerate(core):
                for v in spelling_variants(word):
                    add(v, (idx, SURNAME, part, ""))
                aliases.extend((alt, (idx, SURNAME, part, VARIANT))
                               for alt in spelling_alternatives(fold(word)))
            for part, word in enumerate(particles):
                add(fold(word), (idx, PARTICLE, part, ""))
            joined_given = _joined_variants(given_words)
            joined_surname = _joined_variants(surname_words)
            if len(given_words) > 1:
                for v in joined_given:
                    add(v, (idx, GIVEN_JOINED, 0, ""))
            if len(surname_words) > 1:
                for v in joined_surname:
                    add(v, (idx, SURNAME_JOINED, 0, ""))
            if given_words and surname_words:
                for v in _joined_variants(given_words + surname_words):
                    add(v, (idx, FULL_JOINED, 0, ""))
            if student.email:
                emails[student.email.strip().lower()].append(idx)

        # Only the roster's own spellings take part in the one-typo look-up: a nickname
        # or transliteration variant *plus* a typo is two steps from the roster.
        vocab = sorted(k for k in token_map if len(k) >= 2 and k not in PARTICLES)
        # Alias spellings come last and never shadow the roster's own spelling of the
        # same name part ("Ali" on the roster stays an exact "ali", not a variant).
        for key, (sid, role, part, kind) in aliases:
            present = token_map.get(key, ())
            if any(e[0] == sid and e[1] == role and e[2] == part for e in present):
                continue
            add(key, (sid, role, part, kind))
        return cls(
            students=students,
            token_map=dict(token_map),
            emails=dict(emails),
            given_share={k: len(v) for k, v in given_students.items()},
            vocab=vocab,
        )

    def lookup(self, token: str) -> tuple[Hit, ...]:
        """Every roster name word this folded token may stand for, exact or one typo away.

        Exact and fuzzy hits are both returned (a word can be one student's exact
        surname and another's with a typo); the scorer weighs the edits.
        """
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        hits: list[Hit] = [Hit(s, r, p, 0, a) for s, r, p, a in self.token_map.get(token, ())]
        max_edits = _max_edits(token)
        if max_edits and self.vocab and token not in PARTICLES:
            for choice, dist, _ in process.extract(
                token, self.vocab, scorer=OSA.distance, score_cutoff=max_edits, limit=None
            ):
                if dist == 0:
                    continue
                if len(token) == 2 and (len(choice) != 3 or choice[0] != token[0]):
                    continue  # "Nu" may be a cut-off "Nur", not any three-letter word
                if len(choice) == 2 and (len(token) != 3 or not token.startswith(choice)):
                    continue  # "Ekk"/"Boo" for Ek/Bo (a doubled or added last letter) only
                hits.extend(
                    Hit(s, r, p, int(dist)) for s, r, p, a in self.token_map[choice] if not a
                )
        result = tuple(hits)
        if len(self._cache) < 200_000:
            self._cache[token] = result
        return result

    def students_for_email(self, email: str) -> list[int]:
        """Students whose roster e-mail is exactly this address (case-insensitive)."""
        return self.emails.get(email.strip().lower(), [])


def _joined_variants(words: list[str]) -> set[str]:
    """Glued spellings of several words: ``["Anna", "Karin"]`` → ``{"annakarin"}``."""
    if not words:
        return set()
    joined: set[str] = {""}
    for word in words:
        joined = {prefix + v for prefix in joined for v in spelling_variants(word)}
        if len(joined) > 16:
            joined = set(sorted(joined)[:16])
    return joined
