from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from classroster.selectors import classes_visible_to


class BatchCreateForm(forms.Form):
    course_code = forms.CharField(label=_("Course code"), max_length=64)
    expected_essay_count = forms.IntegerField(label=_("Number of essays"), min_value=1)
    school_class = forms.ModelChoiceField(
        label=_("Class"), queryset=None, required=False, empty_label=_("No class (guest batch)")
    )
    essay_instructions = forms.CharField(
        label=_("Instructions (optional)"), required=False, max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes_visible_to(user)
        self.fields["expected_essay_count"].max_value = settings.MAX_ESSAYS_PER_BATCH
        self.fields["expected_essay_count"].widget.attrs["max"] = settings.MAX_ESSAYS_PER_BATCH
