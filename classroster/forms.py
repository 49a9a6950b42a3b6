from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ClassCreateForm(forms.Form):
    name = forms.CharField(label=_("Class name"), max_length=120)


class StudentAddForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("first_name", "").strip() and not data.get("last_name", "").strip():
            raise forms.ValidationError(_("A student needs a first or a last name."))
        return data
