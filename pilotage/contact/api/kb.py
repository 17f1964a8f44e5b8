"""The knowledge base in the API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

router = Router(tags=["kb"])

__all__ = ["HttpRequest", "router"]
