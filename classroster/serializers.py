from __future__ import annotations

from rest_framework import serializers

from huleedu.fields import NameField


class StudentInputSerializer(serializers.Serializer):
    first_name = NameField(max_length=100, allow_blank=True, trim_whitespace=True)
    last_name = NameField(max_length=100, allow_blank=True, trim_whitespace=True)
    email = serializers.EmailField(max_length=254, required=False, allow_null=True, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("first_name") and not attrs.get("last_name"):
            raise serializers.ValidationError("A student needs a first or a last name.")
        return attrs


class StudentPatchSerializer(StudentInputSerializer):
    first_name = NameField(max_length=100, allow_blank=True, required=False)
    last_name = NameField(max_length=100, allow_blank=True, required=False)

    def validate(self, attrs: dict) -> dict:
        return attrs


class StudentOutputSerializer(serializers.Serializer):
    student_id = serializers.UUIDField(source="id")
    class_id = serializers.UUIDField(source="school_class_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    full_name = serializers.CharField()


class ClassInputSerializer(serializers.Serializer):
    name = NameField(max_length=120)
    students = StudentInputSerializer(many=True, required=False, max_length=500)


class ClassPatchSerializer(serializers.Serializer):
    name = NameField(max_length=120)


class ClassOutputSerializer(serializers.Serializer):
    class_id = serializers.UUIDField(source="id")
    name = serializers.CharField()
    student_count = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_student_count(self, obj: object) -> int:
        count = getattr(obj, "student_count", None)
        return count if count is not None else obj.students.count()  # type: ignore[attr-defined]


class ClassDetailOutputSerializer(ClassOutputSerializer):
    students = StudentOutputSerializer(many=True)


class RosterImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class RosterImportOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    skipped_duplicates = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    students = StudentOutputSerializer(many=True)
