#!/usr/bin/env python3
"""Phenomenon families: one corpus per way real essays hide their author's name.

Usage: python bench/family_corpus.py [--seed TEXT] [--classes N] [--tables 1|2] --out CORPUS.json

Same JSON format as the shared dev corpus (score_matches.py scores it per family), but
built from this file's own name tables and its own random source (a SHA-256 counter
generator, not Python's Mersenne Twister with the dev corpus's seeds), so nothing here
repeats the dev corpus. Every class is a realistic batch: most students hand in an essay
with an ordinary header or signature (family ``background``), one or two essays carry no
roster student (``no_student``: anonymous, an outsider's full name, an outsider's
nickname or initials), and the rest carry the phenomenon under test:

* ``ocr`` — text from a scan: rn/m, cl/d, l/1/I, O/0, å/ä→a, a dropped or doubled
  letter, a name broken over two lines or hyphenated at a line end;
* ``split_cues`` — only the combination identifies: first name in the signature and
  surname in the filename, a personal e-mail's local part plus a first name, …;
* ``nickname`` — Swedish and English short forms of the given name, or the student goes
  by a later given name ("Hugo" for roster "Karl Hugo");
* ``transliteration`` — another spelling of an Arabic, Persian, Somali, Kurdish,
  Turkish, Bosnian, Russian or Tigrinya name; compounds written as one word or two;
* ``initials`` — "Hugo E.", "H. Ekström", "H.E.", when the batch makes them
  unambiguous (unique on the roster, or among the students still without an essay);
* ``identical`` — the same file uploaded twice (both copies are the same student's).

The answer of an essay is only ever derived from how the generator built it.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import unicodedata

from synthetic_corpus import write_corpus

# --- the generator's own name tables -----------------------------------------------
SWEDISH_GIVEN = [
    "Hugo", "Wilma", "Alvar", "Selma", "Ture", "Vera", "Malte", "Ella", "Folke", "Astrid",
    "Isak", "Signe", "Otto", "Greta", "Vidar", "Majken", "Edvin", "Tilde", "Loke", "Frida",
    "Sixten", "Hedda", "Melvin", "Juni", "Albin", "Stella", "Harald", "Ronja", "Valter",
    "Minna",
]  # fmt: skip
SWEDISH_SURNAMES = [
    "Ekström", "Björklund", "Hallberg", "Sjögren", "Lövgren", "Rydberg", "Åström",
    "Engström", "Norrman", "Palmqvist", "Bäckström", "Fällman", "Strömberg", "Holmgren",
    "Törnqvist", "Wahlberg", "Kärrman", "Sundell", "Fagerlund", "Grahn", "Lundmark",
    "Öhman", "Berggren", "Marklund", "Nordin", "Ahlström", "Hägglund", "Claesson",
]  # fmt: skip
# Registered given name → how the student writes it instead (Swedish and English forms).
NICKNAME_FORMS: dict[str, list[str]] = {
    "Karl": ["Kalle"], "Lars": ["Lasse"], "Nils": ["Nisse"], "Joakim": ["Jocke"],
    "Fredrik": ["Fredde"], "Tobias": ["Tobbe"], "Ludvig": ["Ludde"], "Gustav": ["Gurra"],
    "Magnus": ["Mange"], "Markus": ["Mackan"], "Jonathan": ["Jonte", "Jonny"],
    "Hampus": ["Hampe"], "Kristoffer": ["Stoffe", "Chris"], "Sebastian": ["Sebbe", "Seb"],
    "Robert": ["Robban", "Rob", "Bob"], "Alexander": ["Alex", "Sasha"],
    "William": ["Will", "Liam"], "Benjamin": ["Ben", "Benji"], "Samuel": ["Sam", "Sammy"],
    "Nicholas": ["Nick"], "Matthew": ["Matt"], "Thomas": ["Tom", "Tommy"],
    "Elizabeth": ["Liz", "Beth"], "Katherine": ["Kate", "Katie"], "Rebecca": ["Becca"],
    "Jessica": ["Jess"], "Victoria": ["Vicky", "Tori"], "Josefin": ["Jossan"],
    "Therese": ["Tessan"], "Isabella": ["Izzy", "Bella"], "Johanna": ["Hanna", "Jossan"],
    "Emelie": ["Emmy"], "Kristina": ["Kicki", "Stina"], "Margareta": ["Maggan", "Greta"],
    "Matilda": ["Tilda", "Tilly"], "Charlotte": ["Lotta", "Lotte"],
}  # fmt: skip
# Spellings that differ by transliteration rule (the essay uses one of the others).
TRANSLIT_GIVEN: list[list[str]] = [
    ["Abdirahman", "Abdi Rahman", "Abdurahman"], ["Mohamed", "Mohammed", "Mohamad"],
    ["Khalid", "Khaled", "Chalid"], ["Yousef", "Yusuf", "Jusuf"], ["Hossein", "Husein"],
    ["Dariush", "Daryoush", "Daryush"], ["Kourosh", "Kurosh"], ["Shirin", "Schirin"],
    ["Maxamed", "Mohamed"], ["Xasan", "Hasan"], ["Cabdi", "Abdi"], ["Faarax", "Farah"],
    ["Rojda", "Rojdah"], ["Xebat", "Khabat"], ["Şilan", "Shilan", "Silan"],
    ["Ayşe", "Ayse", "Ayshe"], ["Yıldız", "Yildiz"], ["Gülşen", "Gulsen", "Guelsen"],
    ["Đorđe", "Djordje", "Dorde"], ["Emina", "Emmina"], ["Amela", "Amelah"],
    ["Jevgenij", "Yevgeniy", "Evgeny"], ["Ksenia", "Kseniya", "Xenia"],
    ["Yulia", "Julija", "Juliya"], ["Aleksandr", "Alexandr"], ["Natalya", "Natalja"],
    ["Yohannes", "Johannes", "Yohanes"], ["Tsegay", "Tsegai"], ["Semhar", "Semhar"],
    ["Senait", "Senayt"], ["Berhane", "Birhane"], ["Mebrahtu", "Mebrahtou"],
    ["Nuraldin", "Nur Aldin", "Nour Aldin"], ["Mohammadreza", "Mohammad Reza"],
]  # fmt: skip
TRANSLIT_SURNAMES: list[list[str]] = [
    ["Hadžić", "Hadzic", "Hadzhich"], ["Šehić", "Sehic", "Shehic"], ["Mujić", "Mujic"],
    ["Öztürk", "Ozturk", "Oeztuerk"], ["Çelik", "Celik", "Chelik"], ["Yılmaz", "Yilmaz"],
    ["Gebremedhin", "Gebre Medhin", "Ghebremedhin"], ["Haile", "Hayle"],
    ["Kidane", "Kiddane"], ["Warsame", "Warsama"], ["Cabdullahi", "Abdullahi"],
    ["Rezaei", "Rezai", "Rezaie"], ["Hosseini", "Husseini", "Hoseini"],
    ["Mahmoud", "Mahmud", "Mahmood"], ["Karimi", "Karimy"], ["Ivanov", "Ivanoff"],
    ["Kuznetsov", "Kusnetsov", "Kuznetsoff"], ["Barzani", "Barzany"],
    ["Abdulkadir", "Abdul Kadir", "Abdulqadir"], ["Tesfaye", "Tesfay"],
]  # fmt: skip
OUTSIDERS = [("Leonard", "Quist"), ("Jasmina", "Petrović"), ("Olle", "Rask"),
             ("Ines", "Carvalho"), ("Timo", "Laakso"), ("Dana", "Friberg")]  # fmt: skip
TEACHERS = ["Ulrika Hallin", "Peter Sandell", "Nadia Rahimi", "Göran Wik"]
SCHOOL_DOMAINS = ["elev.solna.se", "skola.orebro.se", "student.vaxjo.se"]
PRIVATE_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com"]
TITLES = ["Skolans framtid", "Should homework be banned?", "Min sommar", "Om vänskap",
          "Social media and us", "Argumenterande text"]  # fmt: skip
SENTENCES = [
    "Jag tycker att frågan är viktigare än många tror.",
    "I think this question matters more than most people realise.",
    "Min vän {friend} håller inte med mig om det här.",
    "My classmate {friend} told me a different story.",
    "{famous} skrev en gång något klokt om just detta.",
    "Det finns argument både för och emot, men jag har bestämt mig.",
]  # fmt: skip
FAMOUS = ["Astrid Lindgren", "Greta Thunberg", "Nelson Mandela", "Selma Lagerlöf"]

# --- a second, independent set of name tables (``--tables 2``) ------------------------
# Other names, other nickname forms, other transliteration pairs, other titles: the
# families again on names the engine was not developed against. Chosen for being common
# in Swedish schools, not for what the engine's data files hold.
SECOND_TABLES: dict[str, object] = {
    "SWEDISH_GIVEN": [
        "Elsa", "Alfred", "Agnes", "Viggo", "Iris", "Gösta", "Ebba", "Sigrid", "Arvid",
        "Linnea", "Edith", "Ivar", "Saga", "Elis", "Tyra", "Melker", "Alma", "Knut",
        "Märta", "Orvar", "Idun", "Ragnar", "Svea", "Tage", "Hedvig", "Birger", "Ester",
        "Konrad", "Alice", "Gunnar",
    ],
    "SWEDISH_SURNAMES": [
        "Sundqvist", "Lindahl", "Björk", "Forsberg", "Wikström", "Hedlund", "Åkerlund",
        "Nyström", "Engdahl", "Söderlund", "Löfgren", "Ahlberg", "Bergkvist", "Holmström",
        "Sandberg", "Lundqvist", "Östlund", "Hellström", "Fröberg", "Blomqvist", "Dahlgren",
        "Ekberg", "Kjellberg", "Nordström", "Rosengren", "Malmberg", "Vikander", "Hagström",
    ],
    "NICKNAME_FORMS": {
        "Per": ["Pelle"], "Mikael": ["Micke"], "Daniel": ["Danne", "Danny"],
        "Henrik": ["Henke"], "Patrik": ["Patte"], "Kristian": ["Krille"],
        "Katarina": ["Kajsa", "Kattis"], "Emelie": ["Emmy"], "Annette": ["Nettan"],
        "Susanne": ["Sussie", "Sanna"], "Lennart": ["Lelle"], "Hans": ["Hasse"],
        "Bengt": ["Benke"], "Michael": ["Mike"], "Anthony": ["Tony"], "Andreas": ["Andy"],
        "Jennifer": ["Jenny"], "Stefan": ["Steve"], "Jakob": ["Jake"], "Gabriel": ["Gabbe"],
        "Viktor": ["Vicke"], "Olof": ["Olle"], "Helena": ["Lena"], "Maria": ["Maja", "Mia"],
        "Elisabet": ["Lisa", "Lisen"], "Alexandra": ["Alex"], "Joshua": ["Josh"],
    },
    "TRANSLIT_GIVEN": [
        ["Hamid", "Hamed"], ["Samir", "Sameer"], ["Nasser", "Naser", "Nasir"],
        ["Tariq", "Tarek", "Tarik"], ["Walid", "Waleed"], ["Jamila", "Djamila", "Jamilah"],
        ["Sharif", "Sherif"], ["Zakaria", "Zakariya", "Sakaria"], ["Osman", "Usman"],
        ["Kemal", "Kamal", "Cemal"], ["Gökhan", "Gokhan", "Goekhan"],
        ["Vladimir", "Wladimir"], ["Svetlana", "Swetlana"], ["Dawit", "Davit"],
        ["Filmon", "Philmon"], ["Saba", "Sabah"], ["Hodan", "Xodan"], ["Jovana", "Yovana"],
        ["Mustafa", "Mostafa"], ["Ibrahim", "Ebrahim"],
    ],
    "TRANSLIT_SURNAMES": [
        ["Osmanović", "Osmanovic", "Osmanovich"], ["Begović", "Begovic"],
        ["Aydın", "Aydin"], ["Şahin", "Sahin", "Shahin"], ["Ahmadi", "Ahmady"],
        ["Jafari", "Djafari", "Jaafari"], ["Moradi", "Muradi"], ["Nazari", "Nasari"],
        ["Hashemi", "Hashimi"], ["Ghebreyesus", "Gebreyesus"], ["Petrov", "Petroff"],
        ["Smirnov", "Smirnoff"], ["Abdiqadir", "Abdikadir"], ["Tekle", "Teklé"],
    ],
    "OUTSIDERS": [("Bruno", "Keller"), ("Amira", "Haddad"), ("Pontus", "Rask"),
                  ("Mira", "Kovač"), ("Jonas", "Vikström"), ("Leah", "Brandt")],
    "TEACHERS": ["Maria Holmberg", "Anders Lilja", "Fatima Zahedi", "Jan Eklöf"],
    "TITLES": ["Klimatet och vi", "Why we read", "Min favoritbok", "Idrott i skolan",
               "The future of work", "Skärmtid"],
    "FAMOUS": ["Alfred Nobel", "Malala Yousafzai", "Ingrid Bergman", "Marie Curie"],
}  # fmt: skip


FIRST_TABLES: dict[str, object] = {name: globals()[name] for name in SECOND_TABLES}


def use_tables(which: str) -> None:
    """Switch the generator to name tables ``"1"`` (the first set, above) or ``"2"``."""
    tables = {"1": FIRST_TABLES, "2": SECOND_TABLES}.get(which)
    if tables is None:
        raise ValueError(f"no name tables {which!r}")
    globals().update(tables)


FAMILIES = ("ocr", "split_cues", "nickname", "transliteration", "initials", "identical")


class HashRandom(random.Random):
    """A deterministic generator built on SHA-256 in counter mode.

    Overriding ``random`` and ``getrandbits`` is the documented way to give
    ``random.Random`` another core generator; choice, shuffle, randint … all use them.
    """

    def __init__(self, seed: str) -> None:
        self._key = hashlib.sha256(seed.encode()).digest()
        self._counter = 0
        super().__init__(0)

    def seed(self, *args: object, **kwargs: object) -> None:  # the key is the seed
        pass

    def _block(self) -> bytes:
        self._counter += 1
        return hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest()

    def getrandbits(self, k: int) -> int:
        need = (k + 7) // 8
        data = b""
        while len(data) < need:
            data += self._block()
        return int.from_bytes(data[:need], "big") >> (need * 8 - k)

    def random(self) -> float:
        return self.getrandbits(53) / (1 << 53)


def ascii_fold(text: str) -> str:
    text = text.replace("ı", "i").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- rosters -------------------------------------------------------------------------


def make_roster(rng: random.Random, class_id: str, size: int) -> list[dict]:
    """Swedish names, nickname-able names, transliterated names, second given names."""
    roster: list[dict] = []
    used: set[tuple[str, str]] = set()
    domain = rng.choice(SCHOOL_DOMAINS)
    while len(roster) < size:
        kind = rng.random()
        if kind < 0.35:
            first = rng.choice(SWEDISH_GIVEN)
        elif kind < 0.6:
            first = rng.choice(sorted(NICKNAME_FORMS))
        elif kind < 0.85:
            first = rng.choice(TRANSLIT_GIVEN)[0]
        else:  # two given names; the student may go by the second one
            first = f"{rng.choice(sorted(NICKNAME_FORMS))} {rng.choice(SWEDISH_GIVEN)}"
        last = rng.choice(TRANSLIT_SURNAMES)[0] if rng.random() < 0.35 else rng.choice(SWEDISH_SURNAMES)
        if (first, last) in used:
            continue
        used.add((first, last))
        n = len(roster) + 1
        local = ascii_fold(f"{first}.{last}").lower().replace(" ", "")
        email = None if rng.random() < 0.3 else f"{local}@{domain}"
        roster.append(
            {"student_id": f"{class_id}-s{n:02d}", "first_name": first, "last_name": last, "email": email}
        )
    return roster


# --- the phenomena -----------------------------------------------------------------

_OCR_SWAPS = [
    ("m", "rn"),
    ("rn", "m"),
    ("d", "cl"),
    ("l", "1"),
    ("l", "I"),
    ("i", "l"),
    ("o", "0"),
    ("O", "0"),
    ("å", "a"),
    ("ä", "a"),
    ("ö", "o"),
    ("I", "l"),
]


def ocr_word(rng: random.Random, word: str) -> str:
    """One or two scan errors in a word (a confusion, a dropped or a doubled letter)."""
    out = word
    for _ in range(rng.choice([1, 1, 2])):
        options = [(a, b) for a, b in _OCR_SWAPS if a in out[1:] or (a in out and a.isupper())]
        op = rng.random()
        if options and op < 0.6:
            a, b = rng.choice(options)
            starts = [i for i in range(len(out)) if out.startswith(a, i)]
            i = rng.choice(starts)
            out = out[:i] + b + out[i + len(a) :]
        elif op < 0.8 and len(out) > 4:
            i = rng.randrange(1, len(out) - 1)
            out = out[:i] + out[i + 1 :]
        else:
            i = rng.randrange(1, len(out))
            out = out[:i] + out[i] + out[i:]
    return out


def ocr_name(rng: random.Random, first: str, last: str) -> tuple[str, str]:
    """A name as OCR gives it back; returns (written name, layout)."""
    words = [*first.split(), *last.split()]
    i = rng.randrange(len(words))
    words[i] = ocr_word(rng, words[i])
    layout = rng.choice(["plain", "plain", "hyphen", "break"])
    if layout == "hyphen":  # "Ekst-\nröm": hyphenated at the end of a scanned line
        w = words[-1]
        cut = rng.randrange(2, max(3, len(w) - 1))
        words[-1] = w[:cut] + "-\n" + w[cut:]
    elif layout == "break":  # the surname wrapped onto the next line
        words[-1] = "\n" + words[-1]
    return " ".join(words).replace(" \n", "\n"), layout


def nickname_name(rng: random.Random, student: dict, roster: list[dict]) -> str | None:
    """The name with a short form of the given name, or a later given name alone.

    Never a classmate's whole name: "Alfred Kjellberg" written by Helena Alfred Kjellberg
    when Alfred Kjellberg is in the class names Alfred, for a teacher as for the original
    service's cases (the exact full name wins), so no engine could be right there."""
    given = student["first_name"].split()
    if len(given) > 1 and rng.random() < 0.5:
        written = f"{given[1]} {student['last_name']}"
    else:
        forms = NICKNAME_FORMS.get(given[0])
        if not forms:
            written = f"{given[1]} {student['last_name']}" if len(given) > 1 else None
        else:
            written = f"{rng.choice(forms)} {student['last_name']}"
    whole_names = {f"{s['first_name']} {s['last_name']}" for s in roster if s is not student}
    return None if written in whole_names else written


def translit_name(rng: random.Random, student: dict) -> str | None:
    """Another spelling of a transliterated given name or surname (at least one word)."""
    out, changed = [], False
    for field, table in ((student["first_name"], TRANSLIT_GIVEN), (student["last_name"], TRANSLIT_SURNAMES)):
        group = next((g for g in table if g[0] == field), None)
        if group and len(group) > 1 and (rng.random() < 0.7 or not changed):
            others = [g for g in group[1:] if g != field]
            if others:
                out.append(rng.choice(others))
                changed = True
                continue
        out.append(field)
    return " ".join(out) if changed else None


def initials_name(rng: random.Random, student: dict, roster: list[dict], remaining: list[dict]) -> str | None:
    """ "Hugo E.", "H. Ekström" or "H.E.", only in a form the batch makes unambiguous."""
    given, last = student["first_name"].split()[0], student["last_name"]

    def initials(s: dict) -> tuple[str, str]:
        return ascii_fold(s["first_name"][0]).upper(), ascii_fold(s["last_name"][0]).upper()

    forms = []
    if sum(1 for s in roster if s["first_name"].split()[0] == given) == 1:
        forms.append(f"{given} {last[0]}.")
    if sum(1 for s in roster if s["last_name"] == last and initials(s)[0] == initials(student)[0]) == 1:
        forms.append(f"{given[0]}. {last}")
    if sum(1 for s in remaining if initials(s) == initials(student)) == 1:
        forms.append(rng.choice(["{}.{}.", "{}. {}."]).format(*initials(student)))
    return rng.choice(forms) if forms else None


# --- essays ---------------------------------------------------------------------------


def _body(rng: random.Random, roster: list[dict], author: dict | None) -> str:
    others = [s for s in roster if s is not author]
    paras = []
    for _ in range(rng.randint(2, 4)):
        paras.append(
            " ".join(
                rng.choice(SENTENCES).format(
                    friend=rng.choice(others)["first_name"].split()[0], famous=rng.choice(FAMOUS)
                )
                for _ in range(rng.randint(3, 5))
            )
        )
    return "\n\n".join(paras)


def _header(rng: random.Random) -> list[str]:
    lines = [
        f"{rng.choice(['Lärare', 'Teacher'])}: {rng.choice(TEACHERS)}",
        f"{rng.choice(['Kurs', 'Course'])}: {rng.choice(['SVA02', 'ENG06', 'SVE01'])}",
        f"Datum: 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    ]
    rng.shuffle(lines)
    return lines[: rng.randint(1, 3)]


def _place(rng: random.Random, written: str, where: str | None = None) -> tuple[list, list]:
    """Header lines and signature lines that carry ``written`` in an author position."""
    where = where or rng.choice(["label", "label", "first", "signature"])
    if where == "label":
        return [rng.choice(["Namn: ", "Name: ", "Elev: ", "Student: "]) + written], []
    if where == "first":
        return [written], []
    return [], ["", rng.choice(["/", "// ", "Mvh\n", "Best wishes,\n"]) + written]


def build_essay(
    rng: random.Random,
    roster: list[dict],
    author: dict | None,
    essay_id: str,
    family: str,
    head: list[str],
    tail: list[str],
    filename: str | None,
) -> dict:
    header = _header(rng)
    if head:
        header.insert(
            rng.randrange(len(header) + 1)
            if len(head) == 1 and not head[0].count("\n") and ":" in head[0]
            else 0,
            *head,
        )
    text = "\n".join([*header, "", rng.choice(TITLES), "", _body(rng, roster, author), *tail])
    return {
        "essay_id": essay_id,
        "filename": filename,
        "text": text,
        "expected_student_id": author["student_id"] if author else None,
        "family": family,
    }


def background_essay(rng: random.Random, roster: list[dict], author: dict, essay_id: str) -> dict:
    full = f"{author['first_name']} {author['last_name']}"
    head, tail = _place(rng, full)
    return build_essay(
        rng,
        roster,
        author,
        essay_id,
        "background",
        head,
        tail,
        rng.choice([None, "uppsats.docx", "Document1.docx"]),
    )


def no_student_essay(rng: random.Random, roster: list[dict], essay_id: str) -> dict:
    """No roster student: anonymous, or an outsider by full name, nickname or initials."""
    names = {(s["first_name"], s["last_name"]) for s in roster}
    outsider = rng.choice([o for o in OUTSIDERS if o not in names])
    firsts = {s["first_name"].split()[0] for s in roster}
    initials = {(ascii_fold(s["first_name"][0]), ascii_fold(s["last_name"][0])) for s in roster}
    kind = rng.choice(["anonymous", "full", "full", "initials"])
    head: list[str] = []
    if kind == "full":
        head = [rng.choice(["Namn: ", "Name: ", ""]) + " ".join(outsider)]
    elif (
        kind == "initials" and (outsider[0][0], outsider[1][0]) not in initials and outsider[0] not in firsts
    ):
        head = [f"Namn: {outsider[0]} {outsider[1][0]}."]
    filename = (
        f"{''.join(rng.choice('BCDFGHJKLMNPQRSTVWXZ') for _ in range(8))} "
        f"{rng.randint(1, 99)} (SVA02 2026).txt"
        if not head
        else None
    )
    return build_essay(rng, roster, None, essay_id, "no_student", head, [], filename)


def family_essay(
    rng: random.Random, family: str, roster: list[dict], author: dict, remaining: list[dict], essay_id: str
) -> dict | None:
    """One essay of ``family`` by ``author``; None when this author's name cannot show it."""
    first, last = author["first_name"], author["last_name"]
    filename = rng.choice([None, "uppsats.docx"])
    if family == "ocr":
        written, layout = ocr_name(rng, first, last)
        where = "label" if layout != "plain" else None
        head, tail = _place(rng, written, where)
        filename = rng.choice(["scan_0012.pdf", "Skannad bild.pdf", None])
    elif family == "split_cues":
        given = first.split()[0]
        local = ascii_fold(last).lower().replace(" ", "")
        style = rng.choice(["sig+file", "sig+mail", "label+file"])
        if style == "sig+file":
            head, tail = [], ["", rng.choice(["/", "// ", "Mvh\n"]) + given]
            filename = f"{ascii_fold(last).replace(' ', '')}_{rng.choice(['uppsats', 'essay'])}.docx"
        elif style == "sig+mail":
            mail = f"{ascii_fold(given).lower()}.{local}{rng.randint(1, 99)}@{rng.choice(PRIVATE_DOMAINS)}"
            head, tail = [f"E-post: {mail}"], ["", rng.choice(["/", "Hälsningar,\n"]) + given]
        else:
            head, tail = [f"Namn: {given}"], []
            filename = f"{last.replace(' ', '_')}.docx"
    elif family == "nickname":
        written = nickname_name(rng, author, roster)
        if written is None:
            return None
        head, tail = _place(rng, written)
    elif family == "transliteration":
        written = translit_name(rng, author)
        if written is None:
            return None
        head, tail = _place(rng, written)
    elif family == "initials":
        written = initials_name(rng, author, roster, remaining)
        if written is None:
            return None
        head, tail = _place(rng, written, rng.choice(["label", "signature"]))
    else:
        raise ValueError(family)
    return build_essay(rng, roster, author, essay_id, family, head, tail, filename)


def make_family_class(
    rng: random.Random, class_id: str, size: int, n_essays: int, families: tuple[str, ...] = FAMILIES
) -> dict:
    """A batch: background essays, 1–2 with no student, and phenomenon essays."""
    roster = make_roster(rng, class_id, size)
    order = roster[:]
    rng.shuffle(order)
    absent = max(1, size // 10)  # some students hand in nothing
    writers = order[absent:]
    n_family = min(len(writers) // 3, max(4, n_essays // 3))
    special, regular = writers[:n_family], writers[n_family:]
    essays: list[dict] = []
    n = 0

    def next_id() -> str:
        nonlocal n
        n += 1
        return f"{class_id}-e{n:03d}"

    for author in regular[: max(0, n_essays - n_family - 2)]:
        essays.append(background_essay(rng, roster, author, next_id()))
    for _ in range(rng.choice([1, 2])):
        essays.append(no_student_essay(rng, roster, next_id()))
    # the students a weak cue must be unique among: all without an ordinary essay
    without_essay = special + order[:absent]
    pool = special[:]
    for i in range(len(special)):
        family = families[i % len(families)]
        for author in pool:  # the first author whose name can show this phenomenon
            if family == "identical":
                essay = background_essay(rng, roster, author, next_id())
                essay["family"] = "identical"
                essays.extend([essay, dict(essay, essay_id=next_id())])
                break
            essay = family_essay(rng, family, roster, author, without_essay, next_id())
            if essay is not None:
                essays.append(essay)
                break
        else:
            continue
        pool.remove(author)
    rng.shuffle(essays)
    return {"class_id": class_id, "roster": roster, "essays": essays}


def make_corpus(seed: str, classes: int) -> dict:
    rng = HashRandom(f"huleedu-families:{seed}")
    return {
        "name": f"phenomenon families (seed {seed!r})",
        "classes": [
            make_family_class(rng, f"f{c + 1:02d}", rng.randint(25, 35), rng.randint(26, 32))
            for c in range(classes)
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default="1")
    parser.add_argument("--classes", type=int, default=40)
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--tables", default="1", choices=["1", "2"], help="the generator's first or second set of name tables"
    )
    args = parser.parse_args()
    use_tables(args.tables)
    write_corpus(make_corpus(args.seed, args.classes), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
