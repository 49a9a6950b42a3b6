#!/usr/bin/env python3
"""Generate a fresh, deterministic matching corpus to check the engine is not overfitted.

Usage: python bench/synthetic_corpus.py [--seed N] [--classes N] --out CORPUS.json

Same JSON format as the shared dev corpus (so score_matches.py can score it), but with
other names (Swedish, Finnish, Arabic, Somali, Vietnamese, Polish, Turkish, …), other
cue wordings ("Elevens namn:", "Hälsningar,", "ALI_LINDQVIST.pdf", "Name / 9B", …),
other essay text, and deliberately confusable rosters. The benchmark reuses
``make_class`` for its synthetic batches.

Names as students really write them get families of their own: a nickname for the
registered given name ("Kalle Lindqvist" for Karl), another transliteration
("Muhammad" for Mohammed), a middle name or initial the roster does not list
("Elsa M. Holm"), a double given name written differently ("CarlJohan", only "Axel" of
"Karl Axel"), and outsiders who share a nickname form with a roster student ("Kalle
Granqvist" when Karl Holm is on the roster) — expected ``null``. The nickname and
variant tables here are the generator's own, not the engine's.
"""

from __future__ import annotations

import argparse
import json
import random
import unicodedata

GIVEN = [
    "Mohammed", "Ali", "Fatima", "Amir", "Yusuf", "Hodan", "Linh", "Minh", "Aleksandra",
    "Oskar", "Elsa", "Åsa", "Björn", "Örjan", "Sigrid", "Håkan", "Märta", "Jörgen", "Zeynep",
    "Leyla", "Dalia", "Ibrahim", "Omar", "Karim", "Noor", "Sofie", "Hampus", "Vilgot", "Ebbe",
    "Tove", "Elin", "Ingrid", "Aino", "Eetu", "Wiktor", "Agnieszka", "Thanh", "Hamza", "Ayan",
    "Saga", "Nora", "Alvin", "Melker", "Tyra", "Joel", "Noel", "Isra", "Rut", "Ove", "Jenny",
    "Carl-Johan", "Eva-Lotta", "Lisa Marie", "Karl Axel", "Anna-Stina", "Mia", "Moa", "Liv",
    "Karl", "Lars", "Per", "Nils", "Mikael", "Kristoffer", "Kristina", "Elisabet", "Sofia",
    "Tobias", "Sebastian", "Ludvig", "Viktor", "Fredrik", "Joakim", "Maria", "Susanne",
    "Gabriel", "Robert", "Niklas", "Olof", "Olov", "Karin", "Katarina", "Ahmed", "Aisha",
    "Mustafa", "Yasmin", "Aleksandar", "Mikhail", "Lisa", "Jan", "Bo", "Erik Johan",
]  # fmt: skip
SURNAMES = [
    "Lindqvist", "Lindkvist", "Öberg", "Åberg", "Åkesson", "Ekström", "Ekstrand", "Nguyen",
    "Mohammed", "Ali", "Hussein", "Yilmaz", "Kaya", "Nowak", "Kowalski", "Virtanen",
    "Korhonen", "Sjöberg", "Wallgren", "Ström", "Hedlund", "af Trolle", "von Schéele",
    "de Geer", "van der Berg", "Warsame", "Tran", "Pham", "Lindgren", "Lindgrén", "Nyström",
    "Blom", "Holm", "Berglund", "Bergqvist", "Sundberg", "Sandberg", "Hassan", "Çelik",
    "Grönlund", "Söderberg", "Wikström", "Forsberg", "Lundqvist", "Dahl", "Ek", "Lind",
]  # fmt: skip
OUTSIDERS = [("Mohammed", "Rashid"), ("Elsa", "Granqvist"), ("Ali", "Farouk"),
             ("Sigrid", "Tallberg"), ("Minh", "Do"), ("Oskar", "Melin")]  # fmt: skip
# How students write their registered given name instead (the generator's own table).
NICKNAMES: dict[str, list[str]] = {
    "Karl": ["Kalle"], "Lars": ["Lasse"], "Per": ["Pelle"], "Nils": ["Nisse"],
    "Mikael": ["Micke"], "Kristoffer": ["Stoffe"], "Kristina": ["Kicki", "Stina"],
    "Elisabet": ["Lisa", "Lisen"], "Sofia": ["Fia"], "Tobias": ["Tobbe"],
    "Sebastian": ["Sebbe"], "Ludvig": ["Ludde"], "Viktor": ["Vicke"], "Fredrik": ["Fredde"],
    "Joakim": ["Jocke"], "Maria": ["Maja", "Mia"], "Susanne": ["Sanna"],
    "Gabriel": ["Gabbe"], "Robert": ["Robban"], "Niklas": ["Nicke"], "Olof": ["Olle"],
    "Olov": ["Olle"], "Karin": ["Kajsa"], "Katarina": ["Kajsa"], "Jan": ["Janne"],
    "Bo": ["Bosse"], "Aleksandar": ["Alex"],
}  # fmt: skip
# Other transliterations of the same name, as immigrant families' children write them.
VARIANTS: dict[str, list[str]] = {
    "Mohammed": ["Muhammad", "Mohamed", "Mohammad", "Muhammed"], "Ahmed": ["Ahmad"],
    "Yusuf": ["Youssef", "Jusuf"], "Hussein": ["Husein", "Hossein"], "Fatima": ["Fatma"],
    "Aisha": ["Ayesha", "Aischa"], "Mustafa": ["Mostafa"], "Omar": ["Umar"],
    "Ibrahim": ["Ebrahim"], "Yasmin": ["Jasmin", "Yasmine"], "Zeynep": ["Zejnep"],
    "Amir": ["Emir"], "Aleksandar": ["Aleksander", "Alexander"], "Mikhail": ["Michail"],
    "Hassan": ["Hasan"], "Leyla": ["Leila", "Layla"],
}  # fmt: skip
MIDDLE_NAMES = ["Johan", "Louise", "Marie", "Emil", "Amanda", "Viktor", "Linnéa", "Erik"]
OUTSIDER_SURNAMES = ["Granqvist", "Tallberg", "Melin", "Rashid", "Farouk", "Lövgren"]
TEACHERS = ["Birgitta Lindqvist", "Jonas Åkesson", "Sara Öberg", "Ahmed Hussein"]
FAMOUS = ["Greta Thunberg", "Astrid Lindgren", "Zlatan Ibrahimović", "Selma Lagerlöf",
          "Alfred Nobel", "Malala Yousafzai", "Ingvar Kamprad"]  # fmt: skip
DOMAINS = ["elev.tensta.se", "student.kungsholmen.se", "skola.umea.se"]
TOPICS = ["friluftsliv", "klimatet", "sociala medier", "läsning", "idrott", "musik"]

SENTENCES_SV = [
    "Jag tycker att {topic} är viktigt för alla unga.",
    "Min kompis {friend} och jag pratade länge om {topic}.",
    "{famous} har sagt mycket klokt om {topic}.",
    "Det finns många argument både för och emot.",
    "Till slut vill jag säga att vi måste göra något nu.",
    "När {friend} och jag var små brydde vi oss inte om {topic}.",
]  # fmt: skip
SENTENCES_EN = [
    "I believe that {topic} matters more than people think.",
    "My classmate {friend} disagrees with me about {topic}.",
    "{famous} once said something about {topic} that stuck with me.",
    "There are good arguments on both sides of this question.",
    "In the end, we all have to take responsibility.",
]  # fmt: skip

FAMILIES = [
    "header_en", "header_sv", "examnet_first_line", "email_only", "name_and_class",
    "signature_end", "folded_diacritics", "typo", "reversed", "case", "filename_only",
    "ambiguous_first_only", "anonymous", "not_on_roster",
    "nickname", "transliteration", "middle_name", "double_given", "nickname_outsider",
]  # fmt: skip
# Families that need an author with a particular kind of name.
_SPECIAL = ("nickname", "transliteration", "double_given")


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def make_roster(rng: random.Random, class_id: str, size: int) -> list[dict]:
    """A roster with confusable names: shared first names, sibling/near surnames."""
    used: set[tuple[str, str]] = set()
    roster = []
    email_style_ids = rng.random() < 0.3
    domain = rng.choice(DOMAINS)
    while len(roster) < size:
        first = rng.choice(GIVEN)
        last = rng.choice(SURNAMES)
        if (first, last) in used:
            continue
        used.add((first, last))
        n = len(roster) + 1
        if email_style_ids:
            letters = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(2))
            email = f"{letters}{rng.randint(10, 99)}{rng.choice('abcdefgh')}{n}@edu.stad.se"
        else:
            local = ascii_fold(f"{first}.{last}").lower().replace(" ", "").replace("-", "")
            email = f"{local}@{domain}"
        if rng.random() < 0.1:
            email = None
        roster.append({"student_id": f"{class_id}-s{n:02d}", "first_name": first,
                       "last_name": last, "email": email})
    seen: dict[str, int] = {}
    for s in roster:  # digit suffix on e-mail collisions, as schools do
        if s["email"]:
            seen[s["email"]] = seen.get(s["email"], 0) + 1
            if seen[s["email"]] > 1:
                local, dom = s["email"].split("@")
                s["email"] = f"{local}{seen[s['email']]}@{dom}"
    return roster


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(["sub", "del", "swap"])
    if op == "sub":
        return word[:i] + rng.choice("aeiounrst") + word[i + 1 :]
    if op == "del":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _body(rng: random.Random, roster: list[dict], author: dict | None, lang: str,
          paragraphs: int) -> str:
    others = [s for s in roster if s is not author] or roster
    sentences = SENTENCES_SV if lang == "sv" else SENTENCES_EN
    out = []
    for _ in range(paragraphs):
        friend = rng.choice(others)["first_name"].split()[0] if others else "Kim"
        para = " ".join(
            rng.choice(sentences).format(topic=rng.choice(TOPICS), friend=friend,
                                         famous=rng.choice(FAMOUS))
            for _ in range(rng.randint(3, 6))
        )
        out.append(para)
    return "\n\n".join(out)


def _suits(student: dict, family: str) -> bool:
    """Can this student's name be written the way ``family`` needs?"""
    first_words = student["first_name"].replace("-", " ").split()
    if family == "nickname":
        return first_words[0] in NICKNAMES
    if family == "transliteration":
        return any(w in VARIANTS for w in first_words + student["last_name"].split())
    if family == "double_given":
        return len(first_words) > 1
    return True


def _author_line(rng: random.Random, written: str, klass: str) -> tuple[str, str]:
    """Put a written name in one of the usual author positions: (where, line)."""
    where = rng.choice(["header", "header", "first", "class", "signature"])
    line = {
        "header": rng.choice(["Namn: ", "Name: ", "Elev: ", "Skriven av: "]) + written,
        "first": written,
        "class": f"{written}, {klass}",
        "signature": rng.choice(["/", "// ", "Mvh\n", "Hälsningar, "]) + written,
    }[where]
    return where, line


def _written_name(rng: random.Random, roster: list[dict], author: dict,
                  family: str) -> str:
    """The author's name as written in a nickname/variant/middle/double-name essay."""
    first, last = author["first_name"], author["last_name"]
    words = first.replace("-", " ").split()
    if family == "nickname":
        return " ".join([rng.choice(NICKNAMES[words[0]]), *words[1:], last])
    if family == "transliteration":
        out = []
        for w in [*first.split(), *last.split()]:
            out.append(rng.choice(VARIANTS[w]) if w in VARIANTS and rng.random() < 0.8 else w)
        if out == [*first.split(), *last.split()]:  # make sure one word differs
            i = next(i for i, w in enumerate(out) if w in VARIANTS)
            out[i] = rng.choice(VARIANTS[out[i]])
        return " ".join(out)
    if family == "middle_name":
        taken = {w for s in roster if s["last_name"] == last
                 for w in s["first_name"].replace("-", " ").split()}
        middle = rng.choice([m for m in MIDDLE_NAMES if m not in taken and m not in words])
        style = rng.choice(["initial", "name", "reversed"])
        if style == "initial":
            return f"{first} {middle[0]}. {last}"
        if style == "name":
            return f"{first} {middle} {last}"
        return f"{last}, {first} {middle}"
    # double_given: "Carl-Johan" as "Carl Johan"/"CarlJohan"; "Karl Axel" as "Karl"/"Axel"
    if "-" in first:
        joined = rng.choice([" ".join(words), "".join(words), "".join(words).capitalize()])
        return f"{joined} {last}"
    return f"{rng.choice(words)} {last}"


def make_essay(rng: random.Random, roster: list[dict], author: dict | None, family: str,
               essay_id: str, paragraphs: int = 4) -> dict:
    """One essay whose author cue is of the given family."""
    lang = rng.choice(["sv", "en"])
    teacher = rng.choice(TEACHERS)
    klass = rng.choice(["9B", "SA23C", "TE22A", "8D"])
    full = f"{author['first_name']} {author['last_name']}" if author else ""
    header = [f"{'Lärare' if lang == 'sv' else 'Teacher'}: {teacher}",
              f"{'Kurs' if lang == 'sv' else 'Course'}: SVE0{rng.randint(1, 3)}",
              f"{'Datum' if lang == 'sv' else 'Date'}: "
              f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"]
    rng.shuffle(header)
    title = rng.choice(["Om " + rng.choice(TOPICS), "Why we should care", "Min åsikt"])
    filename = rng.choice([None, "essay.docx", "Dokument2.docx", "uppgift_final.pdf"])
    signature: list[str] = []
    first_line: list[str] = []

    if family in ("header_en", "header_sv"):
        labels = (["Name", "Student name", "Written by", "Full name"] if family == "header_en"
                  else ["Namn", "Elevens namn", "Elev", "Skriven av", "Författare"])
        header.insert(rng.randrange(len(header) + 1), f"{rng.choice(labels)}: {full}")
    elif family == "examnet_first_line":
        first_line = [full + rng.choice(["", "  2025-03-14 09:12"]), ""]
        filename = f"{''.join(rng.choice('ABCDEFGHKLMNPQRSTUVWXZ') for _ in range(8))} " \
                   f"{rng.randint(1, 99)} ({klass} SVE 2 UPPSATS 2025).txt"
    elif family == "email_only":
        if not author or not author["email"]:
            return make_essay(rng, roster, author, "header_sv", essay_id, paragraphs)
        header.insert(0, rng.choice(["E-post: ", "Mail: ", ""]) + author["email"])
    elif family == "name_and_class":
        header.insert(0, rng.choice([f"{full} / {klass}", f"{full} ({klass})",
                                     f"{full}, klass {klass}", f"{full} - {klass}"]))
    elif family == "signature_end":
        first = author["first_name"]
        shared = sum(1 for s in roster if s["first_name"] == first)
        options = [f"Hälsningar, {full}", f"Cheers,\n{full}", f"— {full}", f"/{full}",
                   f"Mvh\n{full}"]
        if shared == 1:
            options.append(f"// {first}")
        signature = ["", rng.choice(options)]
    elif family == "folded_diacritics":
        folded = ascii_fold(full)
        if folded == full:
            folded = full.replace("ö", "oe").replace("ä", "ae")
        header.insert(0, rng.choice([f"Namn: {folded}", folded]))
    elif family == "typo":
        parts = full.split(" ")
        i = rng.randrange(len(parts))
        if parts[i].lower() in ("af", "von", "de", "van", "der"):
            i = len(parts) - 1
        parts[i] = _typo(rng, parts[i])
        header.insert(0, rng.choice(["Name: ", "Namn: ", ""]) + " ".join(parts))
    elif family == "reversed":
        rev = rng.choice([f"{author['last_name']}, {author['first_name']}",
                          f"{author['last_name'].upper()} {author['first_name']}"])
        header.insert(0, rng.choice(["", "Elev: "]) + rev)
    elif family == "case":
        header.insert(0, rng.choice(["Namn: ", "By: ", ""])
                      + rng.choice([full.upper(), full.lower()]))
    elif family == "filename_only":
        g, s = author["first_name"], author["last_name"]
        filename = rng.choice([
            f"{s.replace(' ', '_')}-{g.replace(' ', '-')}-essay.pdf",
            f"{g.lower().replace(' ', '.')}.{s.lower().replace(' ', '')}.docx",
            f"{ascii_fold(g + '_' + s).upper().replace(' ', '_')}.pdf",
            f"{g.replace(' ', '').replace('-', '')}{s.replace(' ', '')}_uppsats.txt",
        ])
    elif family == "ambiguous_first_only":
        first = author["first_name"]
        if not author["email"]:
            return make_essay(rng, roster, author, "header_en", essay_id, paragraphs)
        header.insert(0, rng.choice([f"Namn: {first}", first]))
        header.insert(2, f"E-post: {author['email']}")
    elif family == "anonymous":
        filename = f"{''.join(rng.choice('ABCDEFGHKLMNPQRSTUVWXZ') for _ in range(8))} " \
                   f"{rng.randint(1, 99)} ({klass} ENG 6 ESSAY 2025).txt"
    elif family == "not_on_roster":
        names = {(s["first_name"], s["last_name"]) for s in roster}
        outsider = next(o for o in OUTSIDERS if o not in names)
        header.insert(0, rng.choice(["Namn: ", "Student: ", ""]) + " ".join(outsider))
    elif family in ("nickname", "transliteration", "middle_name", "double_given"):
        if author is None or not _suits(author, family):
            return make_essay(rng, roster, author, "header_sv", essay_id, paragraphs)
        where, line = _author_line(rng, _written_name(rng, roster, author, family), klass)
        if where == "signature":
            signature = ["", line]
        elif where == "first":
            first_line = [line, ""]
        else:
            header.insert(0 if where == "class" else rng.randrange(len(header) + 1), line)
    elif family == "nickname_outsider":
        header.insert(0, rng.choice(["Namn: ", "Student: ", ""]) + _nickname_outsider(rng, roster))
    text = "\n".join(first_line + header + ["", title, "", _body(rng, roster, author, lang,
                                                                   paragraphs)] + signature)
    return {"essay_id": essay_id, "filename": filename, "text": text,
            "expected_student_id": author["student_id"] if author else None,
            "family": family}


def _nickname_outsider(rng: random.Random, roster: list[dict]) -> str:
    """Somebody not on the roster who shares a nickname form with a roster student.

    Either a roster student's nickname with a surname nobody in the class has ("Kalle
    Granqvist" next to Karl Holm), or a nickname of a name nobody in the class has with
    a roster surname ("Lasse Holm" when no Lars Holm is on the roster).
    """
    surnames = {s["last_name"] for s in roster}
    firsts = [s["first_name"].split()[0] for s in roster if s["first_name"].split()[0] in NICKNAMES]
    if firsts and rng.random() < 0.5:
        nick = rng.choice(NICKNAMES[rng.choice(firsts)])
        free = [x for x in OUTSIDER_SURNAMES if x not in surnames]
        return f"{nick} {rng.choice(free)}"
    for _ in range(50):
        formal = rng.choice(sorted(NICKNAMES))
        nick = rng.choice(NICKNAMES[formal])
        last = rng.choice(sorted(surnames))
        same = [s for s in roster if s["last_name"] == last]
        given = {w for s in same for w in s["first_name"].replace("-", " ").split()}
        # nobody with this surname may carry a name the nickname stands for (or the
        # nickname itself): then the essay would really be ambiguous, not an outsider
        stands_for = {f for f, nicks in NICKNAMES.items() if nick in nicks} | {nick}
        if not given & stands_for:
            return f"{nick} {last}"
    return "Kalle Granqvist"


def make_class(rng: random.Random, class_id: str, roster_size: int, n_essays: int,
               paragraphs: int = 4) -> dict:
    """A roster and a batch of essays covering every cue family."""
    roster = make_roster(rng, class_id, roster_size)
    authors = rng.sample(roster, k=min(len(roster), n_essays))
    essays = []
    used: set[str] = set()
    for i in range(n_essays):
        family = FAMILIES[i % len(FAMILIES)]
        fitting = [s for s in roster if _suits(s, family) and s["student_id"] not in used]
        if family in ("anonymous", "not_on_roster", "nickname_outsider"):
            author = None
        elif family in _SPECIAL:
            author = rng.choice(fitting) if fitting else authors[i % len(authors)]
            if not fitting:
                family = "header_sv"
        elif family == "ambiguous_first_only":
            firsts: dict[str, list[dict]] = {}
            for s in roster:
                firsts.setdefault(s["first_name"], []).append(s)
            shared = [group for group in firsts.values() if len(group) > 1]
            author = rng.choice(rng.choice(shared)) if shared else authors[i % len(authors)]
        else:
            author = next((a for a in authors if a["student_id"] not in used),
                          authors[i % len(authors)])
        if author is not None:
            used.add(author["student_id"])
        essays.append(make_essay(rng, roster, author, family, f"{class_id}-e{i + 1:03d}",
                                 paragraphs))
    return {"class_id": class_id, "roster": roster, "essays": essays}


def make_corpus(seed: int, classes: int) -> dict:
    rng = random.Random(seed)
    return {
        "name": f"synthetic matching corpus (seed {seed})",
        "classes": [make_class(rng, f"x{c + 1:02d}", rng.randint(22, 34), rng.randint(24, 30))
                    for c in range(classes)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--classes", type=int, default=12)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    write_corpus(make_corpus(args.seed, args.classes), args.out)
    return 0


def write_corpus(corpus: dict, out: str) -> None:
    """Write a corpus in the format of shared/matching-corpus/ and say what it holds."""
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(corpus, fh, ensure_ascii=False, indent=1)
    n = sum(len(c["essays"]) for c in corpus["classes"])
    print(f"wrote {len(corpus['classes'])} classes, {n} essays to {out}")


if __name__ == "__main__":
    raise SystemExit(main())
