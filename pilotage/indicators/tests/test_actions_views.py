"""The action-plan pages: lists in a fixed number of queries, opening an objective and an
action (also from a gap), following it (update with its version, notes, evidence), and
outsiders' 404 on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import Action, ActionEvidence, ActionNote, Objective
from pilotage.indicators.services.actions import action_evidence_add, objective_create
from pilotage.indicators.tests.steering import Steering, make_action, set_target, steering_setup


@pytest.fixture
def steering(personas) -> Steering:  # type: ignore[no-untyped-def]
    return steering_setup(personas)


PDF = b"%PDF-1.4\n%%EOF\n"
MODELS = (Objective, Action, ActionNote, ActionEvidence)


def test_the_actions_list_costs_the_same_for_one_or_many(
    client, steering, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    s = steering
    make_action(s)
    client.force_login(s.p.provincial_a)
    client.get("/indicators/actions/")  # warm the per-process caches (roles, menu)
    # session, user, grants (scope), the page's count, the page's actions joined to their
    # unit, owner, objective and gap target.
    with django_assert_num_queries(5):
        page = client.get("/indicators/actions/")
    assert "Soutien scolaire en 5AP" in page.content.decode()
    for n in range(6):
        make_action(s, title=f"Action {n}", unit=s.p.province_a, owner=s.p.provincial_a)
    with django_assert_num_queries(5):
        page = client.get("/indicators/actions/")
    assert "Action 5" in page.content.decode()


def test_the_objectives_list_costs_the_same_for_one_or_many(
    client, steering, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    s = steering
    client.force_login(s.p.provincial_a)
    for n in range(4):
        objective_create(
            actor=s.p.provincial_a,
            title=f"Objectif {n}",
            org_unit=s.p.province_a,
            start_year=s.year,
        )
        client.get("/indicators/objectives/")
        # session, user, grants, the count, the objectives with units, years, targets and
        # their action counts.
        with django_assert_num_queries(5):
            assert f"Objectif {n}" in client.get("/indicators/objectives/").content.decode()


def test_the_list_filters_late_and_mine(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    make_action(s, title="Tardive", start=dt.date(2025, 9, 1), due=dt.date(2025, 10, 1))
    make_action(s, title="À venir", due=dt.date(2099, 1, 1), owner=s.p.provincial_a)
    client.force_login(s.p.provincial_a)
    late = client.get("/indicators/actions/", {"status": "late"}).content.decode()
    assert "Tardive" in late and "À venir" not in late and "En retard" in late
    mine = client.get("/indicators/actions/", {"mine": "1"}).content.decode()
    assert "À venir" in mine and "Tardive" not in mine


def test_an_objective_then_an_action_through_the_pages(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    client.force_login(s.p.provincial_a)
    response = client.post(
        "/indicators/objectives/new/?unit=MA-TNG",
        {"title": "Améliorer la réussite", "start_year": s.year.pk, "indicator": "pass_rate"},
    )
    objective = Objective.objects.get()
    assert response.status_code == 302 and objective.org_unit == s.p.province_a
    form = client.get(f"/indicators/actions/new/?objective={objective.pk}&unit=04101A")
    assert "head.a" in form.content.decode() or s.p.head_a.last_name in form.content.decode()
    response = client.post(
        f"/indicators/actions/new/?objective={objective.pk}&unit=04101A",
        {
            "title": "Tutorat",
            "owner": s.p.head_a.pk,
            "budget": "12 500,00",
            "start_date": "2025-10-01",
            "due_date": "2026-05-31",
        },
    )
    action = Action.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/indicators/actions/{action.pk}/"
    )
    assert (action.objective, action.org_unit, str(action.budget)) == (
        objective,
        s.p.school_a,
        "12500.00",
    )
    assert "Tutorat" in client.get(f"/indicators/objectives/{objective.pk}/").content.decode()


def test_a_corrective_action_from_the_gap_shows_it(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target = set_target(s, indicator="pass_rate", target="90", tolerance="5")
    client.force_login(s.p.provincial_a)
    form = client.get(f"/indicators/actions/new/?target={target.pk}").content.decode()
    assert 'id="gap"' in form and "75,00" in form and "Hors trajectoire" in form
    client.post(
        f"/indicators/actions/new/?target={target.pk}",
        {
            "title": "Remédiation",
            "owner": s.p.head_a.pk,
            "start_date": "2025-10-01",
            "due_date": "2026-05-31",
        },
    )
    action = Action.objects.get()
    assert action.gap_target == target
    page = client.get(f"/indicators/actions/{action.pk}/").content.decode()
    gap = page[page.index('id="gap"') :]
    assert "2025-2026" in gap and "École primaire Ibn Battouta" in gap and "75,00" in gap


def test_following_an_action(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = make_action(s)
    client.force_login(s.p.head_a)
    url = f"/indicators/actions/{action.pk}/"
    client.post(f"{url}notes/", {"text": "Premier bilan", "progress": "20"})
    assert ActionNote.objects.get().text == "Premier bilan"
    upload = SimpleUploadedFile("bilan.pdf", PDF, content_type="application/pdf")
    client.post(f"{url}evidence/", {"file": upload})
    evidence = ActionEvidence.objects.get()
    download = client.get(f"/indicators/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    bad = SimpleUploadedFile("bilan.exe", b"MZ")
    with unchanged(*MODELS):
        refused = client.post(f"{url}evidence/", {"file": bad})
    assert "Type de fichier refusé" in refused.content.decode()
    fields = {
        "title": action.title,
        "owner": s.p.head_a.pk,
        "start_date": "2025-09-15",
        "due_date": "2026-06-30",
        "status": "in_progress",
        "progress": "50",
    }
    response = client.post(url, {**fields, "version": "2"})  # the note moved it to 2
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.progress, action.version) == (50, 3)
    with unchanged(*MODELS):
        stale = client.post(url, {**fields, "progress": "60", "version": "2"})
    assert "modifiée entre-temps" in stale.content.decode()


@pytest.mark.parametrize("who", ["provincial_b", "head_b", "teacher_a1", "agent", "parent_a"])
def test_outsiders_get_404_everywhere(client, steering, who) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = make_action(s)
    evidence = action_evidence_add(
        actor=s.p.head_a, action=action, upload=SimpleUploadedFile("r.pdf", PDF)
    )
    objective = objective_create(
        actor=s.p.provincial_a, title="Objectif", org_unit=s.p.province_a, start_year=s.year
    )
    target = set_target(s, indicator="pass_rate", target="90")
    client.force_login(getattr(s.p, who))
    url = f"/indicators/actions/{action.pk}/"
    for page in (
        url,
        f"/indicators/evidence/{evidence.pk}/",
        f"/indicators/objectives/{objective.pk}/",
        f"/indicators/actions/new/?target={target.pk}",
        f"/indicators/actions/new/?objective={objective.pk}",
        "/indicators/actions/new/?unit=04101A",
        "/indicators/objectives/new/?unit=MA-TNG",
    ):
        assert client.get(page).status_code == 404, page
    with unchanged(*MODELS):
        for post, data in (
            (url, {"title": "x", "version": "1"}),
            (f"{url}notes/", {"text": "x"}),
            (f"{url}evidence/", {"file": SimpleUploadedFile("r.pdf", PDF)}),
            (f"/indicators/evidence/{evidence.pk}/remove/", {}),
        ):
            assert client.post(post, data).status_code == 404, post


def test_the_menu_names_both_pages(client, steering) -> None:  # type: ignore[no-untyped-def]
    """Both are tabs of the indicators' pages (the main menu has one entry, to them)."""
    client.force_login(steering.p.head_a)
    page = client.get("/indicators/").content.decode()
    assert 'href="/indicators/targets/"' in page and 'href="/indicators/actions/"' in page
    client.force_login(steering.p.teacher_a1)
    page = client.get("/").content.decode()
    assert "/indicators/" not in page
