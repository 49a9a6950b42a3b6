"""Each normalisation rule with a real example."""

from __future__ import annotations

from matching.engine.normalize import (
    collapse_whitespace,
    fold,
    name_words,
    spelling_variants,
    split_camel_case,
    tokens,
)


def test_fold_lowercases_and_strips_swedish_diacritics() -> None:
    assert fold("ÅSA SJÖSTRÖM") == "asa sjostrom"
    assert fold("Linnéa") == "linnea"


def test_fold_handles_letters_that_do_not_decompose() -> None:
    assert fold("Gieß") == "giess"
    assert fold("Søren Ærø") == "soren aero"
    assert fold("Łukasz Dražen") == "lukasz drazen"


def test_fold_is_identity_on_lowercase_ascii() -> None:
    assert fold("anna") == "anna"


def test_spelling_variants_include_transliterations() -> None:
    assert spelling_variants("Näslund") >= {"naslund", "naeslund"}
    assert spelling_variants("Åkesson") >= {"akesson", "aakesson"}
    assert spelling_variants("Öberg") >= {"oberg", "oeberg"}
    assert spelling_variants("Yüksel") >= {"yuksel", "yueksel"}
    assert spelling_variants("André") == {"andre"}


def test_spelling_variants_include_the_digraphs_of_south_slavic_and_turkish_names() -> None:
    assert spelling_variants("Šehić") >= {"sehic", "shehic"}
    assert spelling_variants("Đorđe") >= {"dorde", "djordje"}
    assert spelling_variants("Žaklina") >= {"zaklina", "zhaklina"}
    assert spelling_variants("Şahin") >= {"sahin", "shahin"}
    assert spelling_variants("Çelik") >= {"celik", "chelik"}


def test_spelling_variants_are_capped() -> None:
    assert len(spelling_variants("ÅäöÅäöÅäöÅäö")) <= 16


def test_tokens_split_on_hyphens_and_keep_offsets() -> None:
    line = "Namn: Anna-Karin  von Essen"
    toks = tokens(line)
    assert [t for t, _, _ in toks] == ["namn", "anna", "karin", "von", "essen"]
    _, start, end = toks[1]
    assert line[start:end] == "Anna"


def test_tokens_treat_underscore_as_separator() -> None:
    assert [t for t, _, _ in tokens("anna_andersson_essay")] == ["anna", "andersson", "essay"]


def test_name_words_split_double_barrelled_and_particles() -> None:
    assert name_words("Anna-Karin") == ["Anna", "Karin"]
    assert name_words("de la Cruz") == ["de", "la", "Cruz"]


def test_split_camel_case() -> None:
    assert split_camel_case("AnnaAndersson") == "Anna Andersson"
    assert split_camel_case("ÅsaSjöström") == "Åsa Sjöström"
    assert split_camel_case("SA24D") == "SA24D"


def test_collapse_whitespace() -> None:
    assert collapse_whitespace(" Anna\t\tAndersson \n") == "Anna Andersson"
