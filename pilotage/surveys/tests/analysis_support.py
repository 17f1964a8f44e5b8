"""Submissions for the analysis, export and report tests, written straight to the tables.

The sample is drawn by the real service (``services.sampling.sample_draw``) from a frame of
associations stratified by region, so the units, their weights N_h / n_h and the
respondents are those a survey manager would get. The answers are the associations
form's (``tests/forms.py``), as strings, the way the answer page stores them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pilotage.surveys.frames import FrameUnit
from pilotage.surveys.models import (
    Channel,
    FormVersion,
    Respondent,
    SampleDraw,
    Submission,
    SubmissionStatus,
    Survey,
)
from pilotage.surveys.sampling import Unit
from pilotage.surveys.services.sampling import sample_draw

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def frame(sizes: Mapping[str, int]) -> list[FrameUnit]:
    """``sizes``: units per region (``rsk``, ``cs``), numbered in order."""
    units = []
    for region, size in sizes.items():
        for i in range(size):
            key = f"{region}-{i + 1:03d}"
            units.append(
                FrameUnit(Unit(key, {"region": region}), f"Association {key}", f"{key}@example.org")
            )
    return units


def draw(
    actor: Any,
    survey: Survey,
    sizes: Mapping[str, int],
    n: int,
    *,
    allocation: str = "proportional",
    seed: int = 20261207,
) -> SampleDraw:
    """A stratified draw by region."""
    return sample_draw(
        actor=actor,
        survey=survey,
        source="upload",
        frame=frame(sizes),
        n=n,
        method="stratified",
        by=("region",),
        allocation=allocation,
        seed=seed,
    )


def respondents(survey: Survey, stratum: str | None = None) -> list[Respondent]:
    found = Respondent.objects.filter(survey=survey, unit__isnull=False).select_related("unit")
    if stratum is not None:
        found = found.filter(unit__stratum=stratum)
    return list(found.order_by("unit__order"))


def answers(
    region: str = "rsk",
    province: str = "rabat",
    employees: int = 3,
    needs: Sequence[str] = ("training",),
    projects: Sequence[tuple[str, float]] = (),
    comment: str = "",
) -> dict[str, Any]:
    """One association's answers as XForms text."""
    data: dict[str, Any] = {
        "region": region,
        "province": province,
        "employees": str(employees),
        "projects_n": str(len(projects)),
        "total_budget": f"{sum(b for _t, b in projects):g}",
        "comment": comment,
    }
    if employees > 0:
        data["needs"] = " ".join(needs)
    if projects:
        data["project"] = [{"project_title": t, "budget": f"{b:g}"} for t, b in projects]
    return data


def submit(
    survey: Survey,
    data: dict[str, Any],
    *,
    respondent: Respondent | None = None,
    form: FormVersion | None = None,
    status: str = SubmissionStatus.COMPLETE,
    minutes: int = 0,
) -> Submission:
    form = form or survey.form_versions.order_by("-number").first()
    assert form is not None
    at = START + dt.timedelta(minutes=minutes)
    found = Submission.objects.create(
        survey=survey,
        form_version=form,
        instance_id=uuid.uuid4(),
        respondent=respondent,
        channel=Channel.LINK if respondent else Channel.PUBLIC,
        status=status,
        data=data,
        submitted_at=at if status == SubmissionStatus.COMPLETE else None,
    )
    return found
