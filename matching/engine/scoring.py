"""Score roster students against the cues of one essay.

For each cue the tokens are looked up in the roster index (exact spellings first, then
one typo via rapidfuzz's OSA distance, which counts a transposition as one edit). The
hits of one student are aligned to that student's name parts — given names, core
surnames, particles, glued forms — and judged as a whole:

* full name (a given name and the surname), word order free, so "ANDERSSON Anna" and
  "Andersson, Anna" count; missing second given names or one of two surnames cost a
  little, typos cost a little more, and *unexplained extra words* on the line cost too:
  "Signe Persson" is not Signe Bengtsson, it is somebody else called Signe;
* surname with a matching initial ("A. Andersson"), surname only, first name only —
  weaker by design, and only read in real author positions;
* the roster e-mail is an identifier and decides on its own.

The output per student is the best cue plus a corroboration bonus from a second,
independent cue; competition between students is handled later (batch.py/assignment.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz.distance import OSA

from . import calibration as cal
from .cues import (
    EMAIL,
    EMAIL_NAME,
    FILENAME,
    FIRST_LINE,
    HEADER_LABEL,
    NAME_LINE,
    NAME_PHRASE,
    SIGNATURE,
    Cue,
    EmailFound,
)
from .given_names import CLASSMATE_SPELLING, PET, SHORT, SPELLING, VARIANT
from .normalize import FILLER_WORDS, fold, has_digit, name_words, ocr_key
from .roster_index import (
    FULL_JOINED,
    GIVEN,
    GIVEN_JOINED,
    PARTICLE,
    PARTICLES,
    SURNAME,
    SURNAME_JOINED,
    Hit,
    RosterIndex,
    StudentNames,
)
from .types import Evidence

_KIND_LABEL = {
    HEADER_LABEL: "header",
    FIRST_LINE: "first line",
    NAME_LINE: "name line near the top",
    NAME_PHRASE: "'my name is' phrase",
    SIGNATURE: "signature",
    FILENAME: "filename",
    EMAIL_NAME: "e-mail address",
}

# Fits with only part of the name: never "high" by themselves (see assignment.py).
WEAK_SHAPES = frozenset({"given_only", "given_initial", "surname_initial", "surname_only", "initials"})
PRIOR_SHAPES = WEAK_SHAPES - {"surname_only"}
# Kinds where a lone name part is still worth keeping as partial evidence for a split
# name ("/Hugo" in the signature, "Ekström_uppsats.docx" as the filename).
_PARTIAL_SLOTS = frozenset({FILENAME, EMAIL_NAME})

# Positions where a first name or surname on its own still means something.
_AUTHOR_SLOTS = frozenset({HEADER_LABEL, FIRST_LINE, NAME_PHRASE})


@dataclass(slots=True)
class NameFit:
    """How the tokens of one cue fit one student's name."""

    strength: float
    shape: str  # "full", "surname_initial", "surname_only", "given_only", "none"
    edits: int
    first: int  # token positions covered (for quoting the evidence)
    last: int
    alias: str = ""  # strongest alias used: "" | "variant" | "pet" | "short"
    aligned: _Aligned | None = None  # the alignment, for the reason shown to teachers
    names: StudentNames | None = None


@dataclass(slots=True)
class CueScore:
    """One cue's support for one student.

    Internal and short-lived, so a plain (not frozen) slotted class: thousands are made
    per batch. Only the few that end up shown get their reason and evidence written.
    """

    student: int
    confidence: float
    fit_shape: str
    strength: float
    edits: int
    kind: str
    why: str | tuple[Cue, NameFit, int]
    """The reason shown to the teacher, or what it is made from (cue, fit, how many
    students share the given name)."""
    source: Evidence | tuple[Cue, NameFit]
    """The evidence, or the cue and fit it is quoted from."""
    alias: str = ""  # as NameFit.alias: a nickname fit never counts as identity
    weight: float = 1.0  # the weight of the position (confidence = weight × strength)
    partial: bool = False  # one name part where a lone part is no author cue (filename,
    # e-mail): only ever evidence in combination with another cue

    @property
    def reason(self) -> str:
        return self.why if isinstance(self.why, str) else _reason(*self.why)

    @property
    def evidence(self) -> Evidence:
        return self.source if isinstance(self.source, Evidence) else _evidence(*self.source)

    @property
    def misspelled_full_name(self) -> bool:
        """This student's full name in an author position, at worst misspelled: at most two
        typos or scan errors in all ("Valter Sunel1", "H4ns Ekström"), or other
        transliterations of its words ("Sameer Nasari" for Samir Nazari), no nickname and
        no word left over (a second given name may be missing). Written exactly, it is
        usually "high" by itself and never reaches the remaining students.

        It says at least what the initials say ("V.S.", "S.N."), so the batch's remaining
        students can decide it as they decide those. A word two edits off that no look-up
        rule explains is a rough part (``_read_rough_part``), perhaps somebody else's
        name: it never counts here."""
        if self.fit_shape != "full" or self.alias in (PET, SHORT) or isinstance(self.source, Evidence):
            return False
        cue, fit = self.source
        late_line = cue.kind == NAME_LINE and cue.position >= cal.NAME_LINE_EARLY_LINES
        if cue.kind in _PARTIAL_SLOTS or late_line:
            return False
        al, names = fit.aligned, fit.names
        if al is None or names is None or al.rough or al.extra or al.middle or fit.edits > 2:
            return False
        return 0 in al.given and len(al.surname) == len(names.surname)

    @property
    def place(self) -> tuple[str, int | None, str]:
        """(kind, line number, quoted text): two scores from the same place are one."""
        if isinstance(self.source, Evidence):
            return (self.kind, self.source.line_number, self.source.matched_text)
        cue, fit = self.source
        if cue.tokens:
            return (self.kind, cue.line_number, cue.line[cue.tokens[fit.first][1] : cue.tokens[fit.last][2]])
        return (self.kind, cue.line_number, cue.line)


@dataclass(slots=True)
class StudentScore:
    """Everything one essay says about one student, combined."""

    student: int
    confidence: float
    best: CueScore
    support: list[CueScore]

    @property
    def strong_identity(self) -> bool:
        """Full name (at most a typo) or roster e-mail: a cue that survives a duplicate."""
        return (
            self.best.strength >= cal.DUPLICATE_MIN_STRENGTH
            and self.best.fit_shape in ("full", "email")
            and self.best.alias not in (PET, SHORT)
            and self.confidence >= cal.HIGH_CONFIDENCE
        )

    @property
    def weak_cue(self) -> bool:
        """A first name (with or without the surname's initial), initial and surname, or
        initials, in an author position, uncontradicted and spelled as on the roster:
        what the batch's remaining students can decide. A surname alone is not one:
        siblings share it, and a sibling need not be on this roster."""
        best = self.best
        if best.fit_shape == "full":
            return best.misspelled_full_name
        return (
            best.fit_shape in PRIOR_SHAPES
            and not best.partial
            and not best.alias
            and best.strength > cal.CONTRADICTED
        )

    def names_more_than(self, other: StudentScore) -> bool:
        """This student's whole name, and nothing else, is what the place both scores come
        from says, with no more typos than the other student's fit there, while the other
        student's name leaves a word over or a name part out: "Lars Valter Rezai" is Lars
        Valter Rezaei's name with one typo, and Lars Rezaei's only with a middle name the
        roster does not list; "Chris Lövgren" is Kristoffer Lövgren's nickname and surname,
        and Kristoffer Vera Lövgren's without his second given name. The exact form of this
        is ``exact_identity``."""
        mine, theirs = self.best, other.best
        if isinstance(mine.source, Evidence) or isinstance(theirs.source, Evidence):
            return False
        (cue, fit), (other_cue, other_fit) = mine.source, theirs.source
        if cue != other_cue or fit.edits > other_fit.edits:
            return False
        if not _whole_name(fit) or _whole_name(other_fit):
            return False
        if fit.aligned is None or other_fit.aligned is None:
            return False
        # a nickname or variant counts only when both fits read the same word so
        return fit.aligned.aliased == other_fit.aligned.aliased

    @property
    def exact_identity(self) -> bool:
        """The roster name exactly and completely as written, or the roster e-mail."""
        return self.best.fit_shape == "email" or (
            self.best.fit_shape == "full" and self.best.strength >= cal.FULL_NAME
        )


def _whole_name(fit: NameFit) -> bool:
    """Every given name and surname part of the roster name is in the cue, and no word of
    the cue is left unexplained (typos allowed)."""
    al, names = fit.aligned, fit.names
    if al is None or names is None or fit.shape != "full":
        return False
    return (
        not al.extra
        and not al.middle
        and not al.rough
        and len(al.given) == len(names.given)
        and len(al.surname) == len(names.surname)
    )


@dataclass(slots=True, eq=False)
class Placed:
    """A roster hit at token position ``pos`` of a cue, covering tokens pos..end (a
    plain class, like ``Hit``)."""

    pos: int
    end: int
    hit: Hit


@dataclass(slots=True)
class _Aligned:
    """One student's name parts matched to the tokens of one cue."""

    used: dict[int, Hit] = field(default_factory=dict)  # token position → hit
    given: dict[int, int] = field(default_factory=dict)  # given part → edits
    surname: dict[int, int] = field(default_factory=dict)
    aliased: dict[int, str] = field(default_factory=dict)  # token position → alias kind
    given_initial: bool = False  # "H." standing for the first given name
    surname_initial: bool = False  # "E." standing for the surname
    extra: int = 0  # unexplained words (or a wrong initial)
    middle: int = 0  # words where a middle name goes
    rough: bool = False  # a name part only two edits from the roster's


def _placed_order(p: Placed) -> tuple[int, bool, int, int]:
    return (p.hit.edits, p.hit.alias != "", p.pos - p.end, p.pos)


def _align(names: StudentNames, placed: list[Placed]) -> _Aligned:
    """Each name part takes at most one token (or glued pair of tokens), and each token
    serves at most one part: cheapest first (fewest edits, the roster's own spelling
    before an alias, a glued pair before its halves)."""
    al = _Aligned()
    particles: set[int] = set()
    used = al.used
    for p in sorted(placed, key=_placed_order) if len(placed) > 1 else placed:
        pos, end, hit = p.pos, p.end, p.hit
        if pos in used or (end != pos and end in used):
            continue
        if hit.role == GIVEN and hit.part not in al.given:
            al.given[hit.part] = hit.edits
        elif hit.role == SURNAME and hit.part not in al.surname:
            al.surname[hit.part] = hit.edits
        elif hit.role == PARTICLE and hit.part not in particles:
            particles.add(hit.part)
        elif hit.role == GIVEN_JOINED and not al.given:
            al.given.update({i: 0 for i in range(len(names.given))})
            al.given[0] = hit.edits
        elif hit.role == SURNAME_JOINED and not al.surname:
            al.surname.update({i: 0 for i in range(len(names.surname))})
            al.surname[0] = hit.edits
        elif hit.role == FULL_JOINED and not al.given and not al.surname:
            al.given.update({i: 0 for i in range(len(names.given))})
            al.surname.update({i: 0 for i in range(len(names.surname))})
            al.given[0] = hit.edits
        else:
            continue
        for q in range(pos, end + 1):
            al.used[q] = hit
        if hit.alias:
            al.aliased[pos] = hit.alias
    return al


def _rough_part(cue: Cue, names: StudentNames, pos: int, hits: list[Hit]) -> str | None:
    """Which name part the word at ``pos`` is as a scan garbled it, if any: the first
    given name ("Sten" for Sixten, "Mans" for Magnus, "Tois" for Tobias) when every other
    name word of the cue is the exact surname, or the surname ("Lundrk" for Lundmark,
    "CIesson" for Claesson) when the others are exactly all the given names. Scans drop
    and misread letters: same first letter, at least three letters of a name of at least
    five (two edits leave too little of a shorter one: "Bra" is not Bo), two edits (OSA);
    a word one edit away is a typo and found by the look-up already."""
    word = cue.tokens[pos][0]
    if len(word) < 3 or not names.given or not names.surname or not hits:
        return None
    role = hits[0].role
    if role == SURNAME:
        target, parts, other = names.given[0], len(names.surname), GIVEN
    elif role == GIVEN and len(names.surname) == 1:
        target, parts, other = names.surname[0], len(names.given), SURNAME
    else:
        return None
    if word[0] != target[0] or len(target) < 5 or not word.isalpha():
        return None  # most words: another first letter, decided here
    if any(h.role != role or h.edits or h.alias for h in hits):
        return None
    if len({h.part for h in hits}) != parts:
        return None
    return other if OSA.distance(word, target, score_cutoff=2) == 2 else None


def _rough_position(
    cue: Cue, names: StudentNames, placed: list[Placed], pos: int, index: RosterIndex
) -> bool:
    """Whether the one word of the cue that the student's exact name words leave
    unexplained (at ``pos``) is that student's other name part as a scan garbled it
    (``_rough_part``) and no roster name as written, nickname or listed variant ("Oskar"
    next to "Hussein" is Oskar Hussein, not Omar Hussein garbled; a transliteration
    skeleton is too loose to say so)."""
    if _rough_part(cue, names, pos, [p.hit for p in placed]) is None:
        return False
    return not any(
        hit.edits == 0 and hit.alias not in _RULE_ALIASES for hit in index.lookup(cue.tokens[pos][0])
    )


def _read_rough_part(cue: Cue, names: StudentNames, al: _Aligned, pos: int) -> None:
    """The garbled name part (``_rough_position``) stands for that part at two edits;
    the fit is graded, but never above review (``calibration.ROUGH_PART_STRENGTH``)."""
    if pos in al.used:
        return
    role = _rough_part(cue, names, pos, list(al.used.values()))
    if role == GIVEN:
        al.given[0] = 2
    elif role == SURNAME:
        al.surname[0] = 2
    else:
        return
    al.used[pos] = Hit(names.index, role, 0, 2)
    al.rough = True


def _read_leftovers(cue: Cue, names: StudentNames, al: _Aligned) -> None:
    """Initials, middle names and unexplained words among the tokens not yet used.

    An initial counts for the name part it can stand for (the first given name, the
    surname); next to a first name, an initial that fits neither is another person's
    ("Hugo Q." is not Hugo Ekström), so it counts as an unexplained word.
    """
    for pos, (tok, _s, _e) in enumerate(cue.tokens):
        if pos in al.used:
            continue
        if len(tok) == 1 and tok.isalpha():
            if names.given and not al.given and not al.given_initial and tok == names.given[0][:1]:
                al.given_initial = True
                al.used[pos] = Hit(names.index, GIVEN, 0, 0)
            elif names.surname and not al.surname and not al.surname_initial and tok == names.surname[0][:1]:
                al.surname_initial = True
                al.used[pos] = Hit(names.index, SURNAME, 0, 0)
            elif (al.given and not al.surname and not al.surname_initial) or (
                al.surname and not al.given and not al.given_initial
            ):
                al.extra += 1  # "Hugo Q." or "Q. Ekström": another person's initial
            continue
        if len(tok) < 2 or has_digit(tok) or tok in FILLER_WORDS or tok in PARTICLES:
            continue
        if al.given and al.surname and _middle_position(pos, al.used):
            al.middle += 1
            continue
        al.extra += 1


def _edit_costs(names: StudentNames, al: _Aligned) -> tuple[int, int]:
    """All edits in the matched name words, and those in words of four letters or fewer."""
    edits = short = 0
    for parts, words in ((al.given, names.given), (al.surname, names.surname)):
        for part, e in parts.items():
            if e:
                edits += e
                if part < len(words) and len(words[part]) <= 4:
                    short += e
    return edits, short


def _grade_full(
    cue: Cue,
    names: StudentNames,
    al: _Aligned,
    edits: int,
    short_edits: int,
    penalty: float,
    class_given_names: dict[str, int] | None,
) -> float:
    """Strength of a full-name fit (a given name and the surname)."""
    strength = cal.FULL_NAME
    if 0 not in al.given:
        strength -= cal.NOT_FIRST_GIVEN_PENALTY if names.compound_given else cal.LATER_GIVEN_NAME_PENALTY
    strength -= cal.MISSING_GIVEN_PENALTY * (len(names.given) - len(al.given))
    strength -= cal.MISSING_SURNAME_PENALTY * (len(names.surname) - len(al.surname))
    strength -= cal.EDIT_PENALTY * (edits - short_edits)
    strength -= cal.SHORT_WORD_EDIT_PENALTY * short_edits
    strength -= penalty
    if al.rough:
        strength = min(strength, cal.ROUGH_PART_STRENGTH)
    if CLASSMATE_SPELLING in al.aliased.values():
        strength = min(strength, cal.CLASSMATE_SPELLING_STRENGTH)
    nick_positions = [p for p, kind in al.aliased.items() if kind in (PET, SHORT)]
    if nick_positions:
        strength -= cal.NICKNAME_PENALTY
        nick = cue.tokens[nick_positions[0]][0]
        decisive = (
            len(nick_positions) == 1
            and len(al.aliased) == 1
            and edits == 0
            and al.extra == 0
            and al.middle == 0
            and len(al.surname) == len(names.surname)
            and not (class_given_names or {}).get(nick)
        )
        if not decisive:
            strength = min(strength, cal.NICKNAME_REVIEW_STRENGTH)
    return strength


def _grade_partial(al: _Aligned, edits: int, penalty: float) -> tuple[float, str]:
    """Strength and shape of a fit with only part of the name (or initials)."""
    if CLASSMATE_SPELLING in al.aliased.values():
        return 0.0, "none"  # "// Mohamed" is the Mohamed in the class, not Maxamed
    nickname = any(kind in (PET, SHORT) for kind in al.aliased.values())
    if al.surname and al.given_initial:
        return cal.SURNAME_AND_INITIAL - cal.EDIT_PENALTY * edits - penalty, "surname_initial"
    if al.surname:
        if al.extra:
            return cal.CONTRADICTED, "surname_only"
        return cal.SURNAME_ONLY - cal.EDIT_PENALTY * edits - penalty, "surname_only"
    if al.given:
        shape = "given_initial" if al.surname_initial else "given_only"
        if al.extra:
            return cal.CONTRADICTED, shape
        strength = cal.GIVEN_ONLY if edits == 0 else cal.GIVEN_ONLY_TYPO
        if al.surname_initial:
            strength += cal.SURNAME_INITIAL_BONUS
        if 0 not in al.given:
            strength -= cal.NOT_FIRST_GIVEN_PENALTY
        if nickname:
            strength -= cal.NICKNAME_GIVEN_ONLY_PENALTY
        return strength - penalty, shape
    if al.given_initial and al.surname_initial and not al.extra:
        return cal.INITIALS_ONLY, "initials"
    return 0.0, "none"


def fit_name(
    cue: Cue,
    names: StudentNames,
    placed: list[Placed],
    class_given_names: dict[str, int] | None = None,
    rough: int | None = None,
) -> NameFit:
    """Align one student's hits inside one cue and grade the fit, in named steps:
    ``_align`` (name parts ← tokens), ``_read_rough_part`` (a scan-garbled name part
    next to the exact rest of the name), ``_read_leftovers`` (initials, middle names,
    unexplained words), ``_edit_costs`` (typos), ``_word_penalty`` (extra words,
    variants), then ``_grade_full`` or ``_grade_partial`` by the shape of the fit.

    ``class_given_names`` (folded given name → how many students carry it) lets a
    nickname that is literally a classmate's given name stay ambiguous. ``rough``: the
    position of a scan-garbled name part the screen found (``_rough_position``).
    """
    al = _align(names, placed)
    if rough is not None:
        _read_rough_part(cue, names, al, rough)
    _read_leftovers(cue, names, al)
    edits, short_edits = _edit_costs(names, al)
    penalty = _word_penalty(cue, al)
    if al.given and al.surname:
        strength = _grade_full(cue, names, al, edits, short_edits, penalty, class_given_names)
        shape = "full"
    else:
        strength, shape = _grade_partial(al, edits, penalty)
        if shape == "none":
            return NameFit(0.0, "none", 0, 0, 0)
    kinds = set(al.aliased.values())
    alias = next((k for k in (SHORT, PET, VARIANT, SPELLING, CLASSMATE_SPELLING) if k in kinds), "")
    return NameFit(max(strength, 0.0), shape, edits, min(al.used), max(al.used), alias, al, names)


def _word_penalty(cue: Cue, al: _Aligned) -> float:
    """What the words around and inside the name cost, whatever its shape: unexplained
    words, middle names, and spellings from the variant table or the transliteration
    rules (nicknames are graded with the full name, see ``_grade_full``)."""
    penalty = 0.0
    if al.extra:
        penalty += (
            cal.EXTRA_WORD_PENALTY_FILENAME if cue.kind == FILENAME else cal.EXTRA_WORD_PENALTY
        ) * min(al.extra, cal.MAX_EXTRA_WORDS_PENALISED)
    if al.middle:
        penalty += cal.MIDDLE_NAME_PENALTY * min(al.middle, cal.MAX_EXTRA_WORDS_PENALISED)
    for kind in al.aliased.values():
        if kind == VARIANT:
            penalty += cal.VARIANT_PENALTY
        elif kind in _RULE_ALIASES:
            penalty += cal.SPELLING_RULE_PENALTY
    return penalty


def _alias_note(cue: Cue, al: _Aligned) -> str:
    """ "nickname 'Kalle'" / "spelling variant 'Muhammad'", for the teacher."""
    if not al.aliased:
        return ""
    nick_positions = [p for p, kind in al.aliased.items() if kind in (PET, SHORT)]
    pos = nick_positions[0] if nick_positions else min(al.aliased)
    _tok, s, _e = cue.tokens[pos]
    end = max(q for q, h in al.used.items() if h is al.used[pos])
    text = cue.line[s : cue.tokens[end][2]]
    note = ("nickname" if nick_positions else "spelling variant") + f" '{text}'"
    if CLASSMATE_SPELLING in al.aliased.values():
        note += ", also a classmate's name"
    return note


def _middle_position(pos: int, used: dict[int, Hit]) -> bool:
    """True when an unexplained word sits where a middle name goes.

    "Erik Johan Andersson" (between the given name and the surname) or "Andersson, Erik
    Johan" (right after the given name when the surname comes first): a second given
    name that the roster does not list, not somebody else's name.
    """
    given_pos = [p for p, h in used.items() if h.role in (GIVEN, GIVEN_JOINED)]
    surname_pos = [p for p, h in used.items() if h.role in (SURNAME, SURNAME_JOINED)]
    if not given_pos or not surname_pos:
        return False
    if max(given_pos) < pos < min(surname_pos):
        return True
    if min(surname_pos) < min(given_pos) and pos > max(given_pos):
        between = range(max(given_pos) + 1, pos)
        return all(p not in used for p in between) and pos - max(given_pos) <= 2
    return False


def _is_reversed(used: dict[int, Hit]) -> bool:
    """The surname comes before the first given name ("Andersson, Anna")."""
    first_given = first_surname = None
    for pos in sorted(used):
        role = used[pos].role
        if first_given is None and role in (GIVEN, GIVEN_JOINED):
            first_given = pos
        elif first_surname is None and role in (SURNAME, SURNAME_JOINED):
            first_surname = pos
    return first_given is not None and first_surname is not None and first_surname < first_given


@lru_cache(maxsize=8192)
def _raw_words(first: str, last: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roster's own given-name words and core surname words, as written."""
    surname = tuple(w for w in name_words(last) if fold(w) not in PARTICLES)
    return tuple(name_words(first)), surname


def _needs_folding(cue: Cue, used: dict[int, Hit], names: StudentNames) -> bool:
    """True when the text spelled a name word without its diacritics (Asa for Åsa).

    Only a word whose roster spelling has diacritics counts: "Johan Näslund" for
    "Karl Johan Näslund" is exact, although the roster name as a whole is not ASCII.
    """
    first, last = names.student.first_name or "", names.student.last_name or ""
    if first.isascii() and last.isascii():
        return False
    given_raw, surname_raw = _raw_words(first, last)
    for pos, hit in used.items():
        _tok, s, e = cue.tokens[pos]
        if not cue.line[s:e].isascii() or hit.alias:
            continue
        if hit.role in (GIVEN, SURNAME):
            words = given_raw if hit.role == GIVEN else surname_raw
            if hit.part < len(words) and not words[hit.part].isascii():
                return True
        elif hit.role == GIVEN_JOINED:  # glued forms: the roster words as a whole
            if not names.student.first_name.isascii():
                return True
        elif hit.role == SURNAME_JOINED:
            if not names.student.last_name.isascii():
                return True
        elif hit.role == FULL_JOINED:
            return True
    return False


def cue_weight(cue: Cue) -> float:
    """How strongly the position of a cue implies that it names the author."""
    if cue.kind == HEADER_LABEL:
        return cal.HEADER_LABEL_WEIGHT if ":" in cue.line or "：" in cue.line else (cal.PREFIX_LABEL_WEIGHT)
    if cue.kind == FIRST_LINE:
        return cal.FIRST_LINE_WEIGHT
    if cue.kind == NAME_LINE:
        if cue.position < cal.NAME_LINE_EARLY_LINES:
            return cal.NAME_LINE_WEIGHT
        return cal.LATE_NAME_LINE_WEIGHT
    if cue.kind == NAME_PHRASE:
        return cal.NAME_PHRASE_WEIGHT
    if cue.kind == SIGNATURE:
        return cal.SIGNATURE_MARKED_WEIGHT if cue.marked else cal.SIGNATURE_BARE_WEIGHT
    if cue.kind == FILENAME:
        return cal.FILENAME_WEIGHT
    if cue.kind == EMAIL_NAME:
        return cal.EMAIL_NAME_WEIGHT
    return 0.5


_SHAPE_TEXT = {
    "full": "full name",
    "surname_initial": "initial and surname",
    "surname_only": "surname only",
    "given_only": "first name only",
    "given_initial": "first name and initial of the surname",
    "initials": "initials",
}


def _reason(cue: Cue, fit: NameFit, shared: int) -> str:
    where = _KIND_LABEL.get(cue.kind, cue.kind)
    if cue.kind == HEADER_LABEL and cue.label:
        where = f"'{cue.label}:' header"
    if cue.kind == SIGNATURE and cue.marked:
        where = "signature at the end"
    what = _SHAPE_TEXT[fit.shape]
    if fit.shape == "given_only" and shared:
        what += " (unique in class)" if shared == 1 else f" (shared by {shared} students)"
    details = []
    al = fit.aligned
    if al is not None and al.aliased:
        details.append(_alias_note(cue, al))
    if fit.edits:
        details.append(f"{fit.edits} typo" + ("s" if fit.edits > 1 else ""))
    if al is not None and fit.names is not None and _needs_folding(cue, al.used, fit.names):
        details.append("without diacritics")
    if al is not None and _is_reversed(al.used):
        details.append("surname first")
    details_text = ", ".join(details) if details else "exact"
    return f"{what} in {where} ({details_text})"


def _evidence(cue: Cue, fit: NameFit) -> Evidence:
    if cue.tokens:
        start = cue.tokens[fit.first][1]
        end = cue.tokens[fit.last][2]
        matched = cue.line[start:end]
    else:
        matched = cue.line
    context = cue.line.strip()[:200]
    return Evidence(cue.kind, cue.source, matched, context, cue.line_number)


@dataclass(slots=True, eq=False)
class CueHits:
    """A cue's roster hits per student, screened once per batch for each wording."""

    students: tuple[tuple[int, list[Placed], int], ...]
    """(student, hits, flags): _HAS_GIVEN, _HAS_SURNAME, _HAS_FULL, _SKIP, _ROUGH."""
    rough: dict[int, int]
    """Student → position of a scan-garbled name part (``_rough_position``)."""


_HAS_GIVEN, _HAS_SURNAME, _HAS_FULL, _SKIP, _ROUGH = 1, 2, 4, 8, 16


def _placed_hits(cue: Cue, index: RosterIndex) -> CueHits:
    """Roster hits of the cue's tokens (and of adjacent pairs glued), per student.

    Cached per batch by the cue's words: the same header, title and name lines recur
    across the essays of a class.

    A glued pair finds a compound written apart: "Abdi Rahman" for roster "Abdirahman",
    "Gebre Medhin" for "Gebremedhin". Digits are skipped unless a scan could have put
    them in a name ("Ekstr0m", "A1bin").
    """
    key = cue.words
    cached = index.placed_cache.get(key)
    if cached is None:
        cached = index.placed_cache[key] = _screen(cue, _find_placed(cue, index), index)
    if len(key) in (2, 3) and _initials_only(cue):
        known = {student for student, _p, _f in cached.students}
        no_hits: list[Placed] = []
        extra = tuple(
            (student, no_hits, 0)
            for student in index.students_with_initials(key[0], key[-1])
            if student not in known
        )
        cached = CueHits(cached.students + extra, cached.rough)
    return cached


def _screen(cue: Cue, per_student: dict[int, list[Placed]], index: RosterIndex) -> CueHits:
    """Flag each student's hits: which name parts they reach, and whether the cue only
    shares one word with the name while naming somebody else ("Hugo Berg" read for Hugo
    Ekström: neither graded nor suggested, the fit would be CONTRADICTED) — unless that
    other word is the student's given name as a scan garbled it (``_rough_given``)."""
    content = _content_positions(cue)
    out = []
    roughs: dict[int, int] = {}
    for student, placed in per_student.items():
        flags = 0
        positions = 0  # token positions the hits cover, one bit each
        for p in placed:
            role = p.hit.role
            if role in _GIVEN_ROLES:
                flags |= _HAS_GIVEN
            elif role in _SURNAME_ROLES:
                flags |= _HAS_SURNAME
            elif role == FULL_JOINED:
                flags |= _HAS_FULL
            positions |= (1 << p.pos) | (1 << p.end)
        others = content & ~positions
        if not flags & (_HAS_GIVEN | _HAS_SURNAME | _HAS_FULL):
            flags |= _SKIP  # particles only
        elif not flags & _HAS_FULL and others:
            if (
                flags in (_HAS_GIVEN, _HAS_SURNAME)
                and others & (others - 1) == 0  # one position
                and _rough_position(
                    cue, index.students[student], placed, (rough := others.bit_length() - 1), index
                )
            ):
                flags |= _ROUGH
                roughs[student] = rough
            elif positions & (positions - 1) == 0:  # one position
                flags |= _SKIP
        out.append((student, placed, flags))
    return CueHits(tuple(out), roughs)


def _find_placed(cue: Cue, index: RosterIndex) -> dict[int, list[Placed]]:
    per_student: dict[int, list[Placed]] = {}
    toks = cue.tokens
    lookup = index.lookup
    own: list[bool] = []  # whether the token is some roster spelling as written
    for pos, (tok, _s, _e) in enumerate(toks):
        if len(tok) < 2 or (not tok.isalpha() and not ocr_key(tok)):
            own.append(True)  # nothing to glue either
            continue
        hits = lookup(tok)
        own.append(any(not h.edits and not h.alias for h in hits))
        for hit in hits:
            placed = per_student.get(hit.student)
            if placed is None:
                per_student[hit.student] = [Placed(pos, pos, hit)]
            else:
                placed.append(Placed(pos, pos, hit))
    for pos in range(len(toks) - 1):
        # Glue only where a word is no roster spelling as written: "Abdi Rahman" for
        # Abdirahman, not "Hugo Ekström" (both words already are).
        if own[pos] and own[pos + 1]:
            continue
        tok, nxt = toks[pos][0], toks[pos + 1][0]
        if len(tok) < 2 or len(nxt) < 2 or not tok.isalpha() or not nxt.isalpha():
            continue
        for hit in index.lookup_exact(tok + nxt):
            per_student.setdefault(hit.student, []).append(Placed(pos, pos + 1, hit))
    return per_student


def _initials_only(cue: Cue) -> bool:
    """ "H.E." or "H. E." as the value of an author label or a marked signature: two or
    three letters, each followed by a full stop (a bare "HE" or "y;o" is no initials)."""
    toks = cue.tokens
    return (
        len(toks) in (2, 3)
        and (cue.kind in (HEADER_LABEL, NAME_PHRASE) or (cue.kind == SIGNATURE and cue.marked))
        and all(len(t) == 1 and t.isalpha() and cue.line[e : e + 1] == "." for t, _s, e in toks)
    )


def _content_positions(cue: Cue) -> int:
    """Positions of the words that must be explained by a name (not fillers, particles,
    numbers or initials), one bit each."""
    content = 0
    for pos, (tok, _s, _e) in enumerate(cue.tokens):
        if len(tok) >= 2 and not has_digit(tok) and tok not in FILLER_WORDS and tok not in PARTICLES:
            content |= 1 << pos
    return content


_GIVEN_ROLES = frozenset({GIVEN, GIVEN_JOINED})
_SURNAME_ROLES = frozenset({SURNAME, SURNAME_JOINED})
_RULE_ALIASES = frozenset({SPELLING, CLASSMATE_SPELLING})  # spellings by transliteration rule


def score_cue(cue: Cue, index: RosterIndex) -> list[CueScore]:
    """Every student this cue supports, with a confidence for the cue alone."""
    cue_hits = _placed_hits(cue, index)
    hits = cue_hits.students
    if not hits:
        return []
    weight = cue_weight(cue)
    author_slot = _single_name_slot(cue)
    scores = []
    both_needed = not author_slot and cue.kind not in _PARTIAL_SLOTS
    for student, placed, flags in hits:
        if flags & _SKIP and placed:
            continue
        if both_needed and not (flags & _HAS_FULL or (flags & _HAS_GIVEN and flags & _HAS_SURNAME)):
            continue  # one name part where only a full name counts: no fit to grade
        names = index.students[student]
        rough = cue_hits.rough.get(student) if flags & _ROUGH else None
        fit = fit_name(cue, names, placed, index.given_share, rough)
        if fit.strength <= 0.0:
            continue
        partial = False
        if fit.shape in WEAK_SHAPES and not author_slot:
            if cue.kind not in _PARTIAL_SLOTS or fit.shape not in _SPLIT_PARTS:
                continue
            partial = True
        scores.append(
            CueScore(
                student=student,
                confidence=weight * fit.strength * (cal.PARTIAL_CUE_FACTOR if partial else 1),
                fit_shape=fit.shape,
                strength=fit.strength,
                edits=fit.edits,
                kind=cue.kind,
                why=(cue, fit, index.given_share.get(names.given[0], 1) if names.given else 0),
                source=(cue, fit),
                alias=fit.alias,
                weight=weight,
                partial=partial,
            )
        )
    return scores


def _single_name_slot(cue: Cue) -> bool:
    """Positions where a lone first name or surname is still a real author cue."""
    return cue.kind in _AUTHOR_SLOTS or (cue.kind == SIGNATURE and cue.marked)


def score_email(found: EmailFound, student: int) -> CueScore:
    """The roster e-mail found in the text: decisive on its own."""
    evidence = Evidence(
        EMAIL,
        "text",
        found.line[found.start : found.end],
        found.line.strip()[:200],
        found.line_number,
    )
    return CueScore(
        student=student,
        confidence=cal.EMAIL_EXACT_WEIGHT,
        fit_shape="email",
        strength=1.0,
        edits=0,
        kind=EMAIL,
        why="roster e-mail address in the text",
        source=evidence,
        weight=cal.EMAIL_EXACT_WEIGHT,
    )


def combine(cue_scores: list[CueScore]) -> dict[int, StudentScore]:
    """Merge all cue scores of one essay per student.

    The best cue sets the confidence; a second cue of a *different* kind raises it
    (noisy-or, damped), so a filename that agrees with a signature helps, while the
    same first name repeated on three lines does not add up to a full name. A first
    name in one place and the surname in another make a full name together
    (``split_name``).
    """
    by_student: dict[int, list[CueScore]] = {}
    for score in cue_scores:
        by_student.setdefault(score.student, []).append(score)
    combined: dict[int, StudentScore] = {}
    for student, scores in by_student.items():
        if len(scores) == 1:  # the common case: one cue names this student
            only = scores[0]
            combined[student] = StudentScore(student, min(only.confidence, 0.995), only, scores)
            continue
        split = split_name(scores)
        if split is not None:
            scores.append(split)
        scores.sort(key=lambda s: s.confidence, reverse=True)
        best = scores[0]
        confidence = best.confidence
        seen_kinds = {best.kind}
        for other in scores[1:]:
            if other.kind in seen_kinds or other is split:
                continue
            seen_kinds.add(other.kind)
            confidence = 1.0 - (1.0 - confidence) * (1.0 - cal.CORROBORATION_FACTOR * other.confidence)
        support = _dedupe(scores)
        combined[student] = StudentScore(student, min(confidence, 0.995), best, support)
    return combined


_SPLIT_PARTS = frozenset({"given_only", "surname_only"})


def split_name(scores: list[CueScore]) -> CueScore | None:
    """A first name in one place and the surname in another, both uncontradicted.

    "/Hugo" at the end and "Ekstrom_uppsats.docx" as the filename name Hugo Ekström
    together, though neither does alone. The pair is worth a full name at the stronger
    place's weight, less SPLIT_NAME_PENALTY: two independent places agreeing on the two
    parts of one student's name is as strong as the full name in either of them.
    """
    clean = [
        s
        for s in scores
        if s.fit_shape in _SPLIT_PARTS and s.edits == 0 and not s.alias and s.strength > cal.CONTRADICTED
    ]
    given = [s for s in clean if s.fit_shape == "given_only"]
    surname = [s for s in clean if s.fit_shape == "surname_only"]
    pairs = [(g, n) for g in given for n in surname if g.place[:2] != n.place[:2]]
    if not pairs:
        return None
    g, n = max(pairs, key=lambda gn: gn[0].weight + gn[1].weight)
    weight = max(g.weight, n.weight)
    strength = cal.FULL_NAME - cal.SPLIT_NAME_PENALTY
    return replace(
        g,
        confidence=weight * strength,
        fit_shape="split",
        strength=strength,
        why=f"first name and surname in two places: {g.reason}; {n.reason}",
        weight=weight,
        partial=False,
    )


def _dedupe(scores: list[CueScore]) -> list[CueScore]:
    seen: set[tuple[str, int | None, str]] = set()
    out = []
    for s in scores:
        key = s.place
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
