from __future__ import annotations

from rest_framework import serializers


class SuggestionOutputSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    student_id = serializers.UUIDField()
    student_name = serializers.CharField(source="student.full_name")
    confidence = serializers.FloatField()
    level = serializers.CharField()
    status = serializers.CharField()
    reasons = serializers.JSONField()
    evidence = serializers.JSONField()


class AssociationOutputSerializer(serializers.Serializer):
    essay_id = serializers.UUIDField()
    match_level = serializers.CharField()
    match_confidence = serializers.FloatField()
    decided = serializers.BooleanField(source="is_decided")
    student_id = serializers.UUIDField(allow_null=True)
    student_name = serializers.CharField(source="student.full_name", allow_null=True, default=None)
    method = serializers.CharField(allow_blank=True)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    needs_attention = serializers.BooleanField()
    version = serializers.IntegerField(help_text="0 while undecided, +1 on each change")
    allow_second_essay = serializers.BooleanField()


class EssayOutputSerializer(serializers.Serializer):
    essay_id = serializers.UUIDField(source="id")
    batch_id = serializers.UUIDField()
    filename = serializers.CharField(source="original_filename")
    file_format = serializers.CharField()
    size_bytes = serializers.IntegerField()
    status = serializers.CharField()
    failure_code = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(source="failure_reason", allow_blank=True)
    text_preview = serializers.CharField()  # annotated by matching.selectors.batch_essays
    student_id = serializers.UUIDField(allow_null=True)
    suggestions = SuggestionOutputSerializer(many=True)
    association = AssociationOutputSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class DecisionInputSerializer(serializers.Serializer):
    student_id = serializers.UUIDField(allow_null=True, required=True)
    expected_version = serializers.IntegerField(
        required=False, min_value=0, help_text="change a decision whose version is still this one")
    allow_second_essay = serializers.BooleanField(
        required=False, default=False, help_text="the student may also have another essay of the batch")


class WithdrawInputSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        min_value=1, help_text="the version of the decision being withdrawn")


class BulkDecisionItemSerializer(serializers.Serializer):
    essay_id = serializers.UUIDField()
    student_id = serializers.UUIDField(allow_null=True, required=True)
    allow_second_essay = serializers.BooleanField(required=False, default=False)


class BulkConfirmInputSerializer(serializers.Serializer):
    accept = serializers.ChoiceField(choices=["high_confidence"], required=False)
    decisions = BulkDecisionItemSerializer(many=True, required=False, max_length=1000)

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("accept") and not attrs.get("decisions"):
            raise serializers.ValidationError(
                'Send {"accept": "high_confidence"} and/or {"decisions": [{"essay_id", "student_id"}]}.'
            )
        essay_ids = [d["essay_id"] for d in attrs.get("decisions", [])]
        if len(essay_ids) != len(set(essay_ids)):
            raise serializers.ValidationError("Each essay may appear only once in 'decisions'.")
        return attrs


class SkippedEssaySerializer(serializers.Serializer):
    essay_id = serializers.UUIDField()
    student_id = serializers.UUIDField()
    reason = serializers.CharField()
    other_essay_id = serializers.UUIDField()


class BulkConfirmOutputSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    remaining = serializers.IntegerField()
    skipped = SkippedEssaySerializer(many=True)
    batch_status = serializers.CharField()


class PendingEssayOutputSerializer(serializers.Serializer):
    essay_id = serializers.UUIDField(source="id")
    batch_id = serializers.UUIDField()
    filename = serializers.CharField(source="original_filename")
    validation_deadline = serializers.DateTimeField(source="batch.validation_deadline")
    association = AssociationOutputSerializer()
    suggestions = SuggestionOutputSerializer(many=True)
