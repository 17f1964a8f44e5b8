"""The home page: each persona sees the cards of its roles, with figures, and every link a
card offers leads to a page that persona may open (no 404 behind a link)."""

from __future__ import annotations

import re

import pytest

from pilotage.core.home import home_cards

pytestmark = pytest.mark.django_db

CARDS = {
    # persona: the headings of the cards shown, in order
    "national_admin": [
        "Vos rôles",
        "Pilotage territorial",
        "Vie scolaire",
        "Tableau de bord",
        "Actions en retard",
        "Personnes et rôles",
        "Journal d'audit",
        "API",
    ],
    "regional_officer": [
        "Vos rôles",
        "Pilotage territorial",
        "Vie scolaire",
        "Tableau de bord",
        "Actions en retard",
        "Personnes et rôles",
        "Journal d'audit",
        "API",
    ],
    "head_a": [
        "Vos rôles",
        "Mon établissement",
        "Tableau de bord",
        "Actions en retard",
        "Personnes et rôles",
        "Journal d'audit",
        "API",
    ],
    "teacher_a1": ["Vos rôles", "Mes classes", "API"],
    "parent_a": ["Vos rôles", "Suivi de la scolarité", "API"],
    "agent": ["Vos rôles", "API"],
}


def _main(body: str) -> str:
    return body.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("persona", list(CARDS))
def test_each_persona_sees_the_cards_of_its_roles(client, personas, persona: str) -> None:
    client.force_login(getattr(personas, persona))
    main = _main(client.get("/").content.decode())
    headings = re.findall(r'<section class="card"[^>]*>\s*<h2[^>]*>([^<]+)</h2>', main)
    assert [h.replace("&#x27;", "'") for h in headings] == CARDS[persona]


@pytest.mark.parametrize("persona", list(CARDS))
def test_every_link_of_the_home_page_opens(client, personas, persona: str) -> None:
    """The regional officer was offered "Importer des élèves", which answered 404."""
    client.force_login(getattr(personas, persona))
    main = _main(client.get("/").content.decode())
    links = set(re.findall(r'<a href="(/[^"]*)"', main))
    assert links
    for href in sorted(links):
        assert client.get(href).status_code == 200, href


def test_the_regional_officer_is_not_offered_an_import_it_may_not_run(client, personas) -> None:
    client.force_login(personas.regional_officer)
    assert "/schooling/import/students/" not in client.get("/").content.decode()
    client.force_login(personas.provincial_a)
    assert "/schooling/import/students/" in client.get("/").content.decode()


def test_cards_carry_their_figures(client, personas) -> None:
    client.force_login(personas.national_admin)
    assert "2 établissements dans votre périmètre" in client.get("/").content.decode()
    client.force_login(personas.provincial_a)
    assert "1 établissement dans votre périmètre" in client.get("/").content.decode()


def test_home_in_arabic_names_the_cards_in_arabic(client, personas) -> None:
    client.force_login(personas.head_a)
    client.cookies["django_language"] = "ar"
    main = _main(client.get("/").content.decode())
    headings = re.findall(r'<section class="card"[^>]*>\s*<h2[^>]*>([^<]+)</h2>', main)
    assert headings[:2] == ["أدوارك", "مؤسستي التعليمية"]
    assert "تلاميذ" in main or "تلميذ" in main  # the figures speak Arabic too


def test_the_cards_come_from_the_apps(personas) -> None:
    templates = [card.template.split("/")[0] for card in home_cards()]
    assert {"core", "accounts", "orgunits", "schooling"} <= set(templates)


def test_home_query_count_does_not_grow_with_the_scope(
    client, personas, django_assert_max_num_queries
) -> None:
    """For the national administrator: session, user, scope, then the cards — roles' units
    (1), the territory's top units and school count (2), the current semester for the
    marks-entry card (1; no year here, so no progress query), the audit card (none), the
    cooperation cards (3: the overdue follow-ups' count, the deliverables and the activity
    reports waiting for review): the same whatever the number of schools."""
    from pilotage.orgunits.tests.factories import make_school

    client.force_login(personas.national_admin)
    with django_assert_max_num_queries(14) as first:
        client.get("/")
    for n in range(10):
        make_school(personas.commune_a, code=f"9{n:04d}X", name_fr=f"École {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert "12 établissements" in client.get("/").content.decode()
