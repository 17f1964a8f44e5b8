"""The cooperation pages in Arabic: every code and Latin name that sits in Arabic text is
isolated (``<bdi>``), with the school records' generic checker
(``schooling/tests/test_arabic_pages.py: latin_runs_not_isolated``), each page rendered as
the role that uses it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from pilotage.cooperation.tests.conftest import Coop
from pilotage.schooling.tests.test_arabic_pages import latin_runs_not_isolated

pytestmark = pytest.mark.django_db

# Latin runs of the coop fixture that Arabic pages show.
RUNS = ["imagine", "imagine-sn", "imagine-ml", "ImaginEcole", "UNESCO", "XM-DAC-41304", "EUR"]


@dataclass(frozen=True)
class PageCase:
    id: str
    persona: str
    url: Callable[[Coop], str]


PAGES = [
    PageCase("programmes", "manager", lambda c: "/cooperation/"),
    PageCase("programme", "manager", lambda c: f"/cooperation/programmes/{c.imagine.pk}/"),
    PageCase("project", "coordinator_sn", lambda c: f"/cooperation/projects/{c.project_sn.pk}/"),
    PageCase("team", "manager", lambda c: f"/cooperation/programmes/{c.imagine.pk}/team/"),
    PageCase("reports", "manager", lambda c: f"/cooperation/programmes/{c.imagine.pk}/reports/"),
    PageCase("partners", "head", lambda c: "/cooperation/partners/"),
    PageCase("partner", "head", lambda c: f"/cooperation/partners/{c.unesco.pk}/"),
    PageCase("agreements", "head", lambda c: "/cooperation/agreements/"),
    PageCase("actions", "partner_user", lambda c: "/cooperation/actions/"),
    *(
        PageCase(
            name, persona, lambda c, name=name: reverse(f"cooperation:{name}", args=[c.imagine.pk])
        )
        for name, persona in (
            ("programme-finance", "finance"),
            ("results", "coordinator_sn"),
            ("workplan", "manager"),
            ("trainings", "coordinator_sn"),
            ("resources", "coordinator_sn"),
            ("programme-iati", "manager"),
        )
    ),
    PageCase("finance", "finance", lambda c: reverse("cooperation:finance")),
    PageCase("pipeline", "head", lambda c: reverse("cooperation:pipeline")),
    PageCase("consultant-space", "consultant", lambda c: reverse("cooperation:consultant-space")),
]


@pytest.mark.parametrize("case", PAGES, ids=[c.id for c in PAGES])
def test_latin_runs_are_isolated_in_arabic(case: PageCase, coop: Coop, client: Client) -> None:
    client.force_login(getattr(coop, case.persona))
    client.cookies["django_language"] = "ar"
    response = client.get(case.url(coop), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200, case.url(coop)
    html = response.content.decode()
    assert 'dir="rtl"' in html
    found = latin_runs_not_isolated(html, RUNS)
    assert not found, "\n".join(f"{f.run!r} in {f.block!r}" for f in found)
