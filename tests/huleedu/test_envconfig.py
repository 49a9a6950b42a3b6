"""The operators' variables: the design's names beside the product's, refused when they disagree."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from huleedu import envconfig


def test_the_kill_switch_reads_true_and_false_and_refuses_anything_else():
    name = "BOS_STUDENT_MATCHING_ENABLED"
    assert envconfig.read_bool({}, name, True) is True
    assert envconfig.read_bool({name: "false"}, name, True) is False
    assert envconfig.read_bool({name: "0"}, name, True) is False
    assert envconfig.read_bool({name: "TRUE"}, name, False) is True
    with pytest.raises(ImproperlyConfigured):
        envconfig.read_bool({name: "flase"}, name, True)


def test_the_validation_timeout_under_either_name():
    assert envconfig.validation_timeout_seconds({}) == 86400
    assert envconfig.validation_timeout_seconds({"ELS_ASSOCIATION_TIMEOUT_SECONDS": "3600"}) == 3600
    assert envconfig.validation_timeout_seconds({"HULEEDU_VALIDATION_TIMEOUT_SECONDS": "90"}) == 90
    both = {"ELS_ASSOCIATION_TIMEOUT_SECONDS": "60", "HULEEDU_VALIDATION_TIMEOUT_SECONDS": "60"}
    assert envconfig.validation_timeout_seconds(both) == 60
    for bad in ({"ELS_ASSOCIATION_TIMEOUT_SECONDS": "60", "HULEEDU_VALIDATION_TIMEOUT_SECONDS": "61"},
                {"ELS_ASSOCIATION_TIMEOUT_SECONDS": "a day"}, {"HULEEDU_VALIDATION_TIMEOUT_SECONDS": "0"}):
        with pytest.raises(ImproperlyConfigured):
            envconfig.validation_timeout_seconds(bad)


def test_the_check_interval_in_seconds_becomes_whole_minutes_of_the_schedule():
    assert envconfig.validation_check_interval_minutes({}) == 1
    design, product = "ELS_ASSOCIATION_CHECK_INTERVAL_SECONDS", "HULEEDU_VALIDATION_CHECK_INTERVAL_SECONDS"
    assert envconfig.validation_check_interval_minutes({design: "300"}) == 5
    assert envconfig.validation_check_interval_minutes({product: "90"}) == 2
    assert envconfig.validation_check_interval_minutes({product: "10"}) == 1
    with pytest.raises(ImproperlyConfigured):
        envconfig.validation_check_interval_minutes({"ELS_ASSOCIATION_CHECK_INTERVAL_SECONDS": "-5"})


@pytest.mark.django_db
def test_the_check_interval_reaches_the_schedule(settings):
    from django_q.models import Schedule

    from matching.services import schedules_ensure as validation_schedule_ensure
    from outbox.services import schedules_ensure as relay_schedule_ensure

    settings.VALIDATION_CHECK_INTERVAL_MINUTES = 5
    validation_schedule_ensure()
    relay_schedule_ensure()
    assert Schedule.objects.get(name="validation-timeouts").minutes == 5
    assert Schedule.objects.get(name="outbox-relay").minutes == 1


def test_the_timeout_strategy_and_the_design_auto_confirm_switch():
    assert envconfig.timeout_strategy({}) == "high_only"
    assert envconfig.timeout_strategy({"CLASS_MGMT_TIMEOUT_STRATEGY": "best_match"}) == "best_match"
    assert envconfig.timeout_strategy({"HULEEDU_TIMEOUT_STRATEGY": "none"}) == "none"
    assert envconfig.timeout_strategy({"CLASS_MGMT_AUTO_CONFIRM_TIMEOUT": "false"}) == "none"
    assert envconfig.timeout_strategy({"CLASS_MGMT_AUTO_CONFIRM_TIMEOUT": "true",
                                       "CLASS_MGMT_TIMEOUT_STRATEGY": "best_match"}) == "best_match"
    for bad in ({"CLASS_MGMT_TIMEOUT_STRATEGY": "sometimes"},
                {"CLASS_MGMT_TIMEOUT_STRATEGY": "best_match", "HULEEDU_TIMEOUT_STRATEGY": "high_only"},
                {"CLASS_MGMT_AUTO_CONFIRM_TIMEOUT": "false", "CLASS_MGMT_TIMEOUT_STRATEGY": "best_match"}):
        with pytest.raises(ImproperlyConfigured):
            envconfig.timeout_strategy(bad)


def test_thresholds_are_numbers_between_0_and_1():
    for name in ("NLP_EXTRACTION_CONFIDENCE_THRESHOLD", "NLP_MATCH_NAME_FUZZY_THRESHOLD",
                 "NLP_MATCH_EMAIL_FUZZY_THRESHOLD"):
        assert envconfig.unit_threshold({}, name, None) is None
        assert envconfig.unit_threshold({name: "0.7"}, name, None) == 0.7
        for bad in ("1.5", "-0.1", "high"):
            with pytest.raises(ImproperlyConfigured):
                envconfig.unit_threshold({name: bad}, name, None)


@pytest.mark.django_db
def test_the_extraction_threshold_drops_suggestions_below_it(validating, settings):
    """NLP_EXTRACTION_CONFIDENCE_THRESHOLD raises the floor under the suggestions kept."""
    from matching.models import MatchSuggestion, StudentAssociation

    essays = [("given-only.txt", "Min sommar\n\nJag åkte till havet.\n\n// Åsa"),
              ("full.txt", "Namn: Erik Andersson\n\nText.")]
    plain = validating(essays)
    low = MatchSuggestion.objects.filter(essay__batch=plain, confidence__lt=0.85)
    assert low.exists()  # the engine keeps suggestions below high for the teacher to review
    settings.MATCH_MIN_SUGGESTION_CONFIDENCE = 0.85
    floored = validating(essays)
    assert not MatchSuggestion.objects.filter(essay__batch=floored, confidence__lt=0.85).exists()
    assert MatchSuggestion.objects.filter(essay__batch=floored, essay__original_filename="full.txt",
                                          confidence__gte=0.85).exists()
    given_only = StudentAssociation.objects.get(batch=floored, essay__original_filename="given-only.txt")
    assert given_only.match_level == "none"


@pytest.mark.slow
def test_settings_read_the_design_variables_from_the_environment():
    """The wiring itself, in a fresh process: settings take what the environment says."""
    import json
    import os
    import subprocess
    import sys

    probe = ("import json, django; django.setup(); from django.conf import settings as s; print(json.dumps(["
             "s.STUDENT_MATCHING_ENABLED, s.VALIDATION_TIMEOUT_SECONDS, s.VALIDATION_CHECK_INTERVAL_MINUTES, "
             "s.TIMEOUT_STRATEGY, s.MATCH_MIN_SUGGESTION_CONFIDENCE, s.MATCH_NAME_FUZZY_THRESHOLD, "
             "s.MATCH_EMAIL_FUZZY_THRESHOLD]))")
    design = {"BOS_STUDENT_MATCHING_ENABLED": "false", "ELS_ASSOCIATION_TIMEOUT_SECONDS": "7200",
              "ELS_ASSOCIATION_CHECK_INTERVAL_SECONDS": "300", "CLASS_MGMT_TIMEOUT_STRATEGY": "best_match",
              "CLASS_MGMT_AUTO_CONFIRM_TIMEOUT": "true", "NLP_EXTRACTION_CONFIDENCE_THRESHOLD": "0.4",
              "NLP_MATCH_NAME_FUZZY_THRESHOLD": "0.7", "NLP_MATCH_EMAIL_FUZZY_THRESHOLD": "0.9"}
    theirs = ("BOS_", "ELS_", "CLASS_MGMT_", "NLP_", "HULEEDU_TIMEOUT", "HULEEDU_VALIDATION")
    ours = {k: v for k, v in os.environ.items() if not k.startswith(theirs)}

    def settings_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                              env={**ours, "DJANGO_SETTINGS_MODULE": "huleedu.settings", **env})

    done = settings_with(design)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, 7200, 5, "best_match", 0.4, 0.7, 0.9]
    defaults = settings_with({})
    default_values = [True, 86400, 1, "high_only", None, None, None]
    assert json.loads(defaults.stdout.strip().splitlines()[-1]) == default_values
    refused = settings_with({"BOS_STUDENT_MATCHING_ENABLED": "maybe"})
    assert refused.returncode != 0 and "BOS_STUDENT_MATCHING_ENABLED" in refused.stderr
