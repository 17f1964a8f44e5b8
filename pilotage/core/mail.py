"""What every app's e-mails share."""

from __future__ import annotations

from django.conf import settings


def base_url() -> str:
    """Where the links in the e-mail point: ``PILOTAGE_BASE_URL``, else the first of
    ``CSRF_TRUSTED_ORIGINS`` (the site's public address), else paths only."""
    configured = getattr(settings, "PILOTAGE_BASE_URL", "") or next(
        iter(getattr(settings, "CSRF_TRUSTED_ORIGINS", []) or []), ""
    )
    return str(configured).rstrip("/")
