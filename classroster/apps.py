from django.apps import AppConfig


class ClassRosterConfig(AppConfig):
    name = "classroster"
    verbose_name = "Classes and rosters"
