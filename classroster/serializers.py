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
    external_id = serializers.CharField(allow_null=True)
    external_source = serializers.CharField(allow_blank=True)
    left_at = serializers.DateTimeField(allow_null=True)


class ClassInputSerializer(serializers.Serializer):
    name = NameField(max_length=120)
    students = StudentInputSerializer(many=True, required=False, max_length=500)


class ClassPatchSerializer(serializers.Serializer):
    name = NameField(max_length=120)


class ClassOutputSerializer(serializers.Serializer):
    class_id = serializers.UUIDField(source="id")
    name = serializers.CharField()
    external_source = serializers.CharField(allow_blank=True)
    external_id = serializers.CharField(allow_blank=True)
    synced_at = serializers.DateTimeField(allow_null=True)
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
    updated = serializers.IntegerField(help_text="Students of the roster whose row changed them.")
    unchanged = serializers.IntegerField(help_text="Rows already on the roster as they are.")
    skipped_duplicates = serializers.IntegerField(help_text="The same as unchanged (kept for older clients).")
    errors = serializers.ListField(child=serializers.DictField())
    students = StudentOutputSerializer(many=True)


class RosterSyncOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    left = serializers.IntegerField()
    returned = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.DictField())


class ClassImportOutputSerializer(serializers.Serializer):
    school_class = ClassDetailOutputSerializer()
    sync = RosterSyncOutputSerializer()
    errors = serializers.ListField(child=serializers.DictField(), required=False)


class Ss12000ConnectionOutputSerializer(serializers.Serializer):
    connection_id = serializers.UUIDField(source="id")
    name = serializers.CharField()


class Ss12000GroupOutputSerializer(serializers.Serializer):
    group_id = serializers.CharField()
    name = serializers.CharField()
    group_type = serializers.CharField()
    member_count = serializers.IntegerField()


class Ss12000ImportInputSerializer(serializers.Serializer):
    name = NameField(max_length=120, required=False, allow_blank=True)


class OneRosterUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class OneRosterImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    class_sourced_id = serializers.CharField(max_length=200)
    class_id = serializers.UUIDField(required=False)
    name = NameField(max_length=120, required=False, allow_blank=True)


class OneRosterClassOutputSerializer(serializers.Serializer):
    sourced_id = serializers.CharField()
    title = serializers.CharField()
    school = serializers.CharField()
    student_count = serializers.IntegerField()


class OneRosterClassesOutputSerializer(serializers.Serializer):
    classes = OneRosterClassOutputSerializer(many=True)
    errors = serializers.ListField(child=serializers.DictField())


class ExamCodeOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    line = serializers.IntegerField()
    student_id = serializers.UUIDField(allow_null=True)
    on_roster = serializers.SerializerMethodField()

    def get_on_roster(self, obj: object) -> bool:
        return obj.student_id is not None  # type: ignore[attr-defined]


class ExamCodeListOutputSerializer(serializers.Serializer):
    codes = ExamCodeOutputSerializer(many=True)
    not_on_roster = serializers.ListField(child=serializers.DictField())
    errors = serializers.ListField(child=serializers.DictField())
