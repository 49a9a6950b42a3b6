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
    text_preview = serializers.CharField()  # annotated by essays.selectors.batch_essays
    student_id = serializers.UUIDField(allow_null=True)
    suggestions = SuggestionOutputSerializer(many=True)
    association = AssociationOutputSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class UploadResultSerializer(serializers.Serializer):
    filename = serializers.CharField()
    essay_id = serializers.UUIDField(allow_null=True)
    status = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    duplicate_of = serializers.UUIDField(allow_null=True, required=False, default=None)
    late = serializers.BooleanField(required=False, default=False)


class UploadOutputSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField()
    results = UploadResultSerializer(many=True)
    replayed = serializers.BooleanField()
    batch_status = serializers.CharField()
    expected_essay_count = serializers.IntegerField()


class UploadInputSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField())
