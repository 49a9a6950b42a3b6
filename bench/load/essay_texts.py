"""Realistic Swedish school rosters and essays for the load benchmark, deterministic per seed.

Most essays name their author the way real hand-ins do (a ``Name:``/``Namn:`` header, a
signature, the filename); some do not name anyone, so a teacher has to decide. Bodies mention
classmates and a teacher, who are *not* the author, like real essays do.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

FIRST_NAMES = (
    "Alice", "Alva", "Astrid", "Axel", "Agnes", "Albin", "Anton", "Ebba", "Elias", "Ella", "Elsa",
    "Emil", "Erik", "Filip", "Freja", "Hugo", "Ida", "Isak", "Julia", "Karl Johan", "Leo", "Liam",
    "Linnéa", "Lucas", "Maja", "Melvin", "Mohammed", "Nils", "Noah", "Olivia", "Oskar", "Saga",
    "Selma", "Sofia", "Stella", "Theo", "Vera", "Viggo", "Wilma", "Åsa", "Ögla", "Zainab",
    "Anna-Karin", "Björn", "Görel", "Jöns", "Märta", "Sixten",
)  # fmt: skip
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Lindberg", "Lindqvist", "Lindgren", "Berg", "Bergström", "Sjöström", "Åkesson", "Öberg",
    "Ekström", "Engström", "Forsberg", "Holm", "Hedlund", "Lund", "Nyström", "Sandberg",
    "Söderberg", "Strand", "Sundqvist", "Wikström", "Ali", "Nguyen", "Hussein", "de la Cruz",
    "von Essen", "Blom", "Dahl",
)  # fmt: skip
TITLES = (
    "Min sommar", "Ett minne jag bär med mig", "Skolans framtid", "Varför vi behöver naturen",
    "Argumenterande text om skoluniformer", "Min förebild", "En resa till fjällen",
)
SENTENCES = (
    "Det var en varm dag i juli när vi bestämde oss för att åka till havet.",
    "Jag tror att alla borde få chansen att uppleva något sådant minst en gång.",
    "Många menar att skolan borde börja senare på morgonen, och jag håller med.",
    "Först var jag tveksam, men efter ett tag förstod jag varför det var viktigt.",
    "Min mormor brukade säga att man lär sig mest när man misslyckas.",
    "På vägen hem pratade vi om allt vi hade sett under dagen.",
    "Det finns flera skäl till att vi måste ta klimatfrågan på allvar.",
    "Sammanfattningsvis anser jag att fördelarna väger tyngre än nackdelarna.",
    "När solen gick ner satt vi kvar på bryggan och lyssnade på vågorna.",
    "Ett annat argument är att eleverna blir mer motiverade när de får välja själva.",
)


@dataclass(frozen=True)
class RosterEntry:
    first_name: str
    last_name: str
    email: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class EssayFile:
    filename: str
    content: bytes
    author_index: int  # index into the roster: who really wrote it
    names_author: bool  # False when nothing in the file names its author


def _ascii(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def make_roster(rng: random.Random, size: int) -> list[RosterEntry]:
    seen: set[tuple[str, str]] = set()
    roster: list[RosterEntry] = []
    while len(roster) < size:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in seen:
            continue
        seen.add((first, last))
        email = f"{_ascii(first)}.{_ascii(last)}@elev.example.se" if rng.random() < 0.7 else None
        roster.append(RosterEntry(first, last, email))
    return roster


def _body(rng: random.Random, roster: list[RosterEntry], author: int) -> str:
    classmates = [s for i, s in enumerate(roster) if i != author]
    friend = rng.choice(classmates).first_name
    paragraphs = []
    for _ in range(rng.randint(3, 6)):
        paragraphs.append(" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 6))))
    paragraphs.insert(1, f"Jag och {friend} pratade länge om det, och vår lärare Lena Berg höll med oss.")
    return "\n\n".join(paragraphs)


def make_essay(rng: random.Random, roster: list[RosterEntry], author: int, number: int) -> EssayFile:
    student = roster[author]
    title = rng.choice(TITLES)
    body = _body(rng, roster, author)
    style = rng.random()
    filename = f"uppsats_{number:02d}.txt"
    names_author = True
    if style < 0.55:
        text = f"Name: {student.full_name}\nClass: 9B\n\n{title}\n\n{body}\n"
    elif style < 0.75:
        text = f"Namn: {student.full_name}\nKlass: 9B\nDatum: 2026-03-12\n\n{title}\n\n{body}\n"
    elif style < 0.85:
        text = f"{title}\n\n{body}\n\nMed vänliga hälsningar\n{student.full_name}\n"
    elif style < 0.92:
        filename = f"{_ascii(student.first_name)}_{_ascii(student.last_name)}_uppsats.txt"
        text = f"{title}\n\n{body}\n"
    else:  # nobody named: the teacher decides
        text = f"{title}\n\n{body}\n"
        names_author = False
    # Swedish Windows machines still save "ANSI" (cp1252) text files.
    encoding = "cp1252" if rng.random() < 0.2 else "utf-8"
    return EssayFile(filename, text.encode(encoding, errors="replace"), author, names_author)


def make_class_essays(rng: random.Random, roster: list[RosterEntry]) -> list[EssayFile]:
    """One essay per roster student, in a shuffled hand-in order."""
    authors = list(range(len(roster)))
    rng.shuffle(authors)
    return [make_essay(rng, roster, author, number) for number, author in enumerate(authors, start=1)]
