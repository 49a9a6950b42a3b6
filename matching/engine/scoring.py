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

from dataclasses import dataclass

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
from .given_names import PET, SHORT, VARIANT
from .normalize import fold, has_digit, name_words
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

# Words that often stand next to a name in a header line or filename without being
# part of it; they are neither evidence nor counter-evidence.
FILLER_WORDS: frozenset[str] = frozenset(
    {
        "class", "klass", "group", "grupp", "essay", "uppsats", "text", "final", "slutversion",
        "inlamning", "inlaming", "document", "dokument", "untitled", "namnlost", "min", "mitt",
        "my", "draft", "utkast", "version", "ver", "rev", "book", "report", "the", "and",
        "och", "of", "by", "av", "copy", "kopia", "ny", "new", "docx", "pdf", "txt", "doc",
        "odt", "rtf", "assignment", "uppgift", "task", "hand", "in", "english", "svenska",
        "engelska", "eng", "sve", "sva", "swedish", "writing", "written", "production",
        "argumenterande", "argumentative", "debattartikel", "kronika", "analys", "analysis",
        "skrivuppgift", "provet", "prov", "exam", "test", "del", "part", "januari",
        "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
        "oktober", "november", "december", "january", "february", "march", "may", "june",
        "july", "august", "october", "kl", "am", "pm", "vt", "ht", "name", "namn",
    }
)  # fmt: skip

_KIND_LABEL = {
    HEADER_LABEL: "header",
    FIRST_LINE: "first line",
    NAME_LINE: "name line near the top",
    NAME_PHRASE: "'my name is' phrase",
    SIGNATURE: "signature",
    FILENAME: "filename",
    EMAIL_NAME: "e-mail address",
}

# Positions where a first name or surname on its own still means something.
_AUTHOR_SLOTS = frozenset({HEADER_LABEL, FIRST_LINE, NAME_PHRASE})


@dataclass(frozen=True, slots=True)
class NameFit:
    """How the tokens of one cue fit one student's name."""

    strength: float
    shape: str              # "full", "surname_initial", "surname_only", "given_only", "none"
    edits: int
    reversed_order: bool
    folded: bool            # matched only through diacritic folding/transliteration
    first: int              # token positions covered (for quoting the evidence)
    last: int
    alias: str = ""         # strongest alias used: "" | "variant" | "pet" | "short"
    alias_note: str = ""    # e.g. "nickname 'Kalle'", for the reason shown to teachers


@dataclass(frozen=True, slots=True)
class CueScore:
    """One cue's support for one student."""

    student: int
    confidence: float
    fit_shape: str
    strength: float
    edits: int
    kind: str
    reason: str
    evidence: Evidence
    alias: str = ""         # as NameFit.alias: a nickname fit never counts as identity


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
    def exact_identity(self) -> bool:
        """The roster name exactly and completely as written, or the roster e-mail."""
        return self.best.fit_shape == "email" or (
            self.best.fit_shape == "full" and self.best.strength >= cal.FULL_NAME
        )


def fit_name(
    cue: Cue,
    names: StudentNames,
    hits: list[tuple[int, Hit]],
    class_given_names: dict[str, int] | None = None,
) -> NameFit:
    """Align one student's hits inside one cue and grade the fit.

    Each name part takes at most one token and each token serves at most one part,
    cheapest (fewest edits, the roster's own spelling before an alias) first.
    ``class_given_names`` (folded given name → how many students carry it) lets a
    nickname that is literally a classmate's given name stay ambiguous.
    """
    ordered = sorted(hits, key=lambda ph: (ph[1].edits, ph[1].alias != "", ph[0]))
    used_positions: dict[int, Hit] = {}
    given_hit: dict[int, int] = {}
    surname_hit: dict[int, int] = {}
    aliased: dict[int, str] = {}     # token position → alias kind
    particle_parts: set[int] = set()
    for pos, hit in ordered:
        if pos in used_positions:
            continue
        if hit.role == GIVEN and hit.part not in given_hit:
            given_hit[hit.part] = hit.edits
        elif hit.role == SURNAME and hit.part not in surname_hit:
            surname_hit[hit.part] = hit.edits
        elif hit.role == PARTICLE and hit.part not in particle_parts:
            particle_parts.add(hit.part)
        elif hit.role == GIVEN_JOINED and not given_hit:
            given_hit.update({i: 0 for i in range(len(names.given))})
            given_hit[0] = hit.edits
        elif hit.role == SURNAME_JOINED and not surname_hit:
            surname_hit.update({i: 0 for i in range(len(names.surname))})
            surname_hit[0] = hit.edits
        elif hit.role == FULL_JOINED and not given_hit and not surname_hit:
            given_hit.update({i: 0 for i in range(len(names.given))})
            surname_hit.update({i: 0 for i in range(len(names.surname))})
            given_hit[0] = hit.edits
        else:
            continue
        used_positions[pos] = hit
        if hit.alias:
            aliased[pos] = hit.alias

    initial = False
    extra = 0
    middle = 0
    for pos, (tok, _s, _e) in enumerate(cue.tokens):
        if pos in used_positions:
            continue
        if len(tok) == 1 and names.given and not given_hit and tok == names.given[0][:1]:
            initial = True
            used_positions[pos] = Hit(names.index, GIVEN, 0, 0)
            continue
        if len(tok) < 2 or has_digit(tok) or tok in FILLER_WORDS or tok in PARTICLES:
            continue
        if given_hit and surname_hit and _middle_position(pos, used_positions):
            middle += 1
            continue
        extra += 1

    edits = sum(given_hit.values()) + sum(surname_hit.values())
    short_edits = sum(
        e for part, e in given_hit.items() if e and part < len(names.given)
        and len(names.given[part]) <= 4
    ) + sum(
        e for part, e in surname_hit.items() if e and part < len(names.surname)
        and len(names.surname[part]) <= 4
    )
    positions = sorted(used_positions)
    first, last = (positions[0], positions[-1]) if positions else (0, 0)
    reversed_order = _is_reversed(used_positions)
    folded = _needs_folding(cue, used_positions, names)
    extra_penalty = (
        cal.EXTRA_WORD_PENALTY_FILENAME if cue.kind == FILENAME else cal.EXTRA_WORD_PENALTY
    ) * min(extra, cal.MAX_EXTRA_WORDS_PENALISED)
    extra_penalty += cal.MIDDLE_NAME_PENALTY * min(middle, cal.MAX_EXTRA_WORDS_PENALISED)
    n_variants = sum(1 for kind in aliased.values() if kind == VARIANT)
    nick_positions = [p for p, kind in aliased.items() if kind in (PET, SHORT)]
    alias = (
        SHORT if SHORT in aliased.values() else PET if nick_positions
        else VARIANT if n_variants else ""
    )
    alias_penalty = cal.VARIANT_PENALTY * n_variants

    if given_hit and surname_hit:
        strength = cal.FULL_NAME
        if 0 not in given_hit:
            strength -= (
                cal.NOT_FIRST_GIVEN_PENALTY if names.compound_given
                else cal.LATER_GIVEN_NAME_PENALTY
            )
        strength -= cal.MISSING_GIVEN_PENALTY * (len(names.given) - len(given_hit))
        strength -= cal.MISSING_SURNAME_PENALTY * (len(names.surname) - len(surname_hit))
        strength -= cal.EDIT_PENALTY * (edits - short_edits)
        strength -= cal.SHORT_WORD_EDIT_PENALTY * short_edits
        strength -= extra_penalty + alias_penalty
        if nick_positions:
            strength -= cal.NICKNAME_PENALTY
            decisive = (
                alias == PET
                and len(nick_positions) == 1
                and n_variants == 0
                and edits == 0
                and extra == 0
                and middle == 0
                and len(surname_hit) == len(names.surname)
                and not (class_given_names or {}).get(cue.tokens[nick_positions[0]][0])
            )
            if not decisive:
                strength = min(strength, cal.NICKNAME_REVIEW_STRENGTH)
        shape = "full"
    elif surname_hit and initial:
        strength = (
            cal.SURNAME_AND_INITIAL - cal.EDIT_PENALTY * edits - extra_penalty - alias_penalty
        )
        shape = "surname_initial"
    elif surname_hit:
        strength = (
            cal.SURNAME_ONLY - cal.EDIT_PENALTY * edits - alias_penalty
            if extra == 0 else cal.CONTRADICTED
        )
        shape = "surname_only"
    elif given_hit:
        if extra:
            strength = cal.CONTRADICTED
        else:
            strength = cal.GIVEN_ONLY if edits == 0 else cal.GIVEN_ONLY_TYPO
            if 0 not in given_hit:
                strength -= cal.NOT_FIRST_GIVEN_PENALTY
            strength -= alias_penalty
            if nick_positions:
                strength -= cal.NICKNAME_GIVEN_ONLY_PENALTY
        shape = "given_only"
    else:
        return NameFit(0.0, "none", 0, False, False, 0, 0)
    note = ""
    if aliased:
        pos = nick_positions[0] if nick_positions else min(aliased)
        _tok, s, e = cue.tokens[pos]
        note = ("nickname" if nick_positions else "spelling variant") + f" '{cue.line[s:e]}'"
    return NameFit(
        max(strength, 0.0), shape, edits, reversed_order, folded, first, last, alias, note
    )


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
    given_pos = [p for p, h in used.items() if h.role in (GIVEN, GIVEN_JOINED)]
    surname_pos = [p for p, h in used.items() if h.role in (SURNAME, SURNAME_JOINED)]
    return bool(given_pos and surname_pos and min(surname_pos) < min(given_pos))


def _needs_folding(cue: Cue, used: dict[int, Hit], names: StudentNames) -> bool:
    """True when the text spelled a name word without its diacritics (Asa for Åsa).

    Only a word whose roster spelling has diacritics counts: "Johan Näslund" for
    "Karl Johan Näslund" is exact, although the roster name as a whole is not ASCII.
    """
    raw_roster = f"{names.student.first_name} {names.student.last_name}"
    if raw_roster.isascii():
        return False
    given_raw = name_words(names.student.first_name)
    surname_raw = [w for w in name_words(names.student.last_name) if fold(w) not in PARTICLES]
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
        return cal.HEADER_LABEL_WEIGHT if ":" in cue.line or "：" in cue.line else (
            cal.PREFIX_LABEL_WEIGHT
        )
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


def _reason(cue: Cue, fit: NameFit, names: StudentNames, index: RosterIndex) -> str:
    where = _KIND_LABEL.get(cue.kind, cue.kind)
    if cue.kind == HEADER_LABEL and cue.label:
        where = f"'{cue.label}:' header"
    if cue.kind == SIGNATURE and cue.marked:
        where = "signature at the end"
    what = {
        "full": "full name",
        "surname_initial": "initial and surname",
        "surname_only": "surname only",
        "given_only": "first name only",
    }[fit.shape]
    if fit.shape == "given_only" and names.given:
        shared = index.given_share.get(names.given[0], 1)
        what += " (unique in class)" if shared == 1 else f" (shared by {shared} students)"
    details = []
    if fit.alias_note:
        details.append(fit.alias_note)
    if fit.edits:
        details.append(f"{fit.edits} typo" + ("s" if fit.edits > 1 else ""))
    if fit.folded:
        details.append("without diacritics")
    if fit.reversed_order:
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


def score_cue(cue: Cue, index: RosterIndex) -> list[CueScore]:
    """Every student this cue supports, with a confidence for the cue alone."""
    per_student: dict[int, list[tuple[int, Hit]]] = {}
    for pos, (tok, _s, _e) in enumerate(cue.tokens):
        if len(tok) < 2 or has_digit(tok):
            continue
        for hit in index.lookup(tok):
            per_student.setdefault(hit.student, []).append((pos, hit))
    if not per_student:
        return []
    weight = cue_weight(cue)
    scores = []
    for student, hits in per_student.items():
        if all(h.role == PARTICLE for _p, h in hits):
            continue
        names = index.students[student]
        fit = fit_name(cue, names, hits, index.given_share)
        if fit.strength <= 0.0:
            continue
        if fit.shape in ("given_only", "surname_only") and not _single_name_slot(cue):
            continue
        scores.append(
            CueScore(
                student=student,
                confidence=weight * fit.strength,
                fit_shape=fit.shape,
                strength=fit.strength,
                edits=fit.edits,
                kind=cue.kind,
                reason=_reason(cue, fit, names, index),
                evidence=_evidence(cue, fit),
                alias=fit.alias,
            )
        )
    return scores


def _single_name_slot(cue: Cue) -> bool:
    """Positions where a lone first name or surname is still a real author cue."""
    return cue.kind in _AUTHOR_SLOTS or (cue.kind == SIGNATURE and cue.marked)


def score_email(found: EmailFound, student: int) -> CueScore:
    """The roster e-mail found in the text: decisive on its own."""
    evidence = Evidence(
        EMAIL, "text", found.line[found.start : found.end], found.line.strip()[:200],
        found.line_number,
    )
    return CueScore(
        student=student,
        confidence=cal.EMAIL_EXACT_WEIGHT,
        fit_shape="email",
        strength=1.0,
        edits=0,
        kind=EMAIL,
        reason="roster e-mail address in the text",
        evidence=evidence,
    )


def combine(cue_scores: list[CueScore]) -> dict[int, StudentScore]:
    """Merge all cue scores of one essay per student.

    The best cue sets the confidence; a second cue of a *different* kind raises it
    (noisy-or, damped), so a filename that agrees with a signature helps, while the
    same first name repeated on three lines does not add up to a full name.
    """
    by_student: dict[int, list[CueScore]] = {}
    for score in cue_scores:
        by_student.setdefault(score.student, []).append(score)
    combined: dict[int, StudentScore] = {}
    for student, scores in by_student.items():
        scores.sort(key=lambda s: s.confidence, reverse=True)
        best = scores[0]
        confidence = best.confidence
        seen_kinds = {best.kind}
        for other in scores[1:]:
            if other.kind in seen_kinds:
                continue
            seen_kinds.add(other.kind)
            confidence = 1.0 - (1.0 - confidence) * (
                1.0 - cal.CORROBORATION_FACTOR * other.confidence
            )
        support = _dedupe(scores)
        combined[student] = StudentScore(student, min(confidence, 0.995), best, support)
    return combined


def _dedupe(scores: list[CueScore]) -> list[CueScore]:
    seen: set[tuple[str, int | None, str]] = set()
    out = []
    for s in scores:
        key = (s.kind, s.evidence.line_number, s.evidence.matched_text)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
