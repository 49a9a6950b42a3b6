"""Teacher accounts, and the demo teacher the embedded default starts with."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from classroster.models import SchoolClass, Student


def teacher_create_or_update(
    *, username: str, password: str, staff: bool = False
) -> tuple[AbstractBaseUser, bool]:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    if staff:
        user.is_staff = True
        user.is_superuser = True
    user.save()
    return user, created


DEMO_ROSTER = [
    ("Anna-Karin", "von Essen", "annakarin.vonessen@elev.example.se"),
    ("Åsa", "Sjöström", "asa.sjostrom@elev.example.se"),
    ("Erik", "Andersson", "erik.andersson@elev.example.se"),
    ("Erik", "Andersén", "erik.andersen@elev.example.se"),
    ("Elsa", "Lindqvist", "elsa.lindqvist@elev.example.se"),
    ("Mohammed", "Ali", "mohammed.ali@elev.example.se"),
    ("Karl Johan", "Öberg", "karljohan.oberg@elev.example.se"),
    ("Linnéa", "Ekström", "linnea.ekstrom@elev.example.se"),
    ("Nguyen", "Thi Lan", "nguyen.thilan@elev.example.se"),
    ("Oskar", "Johansson", "oskar.johansson@elev.example.se"),
    ("Maja", "Johanson", "maja.johanson@elev.example.se"),
    ("Sofia", "de la Cruz", "sofia.delacruz@elev.example.se"),
]


def demo_seed() -> SchoolClass:
    """The demo teacher 'demo'/'demo' with class 9B and its roster; safe to run again, and
    a password the teacher has changed since is kept."""
    teacher, created = get_user_model().objects.get_or_create(username="demo")
    if created:
        teacher.set_password("demo")
        teacher.save(update_fields=["password"])
    school_class, _ = SchoolClass.objects.get_or_create(owner=teacher, name="9B")
    for first, last, email in DEMO_ROSTER:
        if not school_class.students.filter(email=email).exists():
            Student.objects.create(school_class=school_class, first_name=first, last_name=last, email=email)
    return school_class
