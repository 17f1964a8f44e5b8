"""The contact centre in the API: ``/api/v1/contact/…`` (tickets, associations, the
telephony webhook) and ``/api/v1/kb/…`` (the knowledge base), with the same reach as the
pages (``permissions.py``). Each part keeps its operations in its module here."""

from __future__ import annotations

from ninja import Router

from pilotage.contact.api import associations, calls, kb, tickets

router = Router(tags=["contact"])
router.add_router("/", tickets.router)
router.add_router("/", associations.router)
router.add_router("/", calls.router)

kb_router = Router(tags=["kb"])
kb_router.add_router("/", kb.router)
