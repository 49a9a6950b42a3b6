from django.apps import AppConfig


class HuleEduConfig(AppConfig):
    name = "huleedu"
    verbose_name = "HuleEdu"
