from __future__ import annotations

from rest_framework import serializers


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
