from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cpns.models import Membership

from .models import Cohort
from .services.actions import ACTIONS
from .services.sessions import presets_for


class CohortForm(forms.Form):
    name = forms.CharField(label=_("Nama kelas"), max_length=120)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas peserta (.xlsx atau .csv)"))


class SessionForm(forms.Form):
    name = forms.CharField(label=_("Nama sesi"), max_length=120)
    blueprint = forms.ModelChoiceField(label=_("Kisi-kisi"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("Mulai"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Selesai"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    room = forms.CharField(label=_("Ruang"), max_length=80, required=False)
    cohorts = forms.ModelMultipleChoiceField(
        label=_("Kelas peserta"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    proctors = forms.ModelMultipleChoiceField(
        label=_("Pengawas"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    token_minutes = forms.IntegerField(
        label=_("Token berganti tiap (menit)"), min_value=1, max_value=240, initial=15
    )

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["blueprint"].queryset = presets_for(institution)
        self.fields["cohorts"].queryset = Cohort.objects.filter(institution=institution)
        self.fields["proctors"].queryset = get_user_model().objects.filter(
            memberships__institution=institution,
            memberships__role__in=[Membership.Role.PROCTOR, Membership.Role.ADMIN],
        )


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Token sesi"), max_length=12)


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    minutes = forms.IntegerField(required=False, min_value=1, max_value=240)
    reason = forms.CharField(max_length=500, required=False)
    cohort = forms.UUIDField(required=False)

    def candidate_ids(self) -> list[int]:
        """Which candidates are ticked; the service checks each belongs to the session."""
        ids = []
        for value in self.data.getlist("candidates"):
            try:
                ids.append(int(value))
            except ValueError:
                continue
        return ids
