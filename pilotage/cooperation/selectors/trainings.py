"""Reading training sessions and counting the people trained, scoped to the reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from pilotage.cooperation.models import Attendance, Programme, TrainingSession
from pilotage.cooperation.selectors.programmes import projects_visible
from pilotage.orgunits.models import OrgUnit


def sessions_visible(actor: Any) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(project__in=projects_visible(actor).values("pk"))


def sessions_list(
    actor: Any, programme: Programme, *, country: OrgUnit | None = None
) -> QuerySet[TrainingSession]:
    """The programme's sessions the reader sees, each with its numbers on the list,
    present and completed (annotations: one query for the page)."""
    qs = (
        sessions_visible(actor)
        .filter(programme=programme)
        .select_related("project__country", "location")
        .annotate(
            listed=Count("attendances"),
            present=Count("attendances", filter=Q(attendances__attended=True)),
            done=Count("attendances", filter=Q(attendances__completed=True)),
        )
        .order_by("-start_date", "pk")
    )
    if country is not None:
        qs = qs.filter(project__country=country)
    return qs


def session_get(actor: Any, pk: int) -> TrainingSession:
    session = (
        sessions_visible(actor)
        .select_related("programme", "project__country", "location")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    return session


def session_attendances(session: TrainingSession) -> QuerySet[Attendance]:
    return session.attendances.select_related(
        "participant__teacher", "participant__possible_duplicate_of"
    ).order_by("participant__name_key", "pk")


@dataclass
class PeopleTrained:
    """People trained, each counted once however many sessions they attended."""

    total: int = 0
    by_sex: dict[str, int] = field(default_factory=dict)
    # (country unit, people) in country-code order
    by_country: list[tuple[OrgUnit, int]] = field(default_factory=list)

    @property
    def countries(self) -> int:
        """Countries with at least one person trained."""
        return sum(1 for _country, n in self.by_country if n)

    @property
    def women(self) -> int:
        return self.by_sex.get("F", 0)

    @property
    def men(self) -> int:
        return self.by_sex.get("M", 0)


def people_trained(
    actor: Any,
    programme: Programme,
    *,
    country: OrgUnit | None = None,
    audience: str | None = None,
    completed_only: bool = True,
) -> PeopleTrained:
    """Distinct participants of the programme's sessions the reader sees (completed, or
    present when ``completed_only`` is False), by sex and by the participant's country.

    A participant has one sex and one country, so the groups (country × sex) split the
    distinct people without overlap: one grouped query gives the total, the split by sex
    and the split by country. Plus one query for the countries' names."""
    rows = Attendance.objects.filter(
        session__programme=programme,
        session__project__in=projects_visible(actor).values("pk"),
    )
    rows = rows.filter(completed=True) if completed_only else rows.filter(attended=True)
    if country is not None:
        rows = rows.filter(session__project__country=country)
    if audience:
        rows = rows.filter(session__audience=audience)
    groups = (
        rows.values("participant__country", "participant__sex")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    )
    result = PeopleTrained()
    per_country: dict[int, int] = {}
    for group in groups:
        n = group["n"]
        result.total += n
        sex = group["participant__sex"]
        result.by_sex[sex] = result.by_sex.get(sex, 0) + n
        unit = group["participant__country"]
        per_country[unit] = per_country.get(unit, 0) + n
    if per_country:
        units = OrgUnit.objects.in_bulk(list(per_country))
        result.by_country = sorted(
            ((units[pk], n) for pk, n in per_country.items()), key=lambda row: row[0].code
        )
    return result
