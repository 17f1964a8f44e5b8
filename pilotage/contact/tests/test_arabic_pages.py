"""The contact-centre pages in Arabic: every reference, code and Latin name that sits in
Arabic text is isolated (``<bdi>``), with the school records' generic checker
(``schooling/tests/test_arabic_pages.py: latin_runs_not_isolated``), each page rendered as
the role that uses it (and the public pages as nobody)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from pilotage.contact.services.kb import article_create, article_status_set
from pilotage.contact.tests.conftest import Contact
from pilotage.contact.tests.factories import make_ticket
from pilotage.schooling.tests.test_arabic_pages import latin_runs_not_isolated

pytestmark = pytest.mark.django_db

SUBJECT = "Récépissé de dépôt en retard"
ARTICLE = "Constituer une association"


@dataclass(frozen=True)
class PageCase:
    id: str
    persona: str  # "" for the public pages
    url: Callable[[Contact, Any], str]


PAGES = [
    PageCase("tickets", "agent", lambda c, t: "/contact/"),
    PageCase("ticket", "agent", lambda c, t: f"/contact/tickets/{t.pk}/"),
    PageCase("routing", "supervisor", lambda c, t: f"/contact/tickets/{t.pk}/routing/"),
    PageCase("board", "supervisor", lambda c, t: "/contact/board/"),
    PageCase("intake", "agent", lambda c, t: f"/contact/intake/?requester={c.assoc_contact.pk}"),
    PageCase("associations", "agent", lambda c, t: "/contact/associations/"),
    PageCase("association", "agent", lambda c, t: f"/contact/associations/{c.assoc_b.pk}/"),
    PageCase("requester", "agent", lambda c, t: f"/contact/requesters/{c.assoc_contact.pk}/"),
    PageCase("kb", "agent", lambda c, t: "/contact/kb/"),
    PageCase("stats", "supervisor", lambda c, t: "/contact/stats/"),
    PageCase("sla", "supervisor", lambda c, t: "/contact/sla/"),
    PageCase("public-kb", "", lambda c, t: "/contact/aide/"),
]


@pytest.mark.parametrize("case", PAGES, ids=[c.id for c in PAGES])
def test_latin_runs_are_isolated_in_arabic(case: PageCase, cc: Contact, client: Client) -> None:
    ticket = make_ticket(
        cc.complaints, cc.personas.province_b, association=cc.assoc_b, subject=SUBJECT
    )
    make_ticket(cc.info, cc.personas.province_a, requester=cc.assoc_contact, subject=SUBJECT)
    article = article_create(
        actor=cc.agent, lang="fr", kind="faq", title=ARTICLE, body="Déposer les statuts."
    )
    article_status_set(actor=cc.supervisor, article=article, status="public")
    if case.persona:
        client.force_login(getattr(cc, case.persona))
    client.cookies["django_language"] = "ar"
    response = client.get(case.url(cc, ticket), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200, case.url(cc, ticket)
    html = response.content.decode()
    assert 'dir="rtl"' in html
    runs = [ticket.reference, SUBJECT, cc.assoc_b.name_fr, "FES-2021-0007", "Youssef El Idrissi"]
    # The check means something only where the page shows some of these runs.
    assert case.id in ("stats", "sla") or any(r in html for r in [*runs, ARTICLE])
    found = latin_runs_not_isolated(html, [*runs, ARTICLE])
    assert not found, "\n".join(f"{f.run!r} in {f.block!r}" for f in found)
