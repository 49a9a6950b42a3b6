"""Whether a class gets automatic student matching: the kill switch and the rollout flag.

Order of the rules, first that applies wins:

1. ``BOS_STUDENT_MATCHING_ENABLED=false`` (``settings.STUDENT_MATCHING_ENABLED``): nobody;
2. the flag (``MatchingRollout``, one row edited by staff) switched off: nobody;
3. the class is on the deny-list: not this class;
4. the class is on the allow-list: this class;
5. otherwise the class's stable bucket (0–99, a hash of its id) is below the percentage.

No row yet means "on for everyone", the behaviour before the flag existed. A small model
rather than a flag library: django-waffle's percentages are per request (a cookie), and the
rule here must be stable per class, with class allow- and deny-lists.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

from django.conf import settings

from matching.models import MatchingRollout

KILL_SWITCH = "kill_switch"
ROLLOUT = "rollout"


def rollout_bucket(class_id: UUID | str) -> int:
    """The class's place (0–99) in the rollout: the same on every process and every day."""
    digest = hashlib.sha256(str(class_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def rollout_allows(rollout: MatchingRollout, class_id: UUID | str) -> bool:
    if not rollout.enabled:
        return False
    if rollout.denied_classes.filter(pk=class_id).exists():
        return False
    if rollout.allowed_classes.filter(pk=class_id).exists():
        return True
    return rollout_bucket(class_id) < rollout.percentage


def matching_skip_reason(*, class_id: UUID | str) -> str | None:
    """Why this class's batches get no automatic matching now (None: they do)."""
    if not settings.STUDENT_MATCHING_ENABLED:
        return KILL_SWITCH
    rollout = MatchingRollout.objects.filter(pk=MatchingRollout.SINGLETON_ID).first()
    if rollout is None or rollout_allows(rollout, class_id):
        return None
    return ROLLOUT
