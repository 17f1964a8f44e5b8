"""Agreement reach and pages: who sees which agreement (404 otherwise), the list's pinned
query count, the document download (headers, reach, never MEDIA_URL), the partner's own
reporting, and bad input answered with a message, not a 500."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from pilotage.cooperation.models import Agreement, AgreementDocument, Obligation
from pilotage.cooperation.permissions import agreements_q, can_edit_agreement
from pilotage.cooperation.services.agreements import (
    agreement_document_add,
    obligation_create,
    obligation_submit,
)
from pilotage.cooperation.tests.agreements_support import (
    FUNDING,
    IMPLEMENTING,
    make_agreement,
    pdf_bytes,
    pdf_upload,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(coop):
    """``ours``: ImaginEcole, UNESCO funds, OIF implements; ``theirs``: the other
    programme, OIF only; ``loose``: no programme (the head's)."""
    ours = make_agreement(coop.imagine, "IMG-1", [(coop.unesco, FUNDING), (coop.oif, IMPLEMENTING)])
    theirs = make_agreement(coop.other, "OTH-1", [(coop.oif, FUNDING)])
    loose = make_agreement(None, "HQ-1", [(coop.unesco, FUNDING)])
    return ours, theirs, loose


REACH = {
    "head": {"IMG-1", "OTH-1", "HQ-1"},
    "finance": {"IMG-1", "OTH-1", "HQ-1"},
    "manager": {"IMG-1"},
    "manager_b": {"OTH-1"},
    "coordinator_sn": {"IMG-1", "OTH-1"},
    "coordinator_ml": {"IMG-1"},
    # UNESCO is a party to IMG-1 and HQ-1 (HQ-1 has no programme: the party is enough).
    "partner_user": {"IMG-1", "HQ-1"},
    "consultant": set(),
}


@pytest.mark.parametrize("who", sorted(REACH))
def test_agreements_q(coop, deals, who):
    actor = getattr(coop, who)
    seen = set(Agreement.objects.filter(agreements_q(actor)).values_list("reference", flat=True))
    assert seen == REACH[who]


@pytest.mark.parametrize(
    ("who", "edits"),
    [
        ("head", True),
        ("manager", True),
        ("manager_b", False),
        ("finance", False),
        ("coordinator_sn", False),
        ("partner_user", False),
    ],
)
def test_can_edit_agreement(coop, deals, who, edits):
    assert can_edit_agreement(getattr(coop, who), deals[0]) is edits


def test_list_shows_only_the_visible_ones_and_filters(client, coop, deals):
    client.force_login(coop.partner_user)
    html = client.get(reverse("cooperation:agreements")).content.decode()
    assert "IMG-1" in html and "HQ-1" in html and "OTH-1" not in html
    html = client.get(reverse("cooperation:agreements"), {"q": "HQ"}).content.decode()
    assert "HQ-1" in html and "IMG-1" not in html
    client.force_login(coop.head)
    html = client.get(reverse("cooperation:agreements"), {"partner": coop.oif.pk}).content.decode()
    assert "IMG-1" in html and "OTH-1" in html and "HQ-1" not in html


def test_list_query_count_does_not_grow(client, coop, deals, django_assert_max_num_queries):
    for i in range(15):
        make_agreement(coop.imagine, f"MORE-{i}", [(coop.unesco, FUNDING), (coop.oif, FUNDING)])
    client.force_login(coop.manager)
    # session + user, the role assignments (scope), the partners of the filter, the page's
    # count, the page's agreements (programme joined, pending obligations annotated), their
    # parties with their partner (one prefetch), the partner account check; the nav's tabs.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cooperation:agreements"))
    assert response.status_code == 200
    assert len(re.findall(r'id="agreement-\d+"', response.content.decode())) == 16


@pytest.mark.parametrize(
    ("who", "status"),
    [("partner_user", 404), ("manager", 404), ("coordinator_ml", 404), ("head", 200)],
)
def test_detail_outsiders_get_404(client, coop, deals, who, status):
    client.force_login(getattr(coop, who))
    assert client.get(reverse("cooperation:agreement", args=[deals[1].pk])).status_code == status


def test_document_download_checks_reach_and_sets_headers(client, coop, deals, settings):
    ours, theirs, _loose = deals
    data = pdf_bytes()
    document = agreement_document_add(
        actor=coop.manager, agreement=ours, title="Convention", upload=pdf_upload("conv.pdf", data)
    )
    hidden = agreement_document_add(
        actor=coop.manager_b, agreement=theirs, title="Autre", upload=pdf_upload("autre.pdf")
    )
    client.force_login(coop.partner_user)
    page = client.get(reverse("cooperation:agreement", args=[ours.pk])).content.decode()
    assert reverse("cooperation:agreement-document", args=[document.pk]) in page
    assert settings.MEDIA_URL not in page
    response = client.get(reverse("cooperation:agreement-document", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="conv.pdf"'
    assert (
        client.get(reverse("cooperation:agreement-document", args=[hidden.pk])).status_code == 404
    )
    client.force_login(coop.consultant)
    assert (
        client.get(reverse("cooperation:agreement-document", args=[document.pk])).status_code == 404
    )


def test_partner_sees_only_their_own_reporting(client, coop, deals):
    ours = deals[0]
    mine = obligation_create(
        actor=coop.manager,
        agreement=ours,
        kind="narrative",
        title="Rapport narratif UNESCO",
        due_on=dt.date(2026, 3, 31),
        responsible_party=coop.unesco,
    )
    oifs = obligation_create(
        actor=coop.manager,
        agreement=ours,
        kind="financial",
        title="Rapport financier OIF",
        due_on=dt.date(2026, 3, 31),
        responsible_party=coop.oif,
    )
    obligation_submit(actor=coop.manager, obligation=oifs, upload=pdf_upload("oif.pdf"))
    oif_doc = Obligation.objects.get(pk=oifs.pk).document
    client.force_login(coop.partner_user)
    page = client.get(reverse("cooperation:agreement", args=[ours.pk])).content.decode()
    assert "Rapport narratif UNESCO" in page and "Rapport financier OIF" not in page
    assert reverse("cooperation:obligation-submit", args=[mine.pk]) in page
    assert (
        client.get(reverse("cooperation:agreement-document", args=[oif_doc.pk])).status_code == 404
    )
    assert client.get(reverse("cooperation:obligation-submit", args=[oifs.pk])).status_code == 404
    client.force_login(coop.manager)
    page = client.get(reverse("cooperation:agreement", args=[ours.pk])).content.decode()
    assert "Rapport financier OIF" in page


def test_partner_uploads_a_fake_pdf_gets_a_message_and_nothing_changes(client, coop, deals):
    ours = deals[0]
    mine = obligation_create(
        actor=coop.manager,
        agreement=ours,
        kind="narrative",
        title="Rapport",
        due_on=dt.date(2026, 3, 31),
        responsible_party=coop.unesco,
    )
    client.force_login(coop.partner_user)
    before = (AgreementDocument.objects.count(), AuditEntry.objects.count())
    url = reverse("cooperation:obligation-submit", args=[mine.pk])
    response = client.post(url, {"file": pdf_upload("rapport.pdf", b"%PDF-1.4 garbage")})
    assert response.status_code == 200
    assert "lisible" in response.content.decode()
    assert (AgreementDocument.objects.count(), AuditEntry.objects.count()) == before
    response = client.post(url, {"file": pdf_upload("rapport.pdf")})
    assert response.status_code == 302
    assert Obligation.objects.get(pk=mine.pk).status == "submitted"


def test_manager_creates_edits_and_a_stale_form_is_refused(client, coop):
    client.force_login(coop.manager)
    response = client.post(
        reverse("cooperation:agreement-new"),
        {
            "programme": coop.imagine.pk,
            "reference": "NEW-1",
            "title_fr": "Nouvelle convention",
            "kind": "convention",
            "status": "draft",
            "amount": "1000,50",
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(reference="NEW-1")
    url = reverse("cooperation:agreement-edit", args=[agreement.pk])
    data = {
        "reference": "NEW-1",
        "title_fr": "Nouvelle convention bis",
        "kind": "convention",
        "status": "draft",
        "currency": "EUR",
        "version": 1,
    }
    assert client.post(url, data).status_code == 302
    before = AuditEntry.objects.count()
    response = client.post(url, {**data, "title_fr": "Encore"})
    assert response.status_code == 200
    assert "Rechargez la page" in response.content.decode()
    assert AuditEntry.objects.count() == before
    client.force_login(coop.manager_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {**data, "version": 2}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.title_fr == "Nouvelle convention bis"


def test_a_manager_cannot_create_for_someone_elses_programme(client, coop):
    client.force_login(coop.manager)
    before = (Agreement.objects.count(), AuditEntry.objects.count())
    response = client.post(
        reverse("cooperation:agreement-new"),
        {
            "programme": coop.other.pk,
            "reference": "X",
            "title_fr": "X",
            "kind": "accord",
            "status": "draft",
            "currency": "EUR",
        },
    )
    assert response.status_code == 200
    assert (Agreement.objects.count(), AuditEntry.objects.count()) == before


def test_amendment_page_applies_and_the_history_shows_it(client, coop, deals):
    ours = deals[0]
    client.force_login(coop.manager)
    url = reverse("cooperation:amendment-new", args=[ours.pk])
    response = client.post(
        url,
        {
            "version": 1,
            "signed_on": "2026-06-15",
            "signed_by": "Awa Diop (UNESCO) ; Karim Alaoui (Agence)",
            "summary": "Prolongation",
            "ends_on": "2028-12-31",
            "amount": "1500000,00",  # unchanged: not part of the amendment
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.ends_on == dt.date(2028, 12, 31)
    amendment = ours.amendments.get()
    assert amendment.changes == {"ends_on": ["2027-12-31", "2028-12-31"]}
    client.force_login(coop.partner_user)
    html = client.get(reverse("cooperation:agreement", args=[ours.pk])).content.decode()
    row = html[html.index('id="amendment-1"') :]
    row = row[: row.index("</tr>")]
    assert "fin : " in row and "31/12/2027" in row and "31/12/2028" in row
    assert "Karim Alaoui" in row and "15/06/2026" in row
    # The partner cannot open the amendment page.
    assert client.get(url).status_code == 404
