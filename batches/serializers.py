from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from batches.models import Batch, TimeoutStrategy


class BatchInputSerializer(serializers.Serializer):
    course_code = serializers.CharField(max_length=64)
    # Range is checked by the service, whose message tells the teacher to split the batch.
    expected_essay_count = serializers.IntegerField()
    class_id = serializers.UUIDField(required=False, allow_null=True)
    essay_instructions = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    timeout_strategy = serializers.ChoiceField(choices=TimeoutStrategy.choices, required=False)
    auto_confirm_high = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Confirm high-confidence matches as soon as they are found (method auto); "
                  "unset: the class's own choice.")


class BatchUpdateInputSerializer(serializers.Serializer):
    validation_deadline = serializers.DateTimeField(
        help_text="ISO 8601, later than now, at most 14 days ahead")


class BatchOutputSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField(source="id")
    status = serializers.CharField()
    batch_type = serializers.CharField()
    course_code = serializers.CharField()
    class_id = serializers.UUIDField(source="school_class_id", allow_null=True)
    class_name = serializers.CharField(source="school_class.name", allow_null=True, default=None)
    expected_essay_count = serializers.IntegerField()
    essay_instructions = serializers.CharField()
    correlation_id = serializers.CharField()
    counts = serializers.SerializerMethodField()
    processing_summary = serializers.JSONField(allow_null=True)
    validation_deadline = serializers.DateTimeField(allow_null=True)
    validation_overdue = serializers.SerializerMethodField()
    validation_pass = serializers.IntegerField()
    timeout_strategy = serializers.SerializerMethodField()
    matching_failed = serializers.BooleanField()
    auto_confirm_high = serializers.BooleanField(source="auto_confirms_high")
    pipeline = serializers.JSONField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    content_provisioned_at = serializers.DateTimeField(allow_null=True)
    suggestions_ready_at = serializers.DateTimeField(allow_null=True)
    associations_confirmed_at = serializers.DateTimeField(allow_null=True)
    ready_at = serializers.DateTimeField(allow_null=True)
    pipeline_requested_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def get_validation_overdue(self, batch: Batch) -> bool:
        return batch.validation_overdue_at is not None

    def get_timeout_strategy(self, batch: Batch) -> str:
        return batch.timeout_strategy or settings.TIMEOUT_STRATEGY

    def get_counts(self, batch: Batch) -> dict[str, int]:
        """Read from the annotations of ``batches.selectors.batches_with_counts``."""
        return {
            "expected": batch.expected_essay_count,
            "uploaded": batch.essay_count,
            "provisioned": batch.essay_count - batch.failed_count,
            "failed": batch.failed_count,
            "to_decide": batch.association_count,
            "decided": batch.decided_count,
        }


class BatchEventOutputSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    event_id = serializers.UUIDField()
    event_type = serializers.CharField()
    batch_id = serializers.UUIDField()
    correlation_id = serializers.CharField()
    payload = serializers.JSONField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class PipelineInputSerializer(serializers.Serializer):
    pipeline = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=20
    )
