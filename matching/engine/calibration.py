"""Every threshold and weight of the engine, in one place, with the reason for each.

A confidence is the product of two things: how strongly the *place* implies authorship
(a "Namn:" header is written by the author about the author; a name line deep in the
header may be a title) and how well the *name* found there fits the student (exact full
name, one typo, first name only, …). Competition then lowers it: a close second
candidate, or another essay claiming the same student.

"high" means "accept without a teacher looking": only an unambiguous full name (or the
roster e-mail) in an author position reaches it. Everything that needs a human eye —
first name only, surname only, two students one typo apart, a conflict in the batch —
stays below it by construction, not by luck of the corpus.
"""

from __future__ import annotations

# --- status thresholds --------------------------------------------------------------
HIGH_CONFIDENCE = 0.90
"""At/above: status "high" (safe to accept). Exported; the app uses it for bulk-accept."""

REVIEW_MIN = 0.30
"""Below: status "none". Between REVIEW_MIN and HIGH_CONFIDENCE: "review"."""

MARGIN_WINDOW = 0.15
"""A runner-up within this distance of the best candidate lowers the best's confidence
one-for-one: two students one typo apart can never give a "high"."""

# --- where the cue sits (weight of the position) --------------------------------------
EMAIL_EXACT_WEIGHT = 0.99  # roster e-mail: an identifier, not a name
HEADER_LABEL_WEIGHT = 0.98  # "Namn:", "Name:", "Författare:", "By:"
PREFIX_LABEL_WEIGHT = 0.96  # "By Anna Andersson" without a colon
FIRST_LINE_WEIGHT = 0.97  # first non-empty line (exam.net puts the name there)
NAME_LINE_WEIGHT = 0.95  # short line near the top ("Anna Andersson, 9B")
LATE_NAME_LINE_WEIGHT = 0.88  # short line further down the header (could be a title)
NAME_LINE_EARLY_LINES = 5  # "near the top" = among the first 5 non-empty lines
NAME_PHRASE_WEIGHT = 0.93  # "My name is …", "Jag heter …"
SIGNATURE_MARKED_WEIGHT = 0.96  # "/Anna Andersson", "Mvh Anna", "Skriven av …"
SIGNATURE_BARE_WEIGHT = 0.93  # the last line is just a name
FILENAME_WEIGHT = 0.93  # "anna_andersson_essay.docx"
EMAIL_NAME_WEIGHT = 0.90  # a non-roster address whose local part is a name

# --- how well the name fits (strength in [0, 1]) ---------------------------------------
FULL_NAME = 1.0
NOT_FIRST_GIVEN_PENALTY = 0.10  # "Karin von Essen" for the one hyphenated name "Anna-Karin"
LATER_GIVEN_NAME_PENALTY = 0.02  # "Johan Näslund" for roster "Karl Johan Näslund": in Sweden
# any given name may be the one a person goes by (tilltalsnamn)
MISSING_GIVEN_PENALTY = 0.03  # "Maja Wright" for roster "Maja Charlotte Wright"
MISSING_SURNAME_PENALTY = 0.05  # "Sam Höglund" for roster "Sam Höglund Öman"
EDIT_PENALTY = 0.04  # per typo (OSA edit) in a name word
SHORT_WORD_EDIT_PENALTY = 0.05  # per typo in a word of <= 4 letters (riskier)
EXTRA_WORD_PENALTY = 0.05  # per unexplained word next to the name in the text
EXTRA_WORD_PENALTY_FILENAME = 0.01  # filenames carry words like "essay", "final"
MIDDLE_NAME_PENALTY = 0.02  # "Erik Johan Andersson" for roster "Erik Andersson": a second
# given name the roster does not list, not another person
MAX_EXTRA_WORDS_PENALISED = 3
SURNAME_AND_INITIAL = 0.72  # "A. Andersson"
SURNAME_ONLY = 0.45  # "Author: Rodriguez"
SURNAME_INITIAL_BONUS = 0.02  # "Hugo E.": a first name whose surname initial agrees
INITIALS_ONLY = 0.45  # "H.E." in an author position
SPLIT_NAME_PENALTY = 0.02  # first name and surname in two different places
PARTIAL_CUE_FACTOR = 0.3
"""A lone first name or surname in a filename or e-mail address is no author cue by
itself (a file called "Selma.docx" may be about Selma Lagerlöf): it is kept at this
fraction of its worth, below REVIEW_MIN, only to complete a split name."""
SPELLING_RULE_PENALTY = 0.03  # another transliteration by rule (skeleton): less than a typo,
# more than a listed variant
CLASSMATE_SPELLING_STRENGTH = 0.88
"""A full name whose given name or surname is a classmate's name as written, read for
this student by a transliteration rule ("Mohamed Kärrman" for Maxamed Kärrman, with
Mohamed Claesson in the class; "Anna Nilsson" for Anna Nielsen, with Bo Nilsson): a
likely reading, but the word is somebody's real name, so a teacher looks (0.99 × 0.88 <
HIGH_CONFIDENCE); the batch's remaining students can still decide it. A lone first name
or surname read this way is no fit at all."""
ROUGH_PART_STRENGTH = 0.80
"""A given name two edits from the roster's next to the exact, complete surname, or a
surname two edits off next to the exact given names, in an author position ("Sten
Nordin", "Melvin Lundrk" from scans of Sixten Nordin, Melvin Lundmark): the exact part
anchors the student, the other is what a scan left of it — or another person's name, so
a teacher looks: at most review (0.98 × 0.80 < HIGH_CONFIDENCE)."""
GIVEN_ONLY = 0.80  # "// Anna" with nothing else on the line
GIVEN_ONLY_TYPO = 0.30
CONTRADICTED = 0.08  # the name found there is mostly somebody else's

# --- other spellings of a name (tables in given_names.py) -------------------------------
VARIANT_PENALTY = 0.02  # "Muhammad" for "Mohammed": like a folded diacritic, but the
# roster's own spelling still wins a tie (and is "exact")
NICKNAME_PENALTY = 0.03  # "Kalle Andersson" for "Karl Andersson": good, not exact
NICKNAME_GIVEN_ONLY_PENALTY = 0.10  # "// Kalle" alone: weaker than "// Karl" alone
NICKNAME_REVIEW_STRENGTH = 0.88
"""A nickname fit reaches "high" only when it is *decisive*: one nickname (a pet form
such as Kalle, or a short form that is also a name, such as Lisa), the whole surname
spelled exactly, no typo, no other variant, no unexplained word, and no classmate whose
given name is the nickname itself — the class is what tells "Lisa Lund" from another
girl called Lisa. Any other nickname fit is capped at this strength, which stays below
HIGH_CONFIDENCE in every position (0.99 × 0.88 < 0.90). The margin rule still applies on
top: another student the nickname also fits keeps it at review."""

# Second, independent cue for the same student (e.g. filename + signature).
CORROBORATION_FACTOR = 0.5

# --- batch conflicts --------------------------------------------------------------------
CONFLICT_LOSER_FACTOR = 0.7
"""A weaker claim on a student whom a stronger essay already claims is multiplied by
this, and never stays "high": one student usually wrote one essay."""

DUPLICATE_MIN_STRENGTH = 0.90
"""Two essays that both name the same student in full (at most one typo) or by the
roster e-mail look like a student who handed in twice: the second stays at review with a
note saying so (a student is "high" at most once per batch), not as a lost conflict.
Weaker duplicate claims (first name only, …) are demoted as conflicts."""

EXACT_MATCH_ADVANTAGE = 0.10
"""When the best candidate's name is on the roster exactly and completely (or it is the
roster e-mail), a runner-up that only fits through a typo or a missing/extra name part
counts this much less in the margin rule: "Erik Andersson" written in a header is Erik
Andersson, not Erika Andersson with a dropped letter. The same holds, typos and all, when
the best's whole name is what the place says and the runner-up's leaves a word over or
a part out ("Lars Valter Rezai": Lars Valter Rezaei, not Lars Rezaei with a middle name;
``StudentScore.names_more_than``)."""

PRIOR_CONFIDENCE = 0.92
"""A weak author cue (first name only, "Hugo E.", "H. Ekström", "H.E.", surname only)
that fits exactly one student still without an essay, after the confident matches of
the batch, and no other: the batch has ruled out everybody else, so it is "high"."""

PRIOR_MAX_REMAINING_SHARE = 0.5
PRIOR_MAX_REMAINING = 3
"""The remaining students decide weak cues only once at most this share of the roster
(or this many students, for small rosters) is still without an essay: a first name
unique among nearly the whole class is just "unique in class"; unique among the few
still missing, it is the batch's own evidence."""

HIGH_CAP_FOR_REVIEW = HIGH_CONFIDENCE - 0.01
"""Where a rule says "at most review", the confidence is capped here."""
