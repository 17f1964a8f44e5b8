from __future__ import annotations

import pytest

from pilotage.core.models import AuditEntry
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.tests.factories import make_school

pytestmark = pytest.mark.django_db


def test_unit_page_within_scope(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    response = client.get("/orgunits/MA-TNG-C001/")
    assert response.status_code == 200
    assert "École primaire Ibn Battouta" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("provincial_a", "MA-FES"),  # the other province
        ("provincial_a", "MA-01"),  # the region above
        ("head_a", "03201B"),  # the other school
        ("head_b", "MA-TNG-C001"),
        ("parent_a", "04101A"),  # parents never browse the tree, even their child's school
        ("agent", "NOPE"),  # unknown: same answer as forbidden
    ],
)
def test_outsiders_get_404(client, personas, persona: str, code: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get(f"/orgunits/{code}/").status_code == 404
    assert client.get(f"/orgunits/{code}/children/").status_code == 404
    assert client.get(f"/api/v1/orgunits/{code}").status_code == 404


def test_children_list_has_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    commune = personas.fresh(personas.commune_a)
    for _ in range(3):
        make_school(commune)
    # session, user, scope (assignments), unit, children count, children page, staff,
    # menu permissions (scope is cached per request) and savepoints: no query per row.
    with django_assert_max_num_queries(9) as few:
        assert client.get("/orgunits/MA-TNG-C001/").status_code == 200
    baseline = len(few.captured_queries)
    for _ in range(20):
        make_school(personas.fresh(commune))
    with django_assert_max_num_queries(baseline):
        response = client.get("/orgunits/MA-TNG-C001/")
    assert response.content.decode().count("/orgunits/0") >= 24


def test_edit_is_for_officers_above_the_unit(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    response = client.post(
        "/orgunits/MA-TNG-C001/edit/",
        {
            "name_fr": "Commune de Gueznaia (nouveau nom)",
            "name_ar": "جماعة اكزناية",
            "name_en": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="MA-TNG-C001")
    assert unit.name_fr == "Commune de Gueznaia (nouveau nom)"
    entry = AuditEntry.objects.filter(
        object_type="orgunits.orgunit", object_id=str(unit.pk)
    ).first()
    assert entry is not None and entry.actor == personas.provincial_a
    assert entry.changes == {
        "name_fr": ["Commune de Gueznaia", "Commune de Gueznaia (nouveau nom)"]
    }


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("provincial_a", "MA-TNG"),  # its own unit: no
        ("provincial_b", "MA-TNG-C001"),  # another province: no
        ("head_a", "04101A"),  # school heads do not edit the tree
        ("teacher_a1", "04101A"),
    ],
)
def test_edit_denied_changes_nothing(client, personas, persona: str, code: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    before = OrgUnit.objects.get(code=code).name_fr
    audit_rows = AuditEntry.objects.count()
    response = client.post(f"/orgunits/{code}/edit/", {"name_fr": "Piraté", "is_active": "on"})
    assert response.status_code == 404
    assert OrgUnit.objects.get(code=code).name_fr == before
    assert AuditEntry.objects.count() == audit_rows


def test_picker_search_partial_is_scoped(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_b)
    body = client.get("/orgunits/search/?q=Ibn", HTTP_HX_REQUEST="true").content.decode()
    assert "Ibn Battouta" not in body
    client.force_login(personas.provincial_a)
    body = client.get("/orgunits/search/?q=Ibn", HTTP_HX_REQUEST="true").content.decode()
    assert "Ibn Battouta" in body and "<html" not in body
    client.force_login(personas.parent_a)
    assert client.get("/orgunits/search/?q=Ibn").status_code == 404
    assert client.get("/orgunits/").status_code == 404


def test_tree_children_partial(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    body = client.get("/orgunits/MA/children/").content.decode()
    assert "Tanger-Tétouan-Al Hoceïma" in body and "Fès-Meknès" in body
    assert 'hx-get="/orgunits/MA-01/children/"' in body
