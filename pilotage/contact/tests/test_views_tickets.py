"""The staff's ticket pages: scope, confidentiality, query count."""

from __future__ import annotations

from pilotage.contact.tests.factories import make_ticket


def test_an_outsider_gets_404(client, cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.personas.head_a)
    assert client.get("/contact/").status_code == 404
    assert client.get(f"/contact/tickets/{ticket.pk}/").status_code == 404


def test_the_regional_agent_sees_only_their_region(client, cc) -> None:
    tanger = make_ticket(cc.info, cc.personas.province_a, subject="Tanger")
    fes = make_ticket(cc.complaints, cc.personas.province_b, subject="Fès")
    client.force_login(cc.agent_fes)
    page = client.get("/contact/").content.decode()
    assert fes.reference in page and tanger.reference not in page
    assert client.get(f"/contact/tickets/{tanger.pk}/").status_code == 404


def test_a_confidential_requester_is_shown_to_supervisors_only(client, cc) -> None:
    ticket = make_ticket(
        cc.complaints, cc.personas.province_a, requester=cc.citizen, confidential=True
    )
    client.force_login(cc.agent)
    assert "Bennani" not in client.get(f"/contact/tickets/{ticket.pk}/").content.decode()
    assert "Bennani" not in client.get("/contact/").content.decode()
    client.force_login(cc.supervisor)
    assert "Bennani" in client.get(f"/contact/tickets/{ticket.pk}/").content.decode()


def test_the_list_query_count_does_not_grow(client, cc, django_assert_max_num_queries) -> None:
    for n in range(30):
        make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, subject=f"Objet {n}")
    client.force_login(cc.agent)
    # session, user, role assignments (scope), count, the page of tickets with their joins,
    # then the menu and tabs (no query of their own: the scope is read once).
    with django_assert_max_num_queries(8):
        assert client.get("/contact/").status_code == 200
