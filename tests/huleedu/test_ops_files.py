"""The Grafana dashboard and the Prometheus alerts only use metrics the application exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import huleedu.metrics  # noqa: F401 - defines the metrics on the registry

OPS = Path(__file__).resolve().parents[2] / "ops"
SCRAPE_TIME_GAUGES = {
    "huleedu_task_queue_length", "huleedu_outbox_undelivered_events",
    "huleedu_outbox_oldest_undelivered_age_seconds", "huleedu_batches_overdue_validation",
    "huleedu_matching_engine_compiled",
}


def exposed_series_names() -> set[str]:
    series_suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    names = set(SCRAPE_TIME_GAUGES)
    for family in REGISTRY.collect():
        if family.name.startswith(("huleedu_", "nlp_")):
            names.update(family.name + suffix for suffix in series_suffixes.get(family.type, ("",)))
    return names


def referenced(text: str) -> set[str]:
    return set(re.findall(r"\b(?:huleedu|nlp)_[a-z0-9_]+\b", text))


def test_dashboard_queries_use_exposed_metrics():
    dashboard = json.loads((OPS / "grafana-dashboard.json").read_text())
    exprs = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", []))
    used = referenced(exprs)
    assert used and used <= exposed_series_names(), used - exposed_series_names()


def test_alert_rules_use_exposed_metrics():
    rules = yaml.safe_load((OPS / "prometheus-alerts.yml").read_text())
    exprs = " ".join(rule["expr"] for group in rules["groups"] for rule in group["rules"])
    used = referenced(exprs)
    assert used and used <= exposed_series_names(), used - exposed_series_names()
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    for required in ("HuleEduTimeoutRateHigh", "HuleEduMedianConfidenceDrop", "HuleEduServerErrorRate",
                     "HuleEduTaskQueueBacklog", "HuleEduDecisionLatencyHigh", "HuleEduRosterNotFound",
                     "StudentMatchingTimeout", "LowMatchConfidence"):
        assert required in alerts


def test_the_design_alerts_are_there_as_the_design_states_them():
    text = (OPS / "prometheus-alerts.yml").read_text()
    rules = {rule["alert"]: rule for group in yaml.safe_load(text)["groups"] for rule in group["rules"]}
    timeout = rules["StudentMatchingTimeout"]
    assert timeout["expr"].strip() == (
        'rate(nlp_phase1_associations_confirmed_total{validation_method="timeout"}[5m]) > 0.1')
    assert timeout["for"] == "5m"
    confidence = rules["LowMatchConfidence"]
    assert confidence["for"] == "10m"
    # The design's text, quoted beside the rule; the rule reads the same median from the buckets.
    assert "histogram_quantile(0.5, nlp_match_confidence_score) < 0.7" in text
    assert confidence["expr"].startswith("histogram_quantile(0.5, ")
    assert "nlp_match_confidence_score_bucket" in confidence["expr"]
    assert confidence["expr"].strip().endswith("< 0.7")


def test_every_alert_has_a_runbook_entry():
    guide = (OPS.parent / "docs" / "operations.md").read_text()
    rules = yaml.safe_load((OPS / "prometheus-alerts.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert f"`{rule['alert']}`" in guide, rule["alert"]
