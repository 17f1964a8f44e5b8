"""Form helpers every app's views share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def form_errors_add(form: BaseForm, exc: ValidationError) -> None:
    """Put a service's refusal on the form: each field's messages under that field when the
    form has it, the rest at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
