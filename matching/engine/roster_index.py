"""A per-batch index of the roster, built once so every essay is read only once.

Scanning a text means: tokenise the few places where an author cue can sit, and look
each token up here. The index maps every spelling of every name word (folded,
transliterated, hyphen-joined) to the students who carry it, and every roster e-mail to
its student. It also holds the *other* spellings a student may use for a roster name —
nicknames (Kalle for Karl) and transliteration variants (Muhammad for Mohammed), from
``given_names.py`` — marked as aliases so the scorer can weigh them, and the rule keys
of the plain spellings: scan-error classes (``normalize.ocr_key``) and transliteration
skeletons (``normalize.translit_keys``, built on first use). What one roster name
contributes is computed once per process (``_name_plan``): names recur across classes
and every time a class is matched again. Fuzzy look-ups (one typo) go through rapidfuzz
against the roster's own spellings only (not the aliases) and are cached per batch,
because the same words recur across essays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA

from .given_names import CLASSMATE_SPELLING, SPELLING, VARIANT, nicknames_for, spelling_alternatives
from .normalize import FILLER_WORDS, fold, name_words, ocr_key, spelling_variants, translit_keys
from .types import RosterStudent

if TYPE_CHECKING:
    from .scoring import CueHits

# Name particles: part of a surname but never enough on their own to identify anyone.
PARTICLES: frozenset[str] = frozenset(
    {
        "af", "av", "von", "van", "der", "den", "de", "la", "le", "del", "della", "di",
        "da", "dos", "das", "do", "du", "zu", "ten", "ter", "bin", "ibn", "al", "el",
    }
)  # fmt: skip

CLASSMATE_SPELLING_MIN_LETTERS = 5
"""How long a word that is one student's name must be before the transliteration rules may
read it as another's (``RosterIndex._classmate_spellings``)."""

# Roles of an index entry.
GIVEN = "given"  # one given-name word ("karin" of "Anna-Karin")
SURNAME = "surname"  # one core surname word ("essen" of "von Essen")
PARTICLE = "particle"  # a particle of this student's surname ("von")
GIVEN_JOINED = "given_joined"  # all given words glued ("annakarin")
SURNAME_JOINED = "surname_joined"  # the whole surname glued ("vonessen", "afugglas")
FULL_JOINED = "full_joined"  # given + surname glued ("annaandersson")


@dataclass(slots=True, eq=False)
class Hit:
    """A token of the text that matches a name word of one roster student.

    ``alias`` is empty when the token is a spelling of the roster word itself (folded,
    transliterated, glued), else how it stands for it: ``"variant"`` (Muhammad for
    Mohammed), ``"pet"`` (Kalle for Karl) or ``"short"`` (Lisa for Elisabet); see
    ``given_names.py``. A plain class, not a named tuple: batches make thousands, and
    the compiled engine makes and reads a class's instances far faster than a tuple's.
    """

    student: int
    role: str
    part: int
    edits: int
    alias: str = ""


Entry = tuple[int, str, int, str]
"""An index entry: (student, role, part, alias)."""
Entries = tuple[Entry, ...]
"""The entries filed under one key: a tuple, since most keys have one and the collector
need not keep visiting a tuple of plain values as it does every list."""


def _add(index: dict[str, Entries], key: str, entry: Entry) -> None:
    found = index.get(key)
    index[key] = (entry,) if found is None else (*found, entry)


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


@dataclass(slots=True)
class RosterIndex:
    """Everything about a roster that matching needs, precomputed once per batch."""

    students: list[StudentNames]
    token_map: dict[str, Entries]
    emails: dict[str, list[int]]
    given_share: dict[str, int]
    vocab: _Spellings
    """The roster's own spellings, filed for the one-typo look-up."""
    ocr_map: dict[str, Entries] = field(default_factory=dict)
    """OCR key (``normalize.ocr_key``) of every roster spelling → its entries."""
    plans: list[_NamePlan] = field(default_factory=list)
    """Each student's name plan, for the maps below, which are built on first use: most
    batches never need a transliteration skeleton, a two-step scan error or initials."""
    _translit_map: dict[str, Entries] | None = None
    _ocr_vocab: _Spellings | None = None
    _initials_map: dict[tuple[str, str], list[int]] | None = None
    _cache: dict[str, tuple[Hit, ...]] = field(default_factory=dict)
    placed_cache: dict[tuple[str, ...], CueHits] = field(default_factory=dict)
    """Per batch: a cue's words → its hits per student (see scoring._placed_hits)."""

    @classmethod
    def build(cls, roster: Sequence[RosterStudent]) -> RosterIndex:
        """One pass over the roster: each student's entries come ready-made from the name's
        plan (cached per name), so a batch only files them under the student's index."""
        students: list[StudentNames] = []
        token_map: dict[str, Entries] = {}
        ocr_map: dict[str, Entries] = {}
        emails: dict[str, list[int]] = {}
        given_share: dict[str, int] = {}
        vocab: set[str] = set()
        plans_in_order: list[_NamePlan] = []
        for idx, student in enumerate(roster):
            first, last = student.first_name or "", student.last_name or ""
            plan = _name_plan(first, last)
            plans_in_order.append(plan)
            students.append(
                StudentNames(
                    idx, student, plan.given, plan.surname, plan.particles, plan.display, plan.compound_given
                )
            )
            for key, role, part, alias in plan.entries:
                _add(token_map, key, (idx, role, part, alias))
            for okey, role, part in plan.ocr:
                _add(ocr_map, okey, (idx, role, part, ""))
            for word in plan.given_words:
                given_share[word] = given_share.get(word, 0) + 1
            vocab.update(plan.typo_keys)
            if student.email:
                address = student.email.strip().lower()
                emails.setdefault(address, []).append(idx)
        return cls(
            students=students,
            token_map=token_map,
            emails=emails,
            given_share=given_share,
            vocab=_Spellings(vocab),
            ocr_map=ocr_map,
            plans=plans_in_order,
        )

    def lookup(self, token: str) -> tuple[Hit, ...]:
        """Every roster name word this folded token may stand for.

        In order of trust: the roster's own spellings and the aliases of the name tables
        (edits 0); a scan-error spelling (same ``ocr_key``, counted as one edit); another
        transliteration by rule (same skeleton, alias ``"spelling"``); one typo (OSA
        distance 1); and, only when nothing else fits, a scan error plus one more typo
        (two edits). Exact and weaker hits are all returned — a word can be one student's
        exact surname and another's with a typo — and the scorer weighs them. Cached per
        batch, because the same words recur across essays.
        """
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        exact = self.token_map.get(token)
        okey = ocr_key(token)
        scanned = self.ocr_map.get(okey) if okey else None
        typos = self._typos(token, self.vocab) if token.isalpha() else None
        # the roster's own spelling or a nickname: what the rules could add is weaker
        settled = exact is not None and any(a != VARIANT for _s, _r, _p, a in exact)
        if exact is not None and settled and not typos and scanned and _all_among(scanned, exact):
            scanned = None  # a roster spelling's scan-error key found only its own parts
        if not scanned and not typos and (settled or not exact):
            # the roster's own spellings (one hit per entry: a name part has one entry
            # per spelling, and an alias never repeats the roster's own), or the rules
            if exact:
                result = tuple([Hit(s, r, p, 0, a) for s, r, p, a in exact])
                result += self._classmate_spellings(token, exact, None)
            else:
                result = self._rule_hits(token, okey)
        else:
            found: dict[tuple[int, str, int], Hit] = {}
            for s, r, p, a in exact or ():
                _keep(found, Hit(s, r, p, 0, a))
            for s, r, p, _a in scanned or ():
                _keep(found, Hit(s, r, p, 1))
            for choice in typos or ():
                for s, r, p, a in self.token_map[choice]:
                    if not a:
                        _keep(found, Hit(s, r, p, 1))
            # A typo or listed variant of one student's name may be another's by the
            # transliteration rules ("Mohamed": Mohammed's variant, and Maxamed in
            # Somali spelling): both readings stay, and the rest of the cue decides.
            if not settled:
                for s, r, p, _a in self._translit_hits(token):
                    if (s, r, p) not in found:
                        found[(s, r, p)] = Hit(s, r, p, 0, SPELLING)
            result = tuple(found.values())
            if exact is not None and settled:
                result += self._classmate_spellings(token, exact, found)
        if len(self._cache) < 200_000:
            self._cache[token] = result
        return result

    def _rule_hits(self, token: str, okey: str) -> tuple[Hit, ...]:
        """Hits of a word that is no roster spelling, no scan error and no typo of one.

        Rule skeletons and two-step scan errors are looser than a typo: only for such a
        word ("Husein" for Hossein), so Erik/Erika or Nilsson/Nielsen never meet through a
        skeleton."""
        found: dict[tuple[int, str, int], Hit] = {}
        for s, r, p, _a in self._translit_hits(token):
            _keep(found, Hit(s, r, p, 0, SPELLING))
        if not found and okey and len(token) >= 5 and token not in FILLER_WORDS:
            # two steps from the roster: only for one name word, never a glued name
            # ("final" is not "Elin Ali" glued with two scan errors)
            for choice in self._typos(okey, self.ocr_vocab) or ():
                for s, r, p, _a in self.ocr_map[choice]:
                    if r in (GIVEN, SURNAME):
                        _keep(found, Hit(s, r, p, 2))
        return tuple(found.values())

    def _classmate_spellings(
        self, token: str, exact: Entries, known: dict[tuple[int, str, int], Hit] | None
    ) -> tuple[Hit, ...]:
        """Other students' name parts that a word, some student's name as written, is a
        transliteration of by rule: "Mohamed Kärrman" is Maxamed Kärrman's name in another
        spelling although Mohamed Claesson is in the class. The rest of the name must
        still fit, and the scorer never lets such a reading alone make a match "high".

        Only for a roster spelling itself (a nickname is already one reading of a name)
        of at least CLASSMATE_SPELLING_MIN_LETTERS letters: the skeletons of short words
        meet too many other names ("Izzy" and "Ayşe"). ``known``: the name parts the word
        already stands for, which keep their closer reading (None: those of ``exact``)."""
        if len(token) < CLASSMATE_SPELLING_MIN_LETTERS or all(a for _s, _r, _p, a in exact):
            return ()
        found: dict[tuple[int, str, int], Hit] = {}
        for s, r, p, _a in self._translit_hits(token):
            if _among(s, r, p, exact) if known is None else (s, r, p) in known:
                continue
            if (s, r, p) not in found:
                found[(s, r, p)] = Hit(s, r, p, 0, CLASSMATE_SPELLING)
        return tuple(found.values())

    def _translit_hits(self, token: str) -> list[Entry]:
        """The entries whose transliteration skeleton is one of the token's."""
        tkeys = translit_keys(token)
        if not tkeys:
            return []
        translit_map = self.translit_map
        return [entry for tkey in tkeys for entry in translit_map.get(tkey, ())]

    def lookup_exact(self, token: str) -> tuple[Hit, ...]:
        """Roster spellings, aliases and rule skeletons only (no typo): for glued pairs."""
        hits = [Hit(s, r, p, 0, a) for s, r, p, a in self.token_map.get(token, ())]
        if not hits:
            for tkey in translit_keys(token):
                hits.extend(Hit(s, r, p, 0, SPELLING) for s, r, p, _a in self.translit_map.get(tkey, ()))
        return tuple(hits)

    @staticmethod
    def _typos(token: str, vocab: _Spellings) -> list[str] | None:
        """The indexed spellings one edit (OSA) from ``token``, by the look-up's rules for
        short words, among those ``vocab`` finds near it (``_Spellings.near``)."""
        n = len(token)
        if n < 2 or token in PARTICLES:
            return None
        out = []
        for choice in vocab.near(token):
            if choice == token:
                continue
            if OSA.distance(token, choice, score_cutoff=1) > 1:
                continue
            if n == 2 and (len(choice) != 3 or choice[0] != token[0]):
                continue  # "Nu" may be a cut-off "Nur", not any three-letter word
            if len(choice) == 2 and (n != 3 or not token.startswith(choice)):
                continue  # "Ekk"/"Boo" for Ek/Bo (a doubled or added last letter) only
            out.append(choice)
        return out

    @property
    def translit_map(self) -> dict[str, Entries]:
        """Transliteration skeletons (``normalize.translit_keys``) → entries."""
        if self._translit_map is None:
            built: dict[str, Entries] = {}
            for idx, plan in enumerate(self.plans):
                for tkey, role, part in plan.translit:
                    _add(built, tkey, (idx, role, part, ""))
            self._translit_map = built
        return self._translit_map

    @property
    def ocr_vocab(self) -> _Spellings:
        if self._ocr_vocab is None:
            self._ocr_vocab = _Spellings(k for k in self.ocr_map if len(k) >= 2)
        return self._ocr_vocab

    def students_with_initials(self, given: str, surname: str) -> list[int]:
        """Students whose first given name and core surname start with these letters."""
        if self._initials_map is None:
            self._initials_map = _initials(self.students)
        return self._initials_map.get((given, surname), [])

    def students_for_email(self, email: str) -> list[int]:
        """Students whose roster e-mail is exactly this address (case-insensitive)."""
        return self.emails.get(email.strip().lower(), [])


def _all_among(found: Entries, entries: Entries) -> bool:
    """Every name part found is one the entries already stand for (closer)."""
    return all(_among(s, r, p, entries) for s, r, p, _a in found)


def _among(student: int, role: str, part: int, entries: Entries) -> bool:
    """Whether one of the entries is this student's name part (a few entries: a scan)."""
    return any(s == student and p == part and r == role for s, r, p, _a in entries)


def _keep(found: dict[tuple[int, str, int], Hit], hit: Hit) -> None:
    """Keep the most trusted hit per name part: fewest edits, then the roster's own
    spelling before an alias."""
    key = (hit.student, hit.role, hit.part)
    old = found.get(key)
    if old is None or (hit.edits, hit.alias != "") < (old.edits, old.alias != ""):
        found[key] = hit


class _Spellings:
    """Spellings filed by length: a word one edit (OSA) away from a word of n letters has
    n-1, n or n+1 letters, so a typo look-up scans only those (the window of a length is
    made on first use: most lengths are never asked for)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.by_len: dict[int, list[str]] = {}
        for word in set(words):
            found = self.by_len.get(len(word))
            if found is None:
                self.by_len[len(word)] = [word]
            else:
                found.append(word)
        self.windows: dict[int, list[str]] = {}

    def near(self, token: str) -> list[str]:
        """The spellings of n-1…n+1 letters that share the token's first or last letter:
        one edit leaves one of them in place, at every length the typo look-up accepts."""
        n = len(token)
        window = self.windows.get(n)
        if window is None:
            by_len = self.by_len
            window = self.windows[n] = by_len.get(n - 1, []) + by_len.get(n, []) + by_len.get(n + 1, [])
        first, last = token[0], token[-1]
        return [w for w in window if w[0] == first or w[-1] == last]


def _initials(students: list[StudentNames]) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = defaultdict(list)
    for names in students:
        if names.given and names.surname and names.given[0] and names.surname[0]:
            out[(names.given[0][0], names.surname[0][0])].append(names.index)
    return dict(out)


@dataclass(slots=True, eq=False)
class _NamePlan:
    """Everything the index needs from one roster name, independent of the student."""

    given: tuple[str, ...]
    surname: tuple[str, ...]
    particles: tuple[str, ...]
    compound_given: bool
    display: str
    entries: tuple[tuple[str, str, int, str], ...]
    """(spelling, role, part, alias kind) of every spelling of the roster name, then of
    its aliases from the name tables. An alias never shadows the roster's own spelling
    of the same name part ("Ali" on the roster stays an exact "ali", not a variant)."""
    typo_keys: tuple[str, ...]
    """The roster's own spellings that take part in the one-typo look-up: a nickname or
    transliteration variant *plus* a typo is two steps from the roster."""
    translit: tuple[tuple[str, str, int], ...]
    """(transliteration skeleton, role, part) of the plainly folded spellings only (no
    å → aa variants), the ones the rule keys are made from; no particles and no whole
    glued names ("annaandersson" with a scan error is too far from any name)."""
    ocr: tuple[tuple[str, str, int], ...]
    """(scan-error key, role, part) of the same spellings (``normalize.ocr_key``)."""
    given_words: tuple[str, ...]
    """The distinct folded given names (for how many students share each)."""


@dataclass(slots=True, eq=False)
class _WordPlan:
    """What one word of a roster name contributes, whatever name it is part of."""

    folded: str
    own: tuple[str, ...]
    """Its spellings (folded, and with å → aa, ä → ae, … transliterated)."""
    aliases: tuple[tuple[str, str], ...]
    """(spelling, alias kind) from the name tables, none of them one of ``own``."""
    okey: str
    """Its scan-error key (``normalize.ocr_key``)."""


@lru_cache(maxsize=16384)
def _word_plan(word: str, given: bool) -> _WordPlan:
    """Cached per word: names are new, their words mostly are not (Anna, Andersson)."""
    folded = fold(word)
    own = tuple(spelling_variants(word))
    aliases = [(alt, VARIANT) for alt in spelling_alternatives(folded)]
    if given:
        aliases.extend(nicknames_for(folded))
    first_per_spelling: dict[str, tuple[str, str]] = {}
    for alias in aliases:
        if alias[0] not in own:
            first_per_spelling.setdefault(alias[0], alias)
    return _WordPlan(folded, own, tuple(first_per_spelling.values()), ocr_key(folded))


@dataclass(slots=True, eq=False)
class _PartPlan:
    """What one word contributes as one name part (the first given name, the second…):
    the plan's entries for that part, ready to concatenate."""

    own: tuple[tuple[str, str, int, str], ...]
    """(spelling, role, part, "") of the word's own spellings."""
    aliases: tuple[tuple[str, str, int, str], ...]
    """(spelling, role, part, alias kind) from the name tables."""
    translit: tuple[tuple[str, str, int], ...]
    """(transliteration skeleton, role, part) of the plainly folded spelling."""
    ocr: tuple[tuple[str, str, int], ...]
    """(scan-error key, role, part), when the word has one."""
    typo_keys: tuple[str, ...]
    """The own spellings that take part in the one-typo look-up."""
    word: _WordPlan
    """The word's own plan."""


@lru_cache(maxsize=16384)
def _part_plan(word: str, role: str, part: int) -> _PartPlan:
    """Cached per word and part: "Anna" as a first given name is the same in every
    name it begins, so a name's plan is mostly a concatenation of these."""
    plan = _word_plan(word, role == GIVEN)
    return _PartPlan(
        own=tuple([(key, role, part, "") for key in plan.own if key]),
        aliases=tuple([(key, role, part, kind) for key, kind in plan.aliases]),
        translit=tuple([(tkey, role, part) for tkey in translit_keys(plan.folded)]) if plan.folded else (),
        ocr=((plan.okey, role, part),) if plan.okey else (),
        typo_keys=tuple([k for k in plan.own if len(k) >= 2 and k not in PARTICLES]),
        word=plan,
    )


@lru_cache(maxsize=8192)
def _name_plan(first_name: str, last_name: str) -> _NamePlan:
    """The spellings of one roster name, made from its parts' plans. Cached: the same
    names recur across the classes of a school and every time a class's batch is
    matched again; most of the work is per word and part, cached again below."""
    if first_name.isalpha() and last_name.isalpha():
        plain = _plain_name_plan(first_name, last_name)
        if plain is not None:
            return plain
    given_words = [first_name] if first_name.isalpha() else name_words(first_name)
    surname_words = [last_name] if last_name.isalpha() else name_words(last_name)
    given_plans = [_word_plan(w, True) for w in given_words]
    surname_plans = [_word_plan(w, False) for w in surname_words]
    core = [
        (w, p) for w, p in zip(surname_words, surname_plans, strict=True) if p.folded not in PARTICLES
    ] or list(zip(surname_words, surname_plans, strict=True))
    core_words = [w for w, _p in core]
    particles = [w for w in surname_words if w not in core_words]
    parts = [_part_plan(w, GIVEN, part) for part, w in enumerate(given_words)]
    parts.extend(_part_plan(w, SURNAME, part) for part, (w, _p) in enumerate(core))
    own = [entry for pp in parts for entry in pp.own]
    own.extend((fold(word), PARTICLE, part, "") for part, word in enumerate(particles))
    joined, joined_base = _joined(given_plans, surname_plans)
    own.extend(joined)
    typo_keys = {k for pp in parts for k in pp.typo_keys}
    typo_keys.update(k for k, _r, _p, _a in joined if len(k) >= 2 and k not in PARTICLES)
    ocr = [o for pp in parts for o in pp.ocr]
    ocr.extend((okey, role, part) for key, role, part in joined_base if (okey := ocr_key(key)))
    given = tuple(p.folded for p in given_plans)
    return _NamePlan(
        given=given,
        surname=tuple(p.folded for _w, p in core),
        particles=tuple(fold(w) for w in particles),
        compound_given="-" in first_name and len(given_words) > 1,
        display=f"{first_name} {last_name}".strip(),
        entries=tuple(own + [entry for pp in parts for entry in pp.aliases]),
        typo_keys=tuple(typo_keys),
        translit=tuple(
            [t for pp in parts for t in pp.translit]
            + [(tkey, role, part) for key, role, part in joined_base for tkey in translit_keys(key)]
        ),
        ocr=tuple(ocr),
        given_words=tuple(dict.fromkeys(given)),
    )


def _plain_name_plan(first_name: str, last_name: str) -> _NamePlan | None:
    """``_name_plan`` of the commonest name, one given name and a one-word surname that
    is no particle ("Anna Andersson"), built straight from its two parts' plans."""
    surname = _part_plan(last_name, SURNAME, 0)
    surname_plan = surname.word
    if surname_plan.folded in PARTICLES:
        return None
    given = _part_plan(first_name, GIVEN, 0)
    given_plan = given.word
    full = tuple(_joined_variants([given_plan, surname_plan]))
    joined = tuple([(v, FULL_JOINED, 0, "") for v in full if v])
    return _NamePlan(
        given=(given_plan.folded,),
        surname=(surname_plan.folded,),
        particles=(),
        compound_given=False,
        display=f"{first_name} {last_name}",
        entries=given.own + surname.own + joined + given.aliases + surname.aliases,
        typo_keys=given.typo_keys
        + surname.typo_keys
        + tuple([v for v in full if len(v) >= 2 and v not in PARTICLES]),
        translit=given.translit + surname.translit,
        ocr=given.ocr + surname.ocr,
        given_words=(given_plan.folded,),
    )


def _joined(
    given_plans: list[_WordPlan], surname_plans: list[_WordPlan]
) -> tuple[list[tuple[str, str, int, str]], list[tuple[str, str, int]]]:
    """Glued spellings ("annakarin", "vonessen", "annaandersson") as entries, and the
    plainly folded ones of the given names and the surname (rule-key bases)."""
    entries: list[tuple[str, str, int, str]] = []
    base = []
    if len(given_plans) > 1:
        entries.extend((v, GIVEN_JOINED, 0, "") for v in _joined_variants(given_plans) if v)
        base.append(("".join(p.folded for p in given_plans), GIVEN_JOINED, 0))
    if len(surname_plans) > 1:
        entries.extend((v, SURNAME_JOINED, 0, "") for v in _joined_variants(surname_plans) if v)
        base.append(("".join(p.folded for p in surname_plans), SURNAME_JOINED, 0))
    if given_plans and surname_plans:
        entries.extend((v, FULL_JOINED, 0, "") for v in _joined_variants(given_plans + surname_plans) if v)
    return entries, [b for b in base if b[0]]


def _joined_variants(plans: list[_WordPlan]) -> set[str] | tuple[str]:
    """Glued spellings of several words: Anna, Karin → ``{"annakarin"}``."""
    if all(len(p.own) == 1 for p in plans):  # most names: one spelling per word
        return ("".join([p.own[0] for p in plans]),)
    joined: set[str] = {""}
    for plan in plans:
        joined = {prefix + v for prefix in joined for v in plan.own}
        if len(joined) > 16:
            joined = set(sorted(joined)[:16])
    return joined
