"""The events the product records, named as DESIGN.md pins them.

One enumeration for the handlers, the database constraints and every caller: a misspelt
event type is an ``AttributeError`` where it is written, not an event nobody handles.
"""

from django.db import models


class EventType(models.TextChoices):
    # Phase 1 flow (DESIGN.md "Events")
    BATCH_ESSAYS_REGISTERED = "batch.essays.registered"
    ESSAY_CONTENT_PROVISIONED = "essay.content.provisioned"
    ESSAY_VALIDATION_FAILED = "essay.validation.failed"
    BATCH_CONTENT_PROVISIONING_COMPLETED = "batch.content.provisioning.completed"
    BATCH_STUDENT_MATCHING_INITIATE_COMMAND = "batch.student.matching.initiate.command"
    BATCH_STUDENT_MATCHING_REQUESTED = "batch.student.matching.requested"
    BATCH_AUTHOR_MATCHES_SUGGESTED = "batch.author.matches.suggested"
    ESSAY_STUDENT_ASSOCIATION_DECIDED = "essay.student.association.decided"
    STUDENT_ASSOCIATIONS_CONFIRMED = "student.associations.confirmed"
    BATCH_ESSAYS_READY = "batch.essays.ready"
    CLIENT_BATCH_PIPELINE_REQUEST = "client.batch.pipeline.request"
    # Fixing mistakes (DESIGN.md "Fixing mistakes")
    STUDENT_ASSOCIATION_CORRECTED = "student.association.corrected"
    # The teacher's undo of a first decision: the essay is undecided again (versioned).
    STUDENT_ASSOCIATION_WITHDRAWN = "student.association.withdrawn"
    ESSAY_ADDED_LATE = "essay.added.late"
    ESSAY_REMOVED = "essay.removed"
    BATCH_STUDENT_REMATCH_REQUESTED = "batch.student.rematch.requested"
    BATCH_VALIDATION_REOPENED = "batch.validation.reopened"
    BATCH_VALIDATION_DEADLINE_MOVED = "batch.validation.deadline.moved"
    BATCH_VALIDATION_TIMED_OUT = "batch.validation.timed_out"
    BATCH_VALIDATION_OVERDUE = "batch.validation.overdue"
    BATCH_CANCELLED = "batch.cancelled"


# At most once per batch, and once per pass through validation: the database is the last line of
# defence for "exactly once", behind the row lock and the state check in the services.
ONCE_PER_BATCH = (
    EventType.BATCH_ESSAYS_REGISTERED,
    EventType.BATCH_CONTENT_PROVISIONING_COMPLETED,
    EventType.CLIENT_BATCH_PIPELINE_REQUEST,
)
ONCE_PER_PASS = (EventType.STUDENT_ASSOCIATIONS_CONFIRMED, EventType.BATCH_ESSAYS_READY)
