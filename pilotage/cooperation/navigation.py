"""The cooperation app's own navigation: one entry in the main menu (``menu.py``) leads to
the programmes; every page of the app shows the sections below as tabs, and a programme's
pages show its own tabs (``PROGRAMME_TABS``), each with the permission function of the page
it opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation import permissions as perms
from pilotage.core.navigation import MenuEntry, tabs_for

SECTIONS: tuple[MenuEntry, ...] = (
    MenuEntry("cooperation:programmes", _("Programmes"), order=10, allowed=perms.can_use),
    MenuEntry(
        "cooperation:partners", _("Partenaires"), order=20, allowed=perms.staff_sees_partners
    ),
    MenuEntry(
        "cooperation:pipeline", _("Prospection"), order=22, allowed=perms.staff_sees_partners
    ),
    MenuEntry("cooperation:agreements", _("Accords"), order=30, allowed=perms.can_use),
    MenuEntry(
        "cooperation:actions", _("Qui fait quoi où"), order=40, allowed=perms.can_view_actions
    ),
    MenuEntry(
        "cooperation:finance", _("Finances"), order=35, allowed=perms.reads_portfolio_finance
    ),
    # Work plans and consultants.
    MenuEntry(
        "cooperation:consultant-space", _("Mon espace"), order=5, allowed=perms.is_consultant
    ),
    MenuEntry(
        "cooperation:consultants", _("Consultants"), order=60, allowed=perms.can_view_consultants
    ),
    MenuEntry(
        "cooperation:to-review", _("À examiner"), order=62, allowed=perms.can_manage_consultants
    ),
)


# Pages living outside their tab's URL (URL prefix → the tab's URL name).
SECTION_ALIASES: dict[str, str] = {
    # The meeting log and the follow-ups belong to the partners' tab.
    "/cooperation/meetings/": "cooperation:partners",
    "/cooperation/followups/": "cooperation:partners",
}


def sections_for(user: Any, path: str) -> list[dict[str, Any]]:
    return tabs_for(SECTIONS, user, path, SECTION_ALIASES)


@dataclass(frozen=True)
class ProgrammeTab:
    """A tab of a programme's pages: ``url_name`` takes the programme's pk."""

    url_name: str
    label: str | Promise
    order: int
    allowed: Callable[[Any, Any], bool] = lambda user, programme: True


PROGRAMME_TABS: tuple[ProgrammeTab, ...] = (
    ProgrammeTab("cooperation:programme", _("Vue d'ensemble"), order=10),
    ProgrammeTab("cooperation:reports", _("Rapports"), order=80),
    ProgrammeTab("cooperation:programme-team", _("Équipe"), order=90),
    ProgrammeTab("cooperation:trainings", _("Formations"), order=60),
    ProgrammeTab("cooperation:resources", _("Ressources"), order=62),
    ProgrammeTab(
        "cooperation:programme-finance", _("Finances"), order=50, allowed=perms.can_view_finance
    ),
    ProgrammeTab("cooperation:results", _("Résultats"), order=40),
    ProgrammeTab(
        "cooperation:workplan", _("Plan de travail"), order=40, allowed=perms.can_view_workplan
    ),
    ProgrammeTab("cooperation:programme-iati", _("IATI"), order=90, allowed=perms.can_export_iati),
)


def programme_tabs(user: Any, programme: Any, path: str) -> list[dict[str, Any]]:
    """The programme's tabs the user may open; the current one is the longest tab URL the
    path starts with (the overview's URL is the programme's root)."""
    tabs: list[dict[str, Any]] = []
    urls: list[str] = []
    for tab in sorted(PROGRAMME_TABS, key=lambda t: t.order):
        if tab.allowed(user, programme):
            urls.append(reverse(tab.url_name, args=[programme.pk]))
            tabs.append({"url": urls[-1], "label": tab.label, "active": False})
    matches = [i for i, url in enumerate(urls) if path.startswith(url)]
    if matches:
        tabs[max(matches, key=lambda i: len(urls[i]))]["active"] = True
    return tabs
