"""Forms of the routing pages: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models import AssignmentMode, Queue
from pilotage.contact.services.routing import user_label


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)


class AgentMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)


class AssignForm(forms.Form):
    assignee = AgentChoiceField(
        label=_("Agent"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Personne (à prendre)"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, queue: Queue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = queue.members.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "last_name", "first_name", "username"
        )


class TransferForm(forms.Form):
    queue = forms.ModelChoiceField(label=_("Vers la file"), queryset=Queue.objects.none())
    note = forms.CharField(label=_("Motif du transfert"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, current: Queue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = Queue.objects.filter(is_active=True).exclude(pk=current.pk)  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    assignee = AgentChoiceField(label=_("Attribuer à"), queryset=get_user_model().objects.none())

    def __init__(self, *args: Any, agents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents  # type: ignore[attr-defined]


class AvailabilityForm(forms.Form):
    available = forms.BooleanField(required=False)
    note = forms.CharField(label=_("Motif"), max_length=200, required=False)


class QueueForm(forms.Form):
    assignment = forms.ChoiceField(label=_("Attribution"), choices=AssignmentMode.choices)
    members = AgentMultipleChoiceField(
        label=_("Agents"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, agents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = agents  # type: ignore[attr-defined]
