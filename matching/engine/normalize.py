"""Text normalisation shared by the roster index and the cue finder.

Both sides of a comparison go through the same functions, so "ÅSA SJÖSTRÖM",
"asa sjostrom" and "Aasa Sjoestroem" all meet in one folded, lower-case ASCII form:

* ``fold`` lower-cases (``casefold``), decomposes (NFKD) and drops combining marks, so
  diacritics vanish (é → e, ö → o, å → a, č → c); a few letters that do not decompose
  get an explicit ASCII spelling (ß → ss, æ → ae, ø → o, ł → l, đ → d).
* ``spelling_variants`` adds the *transliterations* that people type when they have no
  key for the letter: Swedish/German (å → aa, ä → ae, ö → oe, ü → ue) and the digraphs
  of South Slavic and Turkish names (š → sh, ž → zh, č/ć → ch, đ → dj, ş → sh, ç → ch).
  Only the roster side gets these variants: the text side is just folded, so a typed
  "Naeslund" meets the roster's "Näslund" without the text having to guess what "ae"
  stood for.
* ``tokens`` splits a line into word tokens with their character offsets (so evidence
  can quote the exact substring); hyphens, underscores, dots, commas and brackets are
  separators, so "Anna-Karin" gives two tokens and the joined form "annakarin" is a
  roster variant instead.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import product

# Letters that NFKD does not decompose into base + combining mark.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
    }
)

# Transliterations typed instead of the letter (in addition to plain folding): the
# Scandinavian and German ones, and the digraphs that Bosnian, Croatian, Serbian and
# Turkish names take in English or Swedish spelling (Šehić → Shehic, Đorđe → Djordje,
# Şahin → Shahin, Çelik → Chelik).
_TRANSLITERATIONS: dict[str, tuple[str, ...]] = {
    "å": ("a", "aa"),
    "ä": ("a", "ae"),
    "ö": ("o", "oe"),
    "ø": ("o", "oe"),
    "ü": ("u", "ue"),
    "æ": ("ae", "a"),
    "š": ("s", "sh"),
    "ž": ("z", "zh"),
    "č": ("c", "ch"),
    "ć": ("c", "ch"),
    "đ": ("d", "dj"),
    "ş": ("s", "sh"),
    "ç": ("c", "ch"),
}

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

# A word token: a run of letters/digits (``\w`` minus the underscore).
_TOKEN_RE = re.compile(r"[^\W_]+")
_WHITESPACE_RE = re.compile(r"\s+")
_MAX_VARIANTS = 16


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-fold and strip diacritics: ``"Åsa Sjöström"`` → ``"asa sjostrom"``.

    Cached because the same words (labels, names, course codes) recur in every essay.
    """
    if text.isascii():
        return text.lower()
    quick = text.translate(_LATIN_FOLD)  # one C pass for the letters of Latin alphabets
    if quick.isascii():
        return quick.lower()
    return _fold_slow(text)


def _fold_slow(text: str) -> str:
    text = text.translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def _latin_fold_table() -> dict[int, str]:
    """What ``_fold_slow`` makes of each letter of Latin-1 and Latin Extended-A/B (å → a,
    ß → ss, Ł → l, ı → i), precomputed so most names fold in one ``str.translate``."""
    table: dict[int, str] = {}
    for code in range(0x80, 0x250):
        folded = _fold_slow(chr(code))
        if folded.isascii():
            table[code] = folded
    return table


_LATIN_FOLD = _latin_fold_table()


def collapse_whitespace(text: str) -> str:
    """Turn any run of whitespace (tabs, newlines, NBSP) into one space and trim."""
    return _WHITESPACE_RE.sub(" ", text).strip()


@lru_cache(maxsize=16384)
def spelling_variants(word: str) -> frozenset[str]:
    """All folded spellings of one name word, including transliterations (å → aa, š → sh).

    ``"Näslund"`` → ``{"naslund", "naeslund"}``; ``"Åkesson"`` → ``{"akesson",
    "aakesson"}``. The number of combinations is capped so a pathological input cannot
    blow up the roster index.
    """
    lowered = word.casefold()
    if not any(ch in _TRANSLITERATIONS for ch in lowered):
        return frozenset({fold(word)})
    choices: list[tuple[str, ...]] = []
    for ch in lowered:
        options = _TRANSLITERATIONS.get(ch)
        choices.append(options if options else (fold(ch),))
    variants: set[str] = {fold(word)}
    for combo in product(*choices):
        variants.add("".join(combo))
        if len(variants) >= _MAX_VARIANTS:
            break
    return frozenset(variants)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of ``text`` as ``(folded, start, end)`` with offsets into ``text``."""
    if text.isascii():  # folding is lower-casing, letter for letter: fold the line once
        lowered = text.lower()
        found = []
        for m in _TOKEN_RE.finditer(text):
            start, end = m.span()
            found.append((lowered[start:end], start, end))
        return found
    return [(fold(m.group()), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def name_words(name: str) -> list[str]:
    """Split a roster name field into its words (on whitespace, hyphens and punctuation).

    ``"Anna-Karin"`` → ``["Anna", "Karin"]``; ``"de la Cruz"`` → ``["de", "la", "Cruz"]``.
    """
    return [m.group() for m in _TOKEN_RE.finditer(name or "")]


_CAMEL_RE = re.compile(r"(?<=[^\W\d_])(?=[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž])")


def split_camel_case(text: str) -> str:
    """Insert spaces at lower→Upper boundaries: ``"AnnaAndersson"`` → ``"Anna Andersson"``.

    Only used on filenames, where people glue names together; applied before folding
    because the case boundary is the only hint where one name ends.
    """
    return _CAMEL_RE.sub(" ", text)


def has_digit(token: str) -> bool:
    """True for tokens such as "9b", "2025" or "sa24d" (class codes, dates, ids)."""
    return not token.isalpha() and any(ch.isdigit() for ch in token)


# --- rule keys: spellings that differ by scanning errors or by transliteration ---------
# Both sides of a comparison are reduced to the same key, so one rule covers every name
# it applies to, including names no table lists.

# OCR confusion classes (applied to folded text): a scan reads "rn" for "m", "cl" for
# "d", "1"/"I"/"|" for "l", "0" for "o", "vv" for "w"; doubled letters are dropped or
# added. The key maps each class to one representative and collapses doubled letters.
# The l-like characters first, so "CIaesson" and "Claesson", "Haralc1" and "Harald" meet.
_OCR_PAIRS: tuple[tuple[str, str], ...] = (
    ("0", "o"),
    ("1", "l"),
    ("|", "l"),
    ("i", "l"),
    ("rn", "m"),
    ("cl", "d"),
    ("vv", "w"),
)
_OCR_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz01|")
MIN_RULE_KEY_WORD = 4


_DOUBLED_RE = re.compile(r"(.)\1+")


def _collapse_doubles(word: str) -> str:
    """ "sjöströmm" → "sjöström": any run of one letter becomes one letter."""
    if _DOUBLED_RE.search(word) is None:
        return word  # most words: one C-level scan, no substitution
    return _DOUBLED_RE.sub(_first_letter, word)


def _first_letter(match: re.Match[str]) -> str:
    return match.group(1)


@lru_cache(maxsize=65536)
def ocr_key(folded: str) -> str:
    """The scan-error class of a folded word: ``"ekstr0rn"`` and ``"ekstrom"`` meet.

    Empty for words shorter than MIN_RULE_KEY_WORD or with characters a scan of a name
    would not produce (so "2025" or "9b" never look like a name).
    """
    if len(folded) < MIN_RULE_KEY_WORD or not set(folded) <= _OCR_CHARS:
        return ""
    key = folded
    for a, b in _OCR_PAIRS:
        key = key.replace(a, b)
    if not key.isalpha():
        return ""
    return _collapse_doubles(key)


# Transliteration alternations (on folded text, in this order): the consonant spellings
# that Latin transcriptions of Arabic, Persian, Somali, Kurdish, Turkish, Bosnian,
# Russian and Tigrinya names alternate between, then a vowel-blind skeleton, since
# unwritten or differently written vowels are the commonest difference of all
# (Mohammed/Muhammad, Hossein/Husein, Tsegay/Tsegai, Senait/Senayt, Yousef/Yusuf).
_TRANSLIT_PAIRS: tuple[tuple[str, str], ...] = (
    ("dzh", "J"),
    ("dz", "J"),
    ("dj", "J"),
    ("tsch", "c"),
    ("sch", "s"),
    ("tch", "c"),
    ("kh", "k"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("ch", "k"),
    ("sh", "s"),
    ("zh", "z"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("z", "s"),
)
_D_PAIRS = _TRANSLIT_PAIRS[:3]
_H_PAIRS = _TRANSLIT_PAIRS[3:14]
_OTHER_PAIRS = _TRANSLIT_PAIRS[14:]
assert all("d" in a for a, _b in _D_PAIRS) and all("h" in a for a, _b in _H_PAIRS)
_VOWELS = frozenset("aeiouy")
_DROP_VOWELS = str.maketrans("", "", "aeiouyj")
MIN_SKELETON = 3
MIN_SKELETON_CONSONANTS = 2
"""A skeleton with one consonant ("ala": Olle, Ella, Ulla, Alla) says too little of a name:
such names differ only in vowels and meet through the one-typo look-up or the variant
table (Aisha/Ayesha), not by rule."""


def _skeleton(word: str, somali: bool = False) -> str:
    if word.endswith("ff"):
        word = word[:-2] + "v"  # Ivanoff/Ivanov
    if somali:  # Somali and Kurdish Latin orthography: x is h/kh (Xasan = Hasan,
        # Maxamed = Mohamed, Xebat = Khabat); a word-initial c before a vowel is the ʿayn
        word = word.replace("kh", "h").replace("x", "h")
    # "J" marks the affricate dž/dj, which stays a consonant. The pairs are tried in
    # order; a group whose letter is not in the word cannot match (no pair writes a d
    # before the d-group or an h at all), so it is skipped.
    if "d" in word:
        for a, b in _D_PAIRS:
            word = word.replace(a, b)
    if "h" in word:
        for a, b in _H_PAIRS:
            word = word.replace(a, b)
    for a, b in _OTHER_PAIRS:
        word = word.replace(a, b)
    if not word.isalpha():
        return ""
    head = "y" if word[0] in "jyJ" else "a" if word[0] in _VOWELS else word[0]
    rest = word[1:]
    if rest.endswith("h") and len(rest) > 1 and rest[-2] in _VOWELS:
        rest = rest[:-1]  # Fatimah/Fatima, Rojdah/Rojda
    # j/y next to a vowel is a glide written either way (Sulejman/Suleiman): a vowel
    body = rest.translate(_DROP_VOWELS).replace("J", "j")
    key = _collapse_doubles(head + body)
    if len(key) < MIN_SKELETON and word[-1] in _VOWELS:
        key += "a"  # a short skeleton keeps its final vowel: Yulia/Juliya, not Joel
    if len(key) < MIN_SKELETON or len(key) - key.count("a") < MIN_SKELETON_CONSONANTS:
        return ""
    return key


@lru_cache(maxsize=65536)
def translit_keys(folded: str) -> tuple[str, ...]:
    """Vowel-blind consonant skeletons of a folded name word under the alternation rules.

    ``"husein"``, ``"hossein"`` → ``"hsn"``; ``"yousef"``, ``"jusuf"`` → ``"ysf"``;
    ``"xasan"`` (Somali) → ``"hsn"``. Words shorter than MIN_RULE_KEY_WORD get none:
    short names (Ali/Eli, Ella/Elle) differ *only* in their vowels and are left to the
    one-typo look-up and the variant table.
    """
    if len(folded) < MIN_RULE_KEY_WORD or not folded.isalpha():
        return ()
    key = _skeleton(folded)
    if folded[:2] in ("je", "ye"):  # Russian Е at the start: Jevgenij/Evgeny, Jelena/Elena
        bare = _skeleton(folded[1:])
        if bare and bare != key:
            return (key, bare)
    somali = folded
    if somali[0] == "c" and len(somali) > 1 and somali[1] in _VOWELS:
        somali = somali[1:]
    elif "x" not in folded and "kh" not in folded:
        return (key,) if key else ()  # the Somali reading would be the same
    keys = [key, _skeleton(somali, somali=True)]
    return tuple(dict.fromkeys(k for k in keys if k))
