"""The main menu: which entries each persona sees, and where the entries come from."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from pilotage.core.context_processors import navigation
from pilotage.core.navigation import menu_entries

# The menu of each persona, in order: the same as before the menu came from the apps, the
# audit log for the officers and school heads who now read their own scope's, and the
# indicators (one entry: their pages have their own tabs) for those who steer.
MENUS = {
    "national_admin": [
        "/",
        "/orgunits/",
        "/schooling/schools/",
        "/schooling/classes/",
        "/indicators/",
        "/schooling/transfers/",
        "/schooling/deadlines/",
        "/contact/",  # the national administration supervises the contact centre
        "/cooperation/",  # the national administration runs the cooperation programmes too
        "/surveys/",  # and designs the national surveys
        "/accounts/people/",
        "/audit/",
        "/accounts/tokens/",
    ],
    "regional_officer": [
        "/",
        "/orgunits/",
        "/schooling/schools/",
        "/schooling/classes/",
        "/indicators/",
        "/schooling/transfers/",  # read-only: the territory's transfers
        "/schooling/deadlines/",
        "/accounts/people/",
        "/audit/",
        "/accounts/tokens/",
    ],
    "provincial_a": [
        "/",
        "/orgunits/",
        "/schooling/schools/",
        "/schooling/classes/",
        "/indicators/",
        "/schooling/transfers/",  # read-only: the territory's transfers
        "/schooling/deadlines/",
        "/accounts/people/",
        "/audit/",
        "/accounts/tokens/",
    ],
    "head_a": [
        "/",
        "/orgunits/",
        "/schooling/schools/",
        "/schooling/classes/",
        "/indicators/",
        "/schooling/transfers/",
        "/accounts/people/",
        "/audit/",
        "/accounts/tokens/",
    ],
    "teacher_a1": ["/", "/orgunits/", "/schooling/classes/", "/accounts/tokens/"],
    "parent_a": ["/", "/schooling/portal/", "/accounts/tokens/"],
    # The contact-centre agent sees the contact centre and the surveys (phone interviews),
    # and grants nothing: no "people" entry.
    "agent": ["/", "/contact/", "/surveys/", "/accounts/tokens/"],
}


def _menu(user, path: str = "/") -> list[dict]:
    request = RequestFactory().get(path)
    request.user = user
    return navigation(request)["nav_items"]


@pytest.mark.parametrize("persona", list(MENUS))
def test_each_persona_sees_its_menu(personas, persona: str) -> None:
    assert [item["url"] for item in _menu(getattr(personas, persona))] == MENUS[persona]


def test_anonymous_visitor_has_no_menu(personas) -> None:
    assert _menu(personas.anonymous) == []


def test_staff_also_see_the_admin_and_the_current_page_is_marked(personas) -> None:
    user = personas.teacher_a1
    user.is_staff = True
    items = _menu(user, "/schooling/classes/")
    assert [i["url"] for i in items] == [*MENUS["teacher_a1"], "/admin/"]
    assert [i["url"] for i in items if i["active"]] == ["/schooling/classes/"]


@pytest.fixture
def fresh_menu():
    menu_entries.cache_clear()
    yield
    menu_entries.cache_clear()


def test_an_apps_entries_come_from_its_own_menu_module(personas, monkeypatch, fresh_menu) -> None:
    from pilotage.schooling import menu as schooling_menu

    assert {e.url_name for e in schooling_menu.ENTRIES} <= {e.url_name for e in menu_entries()}
    monkeypatch.setattr(schooling_menu, "ENTRIES", [])
    menu_entries.cache_clear()
    urls = [item["url"] for item in _menu(personas.national_admin)]
    assert urls == [u for u in MENUS["national_admin"] if not u.startswith("/schooling/")]


def test_an_app_without_a_menu_module_adds_nothing(personas, settings, fresh_menu) -> None:
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "pilotage.schooling"]
    menu_entries.cache_clear()
    assert not any(e.url_name.startswith("schooling:") for e in menu_entries())
