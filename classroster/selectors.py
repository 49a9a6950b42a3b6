from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet

from classroster.models import ExamCode, SchoolClass, Student
from huleedu.errors import NotFound
from huleedu.ids import parse_id


def classes_visible_to(user: AbstractBaseUser) -> QuerySet[SchoolClass]:
    classes = SchoolClass.objects.annotate(student_count=Count("students"))
    return classes if user.is_staff else classes.filter(owner=user)


def class_get_for_user(user: AbstractBaseUser, class_id: object) -> SchoolClass:
    """The class, if this user may see it; another teacher's class is simply not found."""
    pk = parse_id(class_id, what="class")
    school_class = classes_visible_to(user).filter(pk=pk).first()
    if school_class is None:
        raise NotFound(f"No class with id '{pk}'.", code="class_not_found")
    return school_class


def class_students(school_class: SchoolClass) -> QuerySet[Student]:
    return school_class.students.all()


def student_get_in_class(school_class: SchoolClass, student_id: object) -> Student:
    pk = parse_id(student_id, what="student")
    student = school_class.students.filter(pk=pk).first()
    if student is None:
        raise NotFound(f"No student with id '{pk}' in this class.", code="student_not_found")
    return student


def exam_codes_of(batch: object) -> QuerySet[ExamCode]:
    return ExamCode.objects.filter(batch=batch).order_by("line")
