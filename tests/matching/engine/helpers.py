"""Small builders shared by the engine tests."""

from __future__ import annotations

from matching.engine import EssayInput, EssayMatch, RosterStudent, match_batch

ROSTER = [
    RosterStudent("s1", "Anna", "Andersson", "anna.andersson@skola.se"),
    RosterStudent("s2", "Erik", "Johansson", "erik.johansson@skola.se"),
    RosterStudent("s3", "Åsa", "Sjöström", "asa.sjostrom@skola.se"),
    RosterStudent("s4", "Anna-Karin", "von Essen", "annakarin.vonessen@skola.se"),
    RosterStudent("s5", "Karl Johan", "Näslund", None),
    RosterStudent("s6", "Erik", "Lindqvist", "ab12cd@edu.stad.se"),
    RosterStudent("s7", "Christina", "Eriksson", None),
    RosterStudent("s8", "Maria", "de la Cruz", None),
]

BODY = (
    "\n\nMin åsikt om skolan\n\nJag och Erik pratade om Greta Thunberg. "
    "Det är en lång text om klimatet som fortsätter.\n\nSlutligen tycker jag så.\n"
)


def match_one(text: str, filename: str | None = None,
              roster: list[RosterStudent] | None = None) -> EssayMatch:
    """Match a single essay against the test roster (or a given one)."""
    return match_batch([EssayInput("e1", text, filename)], roster or ROSTER)[0]
