"""Name data: nicknames and transliteration variants, as data.

This module reads the reviewed data files: ``data/nicknames.tsv`` (one row per
nickname: kind, nickname, the registered names it stands for, and the row's source) and
``data/variants.tsv`` (one group of spellings of the same name per row, with its
source). The roster index (``roster_index.py``) uses them to add extra spellings of a
roster name; the scorer (``scoring.py``) decides how much such a spelling is worth. To
support another nickname or spelling, add a row to a file; no code changes needed.
All keys and values are folded (lower case, no diacritics), as ``normalize.fold`` makes
them. Spellings that differ by a *rule* (consonant alternations, vowels, doubled
letters) need no entry at all: see ``normalize.translit_keys``.

Sources: Swedish everyday pet forms (Svenska Akademiens ordlista; Institutet för språk
och folkminnen's name material), Swedish short forms that are also registered names
(SCB name statistics), common English hypocoristics (Oxford Dictionary of First Names);
the variant groups are the Latin-script spellings under which the same Arabic, Persian,
Somali, Turkish, Balkan and Russian names are registered in Swedish population records
and school rosters. Deliberately conservative: only forms that really stand for the
same name.

Three kinds of entry:

* ``PET_FORMS`` — a nickname that is (almost) never a registered name on its own:
  "Kalle" written by somebody registered as Karl.
* ``SHORT_FORMS`` — a short form that is *also* a common registered name in its own
  right: "Lisa" may be Elisabet's nickname, but just as well another girl called Lisa.
  Either kind decides only under the nickname rule (``calibration.NICKNAME_REVIEW_
  STRENGTH``): exact surname, no classmate carrying the nickname as a given name, one
  student fitting.
* ``VARIANT_GROUPS`` — spellings of one name that are near-equivalent, like a folded
  diacritic (Mohammed / Muhammad / Mohamed). They apply to given names *and* surnames
  (Mohammed, Hussein and Ali are common surnames too).

Deliberately left out: Swedish C/K, f/v, ph/f spellings of registered names
(Carl/Karl, Gustaf/Gustav, Olof/Olov, Viktoria/Victoria): a student knows how their own
registered name is spelled, and rosters often hold both spellings as *different*
children — the one-typo look-up already makes them candidates, at typo strength.
Gendered pairs (Jovan/Jovana, Aleksandar/Aleksandra) are different names, not variants.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Final

# Nicknames and short forms live in a reviewed data file (data/nicknames.tsv), one row
# per nickname with its source, so a teacher-reported form is a one-line change.
# Found through the package, not this file's path: a compiled module's __file__ names the
# source it was built from, as the build saw it.
_DATA_DIR = files(__name__.rpartition(".")[0]) / "data"
_DATA = _DATA_DIR / "nicknames.tsv"


def _load_nicknames(path: Traversable) -> dict[str, dict[str, tuple[str, ...]]]:
    tables: dict[str, dict[str, tuple[str, ...]]] = {"pet": {}, "short": {}}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        kind, nick, formal, _source = raw.split("\t")
        tables[kind][nick] = tuple(f for f in formal.split(",") if f)
    return tables


_TABLES = _load_nicknames(_DATA)
# Nickname → the registered given names it stands for. Pet forms: not names in their
# own right in Swedish registers (or very rarely).
PET_FORMS: Final[MappingProxyType[str, tuple[str, ...]]] = MappingProxyType(_TABLES["pet"])
# Short forms that are also common registered names on their own.
SHORT_FORMS: Final[MappingProxyType[str, tuple[str, ...]]] = MappingProxyType(_TABLES["short"])

# Spellings of one name, near-equivalent (transliterations of the same original), from
# the reviewed file data/variants.tsv (one group per row, with its source).
_VARIANTS_DATA = _DATA_DIR / "variants.tsv"


def _load_variants(path: Traversable) -> tuple[frozenset[str], ...]:
    groups = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        spellings, _source = raw.split("\t")
        groups.append(frozenset(w for w in spellings.split(",") if w))
    return tuple(groups)


VARIANT_GROUPS: Final[tuple[frozenset[str], ...]] = _load_variants(_VARIANTS_DATA)

PET = "pet"          # alias kinds, as the roster index records them
SHORT = "short"
VARIANT = "variant"
SPELLING = "spelling"  # another transliteration by rule (normalize.translit_keys)
CLASSMATE_SPELLING = "classmate_spelling"  # the same, of a word that is also a classmate's
# name as written ("Mohamed" for Maxamed, with a Mohamed in the class): review at most


def _invert(table: MappingProxyType[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for nick, formals in table.items():
        for formal in formals:
            out.setdefault(formal, []).append(nick)
    return {k: tuple(v) for k, v in out.items()}


_NICKS_OF_PET = _invert(PET_FORMS)
_NICKS_OF_SHORT = _invert(SHORT_FORMS)
_GROUP_OF: dict[str, frozenset[str]] = {w: g for g in VARIANT_GROUPS for w in g}


@lru_cache(maxsize=16384)
def spelling_alternatives(word: str) -> frozenset[str]:
    """Other spellings of the same name (folded): ``"mohammed"`` → ``{"muhammad", …}``.

    The word itself is not included; an empty set when the word is in no group.
    """
    group = _GROUP_OF.get(word)
    return group - {word} if group else frozenset()


@lru_cache(maxsize=16384)
def nicknames_for(word: str) -> tuple[tuple[str, str], ...]:
    """Nicknames that stand for a (folded) registered given name, with their kind.

    ``"karl"`` → ``(("kalle", "pet"),)``; ``"maria"`` → ``(("maja", "short"), ("mia",
    "short"))``. Nicknames of the name's spelling variants count too ("aleksandar" →
    "alex"), so the tables need not repeat every spelling.
    """
    out: dict[str, str] = {}
    for form in (word, *spelling_alternatives(word)):
        for nick in _NICKS_OF_PET.get(form, ()):
            out.setdefault(nick, PET)
        for nick in _NICKS_OF_SHORT.get(form, ()):
            out.setdefault(nick, SHORT)
    out.pop(word, None)
    return tuple(sorted(out.items()))
