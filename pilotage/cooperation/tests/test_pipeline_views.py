"""The pipeline pages: the board, moves through the page, the funnel and weighted total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pilotage.cooperation.models import Opportunity, Stage
from pilotage.cooperation.services.pipeline import opportunity_create, opportunity_move
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _opp(
    coop,
    title="Fonds lecture",
    stage=Stage.IDENTIFIED,
    amount="100000",
    p="40",
    year=2026,
    currency="EUR",
):
    return opportunity_create(
        actor=coop.head,
        title_fr=title,
        partner=coop.unesco,
        stage=stage,
        expected_amount=Decimal(amount),
        currency=currency,
        probability=Decimal(p),
        expected_year=year,
    )


def test_outsiders_get_404(client, coop):
    opp = _opp(coop)
    for user in (coop.coordinator_sn, coop.partner_user, coop.consultant):
        client.force_login(user)
        for name in ("cooperation:pipeline", "cooperation:pipeline-funnel"):
            assert client.get(reverse(name)).status_code == 404
        assert client.get(reverse("cooperation:opportunity", args=[opp.pk])).status_code == 404


def test_finance_reads_but_cannot_move(client, coop):
    opp = _opp(coop)
    client.force_login(coop.finance)
    assert client.get(reverse("cooperation:pipeline")).status_code == 200
    audit = AuditEntry.objects.count()
    response = client.post(
        reverse("cooperation:opportunity-move", args=[opp.pk]), {"stage": "signed", "version": 1}
    )
    assert response.status_code == 404
    opp.refresh_from_db()
    assert opp.stage == Stage.IDENTIFIED and AuditEntry.objects.count() == audit


def test_create_and_move_through_the_pages(client, coop):
    client.force_login(coop.manager)
    response = client.post(
        reverse("cooperation:opportunity-new"),
        {
            "title_fr": "Appel à projets AFD",
            "partner": coop.oif.pk,
            "stage": "proposal",
            "expected_amount": "250000",
            "currency": "mad",
            "probability": "30",
            "expected_year": "2027",
        },
    )
    assert response.status_code == 302
    opp = Opportunity.objects.get()
    assert opp.currency == "MAD" and opp.stage == Stage.PROPOSAL
    url = reverse("cooperation:opportunity-move", args=[opp.pk])
    response = client.post(url, {"stage": "negotiation", "version": 1, "next_step": "Réunion"})
    assert response.status_code == 302
    opp.refresh_from_db()
    assert opp.stage == Stage.NEGOTIATION and opp.next_step == "Réunion"
    # The same stale form again: a conflict, shown, nothing written.
    response = client.post(url, {"stage": "signed", "version": 1})
    assert response.status_code == 400 and "Rechargez" in response.content.decode()
    opp.refresh_from_db()
    assert opp.stage == Stage.NEGOTIATION


def test_a_closed_opportunity_offers_no_move_to_a_manager_but_the_head_reopens(client, coop):
    opp = _opp(coop)
    opportunity_move(actor=coop.head, opportunity=opp, stage=Stage.SIGNED, version=1)
    client.force_login(coop.manager)
    page = client.get(reverse("cooperation:opportunity", args=[opp.pk])).content.decode()
    assert 'id="move-form"' not in page and "seul le chef du service" in page
    response = client.post(
        reverse("cooperation:opportunity-move", args=[opp.pk]), {"stage": "proposal", "version": 2}
    )
    assert response.status_code == 400 and "signée ou abandonnée" in response.content.decode()
    opp.refresh_from_db()
    assert opp.stage == Stage.SIGNED
    client.force_login(coop.head)
    page = client.get(reverse("cooperation:opportunity", args=[opp.pk])).content.decode()
    assert 'id="move-form"' in page and "Rouvrir" in page


def test_a_bad_amount_is_named(client, coop):
    client.force_login(coop.head)
    response = client.post(
        reverse("cooperation:opportunity-new"),
        {
            "title_fr": "x",
            "partner": coop.oif.pk,
            "stage": "identified",
            "expected_amount": "-5",
            "currency": "EURO",
            "probability": "150",
            "expected_year": "2027",
        },
    )
    assert response.status_code == 200 and not Opportunity.objects.exists()
    form = response.context["form"]
    assert {"currency", "probability"} <= set(form.errors)


def test_the_board_and_the_funnel_show_per_currency(client, coop, django_assert_max_num_queries):
    for i in range(12):
        _opp(coop, title=f"Opp {i}", year=2025 + i % 4, currency=("EUR", "MAD", "USD")[i % 3])
    client.force_login(coop.head)
    # session, user, role assignments, the years of the filter, the opportunities with
    # their partner, and the base template's menu lookups.
    with django_assert_max_num_queries(8):
        page = client.get(reverse("cooperation:pipeline")).content.decode()
    assert page.count('id="opportunity-') == 12
    # ... and the funnel: the rows read once for the funnel, once for the totals.
    with django_assert_max_num_queries(9):
        page = client.get(reverse("cooperation:pipeline-funnel")).content.decode()
    assert 'id="weighted-2025"' in page and 'id="weighted-2028"' in page
    assert page.count('<bdi dir="ltr">MAD</bdi>') >= 2
