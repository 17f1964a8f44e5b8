"""The registry's pages and API: reach, confidentiality, edits, query counts."""

from __future__ import annotations

from pilotage.contact.models import Association, Requester
from pilotage.contact.tests.factories import AssociationFactory, make_ticket
from pilotage.core.models import AuditEntry


def test_an_outsider_gets_404_everywhere(client, cc) -> None:
    client.force_login(cc.personas.head_a)
    for url in (
        "/contact/associations/",
        f"/contact/associations/{cc.assoc_a.pk}/",
        "/contact/associations/new/",
        "/contact/citizens/",
        f"/contact/requesters/{cc.citizen.pk}/",
        "/api/v1/contact/associations/" + str(cc.assoc_a.pk),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/contact/associations").json()["items"] == []


def test_the_list_searches_both_scripts_and_filters(client, cc) -> None:
    client.force_login(cc.agent)
    page = client.get("/contact/associations/", {"q": "أمل"}).content.decode()
    assert "Amal" in page and "Fès Environnement" not in page
    page = client.get("/contact/associations/", {"q": "fes-2021"}).content.decode()
    assert "Fès Environnement" in page and "Amal" not in page
    page = client.get("/contact/associations/", {"field": "environment"}).content.decode()
    assert "Fès Environnement" in page and "Amal" not in page
    page = client.get("/contact/associations/", {"unit": "MA-TNG"}).content.decode()
    assert "Amal" in page and "Fès Environnement" not in page


def test_the_arabic_page_puts_the_arabic_name_first(client, cc) -> None:
    client.force_login(cc.agent)
    page = client.get(
        f"/contact/associations/{cc.assoc_a.pk}/", headers={"accept-language": "ar"}
    ).content.decode()
    assert "<h1><bdi>جمعية أمل للتنمية</bdi>" in page
    assert '<bdi dir="ltr">TNG-2019-0042</bdi>' in page


def test_the_regional_agent_sees_its_region_only(client, cc) -> None:
    client.force_login(cc.agent_fes)
    page = client.get("/contact/associations/").content.decode()
    assert "Fès Environnement" in page and "Amal" not in page
    assert client.get(f"/contact/associations/{cc.assoc_a.pk}/").status_code == 404
    assert client.get(f"/contact/associations/{cc.assoc_a.pk}/edit/").status_code == 404
    assert client.get(f"/api/v1/contact/associations/{cc.assoc_a.pk}").status_code == 404
    # A post to another region's association writes nothing.
    before = AuditEntry.objects.count()
    client.post(f"/contact/associations/{cc.assoc_a.pk}/edit/", {"name_fr": "Piraté"})
    cc.assoc_a.refresh_from_db()
    assert cc.assoc_a.name_fr.startswith("Association Amal")
    assert AuditEntry.objects.count() == before


def test_the_history_hides_confidential_tickets_from_agents(client, cc) -> None:
    public = make_ticket(cc.info, cc.personas.province_a, association=cc.assoc_a)
    secret = make_ticket(
        cc.complaints,
        cc.personas.province_a,
        requester=cc.assoc_contact,
        confidential=True,
        subject="Plainte contre le bureau",
    )
    client.force_login(cc.agent)
    page = client.get(f"/contact/associations/{cc.assoc_a.pk}/").content.decode()
    assert public.reference in page and secret.reference not in page
    assert "Plainte contre le bureau" not in page
    client.force_login(cc.supervisor)
    page = client.get(f"/contact/associations/{cc.assoc_a.pk}/").content.decode()
    assert public.reference in page and secret.reference in page


def test_create_and_edit_an_association(client, cc) -> None:
    client.force_login(cc.agent)
    response = client.post(
        "/contact/associations/new/",
        {
            "name_fr": "Association Nour",
            "name_ar": "جمعية نور",
            "registration_number": "tng 2024 0001",
            "legal_form": "association",
            "org_unit": cc.personas.commune_a.pk,
            "fields": [cc.fields["women"].pk],
            "language": "ar",
            "is_active": "on",
        },
    )
    created = Association.objects.get(name_fr="Association Nour")
    assert response.status_code == 302
    assert created.registration_number == "TNG20240001"
    data = {
        "name_fr": "Association Nour Tanger",
        "name_ar": "جمعية نور",
        "registration_number": "TNG20240001",
        "legal_form": "association",
        "org_unit": cc.personas.commune_a.pk,
        "fields": [cc.fields["women"].pk],
        "language": "ar",
        "is_active": "on",
        "version": 1,
    }
    assert client.post(f"/contact/associations/{created.pk}/edit/", data).status_code == 302
    created.refresh_from_db()
    assert (created.name_fr, created.version) == ("Association Nour Tanger", 2)
    # The same form posted again at version 1: refused, nothing changed.
    data["name_fr"] = "Écrasé"
    page = client.post(f"/contact/associations/{created.pk}/edit/", data).content.decode()
    assert "Rechargez la page" in page
    created.refresh_from_db()
    assert created.name_fr == "Association Nour Tanger"


def test_a_contact_person_and_a_citizen(client, cc) -> None:
    client.force_login(cc.agent)
    response = client.post(
        f"/contact/associations/{cc.assoc_a.pk}/contacts/new/",
        {
            "first_name": "Salma",
            "last_name": "Tazi",
            "phone": "+212 600 11 22 33",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    salma = Requester.objects.get(last_name="Tazi")
    assert (salma.association, salma.phone_digits) == (cc.assoc_a, "0600112233")
    response = client.post(
        "/contact/citizens/new/", {"last_name": "Berrada", "email": "A@B.MA", "language": "fr"}
    )
    citizen = Requester.objects.get(last_name="Berrada")
    assert response.status_code == 302 and citizen.email == "a@b.ma"
    page = client.get("/contact/citizens/", {"q": "berrada"}).content.decode()
    assert "Berrada" in page and "Fatima Zahra Bennani" not in page
    make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, subject="Mon dossier")
    page = client.get(f"/contact/requesters/{cc.citizen.pk}/").content.decode()
    assert "Mon dossier" in page


def test_bad_input_names_the_field(client, cc) -> None:
    client.force_login(cc.agent)
    before = Association.objects.count()
    page = client.post(
        "/contact/associations/new/",
        {
            "name_fr": "Doublon",
            "registration_number": "TNG-2019-0042",
            "legal_form": "association",
            "org_unit": cc.personas.commune_a.pk,
            "language": "fr",
            "employees": "-3",
        },
    ).content.decode()
    assert Association.objects.count() == before
    assert "employees" in page  # the field's error is shown under it


def test_list_pages_pin_their_queries(client, cc, django_assert_max_num_queries) -> None:
    for _n in range(30):
        a = AssociationFactory(org_unit=cc.personas.commune_a)
        a.fields.set([cc.fields["youth"], cc.fields["women"]])
        make_ticket(cc.info, cc.personas.province_a, association=a)
    client.force_login(cc.agent)
    # session, user, role assignments (scope), the filter's units, the filter's fields,
    # count, the page of associations with their seat, their fields (prefetch), the
    # tickets counted per association.
    with django_assert_max_num_queries(10):
        assert client.get("/contact/associations/").status_code == 200
    # session, user, scope, count, the page of citizens with their residence.
    with django_assert_max_num_queries(6):
        assert client.get("/contact/citizens/").status_code == 200
    # session, user, scope, count, the page with seats, the fields (prefetch).
    with django_assert_max_num_queries(7):
        body = client.get("/api/v1/contact/associations").json()
    assert body["count"] == 32


def test_the_api_filters_and_reads_one(client, cc) -> None:
    client.force_login(cc.agent)
    body = client.get("/api/v1/contact/associations", {"province": "MA-FES"}).json()
    assert [a["name_fr"] for a in body["items"]] == ["Association Fès Environnement"]
    body = client.get("/api/v1/contact/associations", {"field": "youth", "q": "amal"}).json()
    assert [a["registration_number"] for a in body["items"]] == ["TNG-2019-0042"]
    assert client.get("/api/v1/contact/associations", {"province": "XX"}).json()["count"] == 0
    one = client.get(f"/api/v1/contact/associations/{cc.assoc_a.pk}").json()
    assert (one["unit"], one["fields"]) == ("MA-TNG-C001", ["youth", "education"])
    client.logout()
    assert client.get("/api/v1/contact/associations").status_code == 401
