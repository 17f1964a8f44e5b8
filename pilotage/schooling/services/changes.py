"""Telling other apps that school records changed (see core/events.py).

Topic ``schooling.records_changed``: the enrolments, classes, teaching assignments, marks or
absences of ``school_ids`` (org-unit ids of schools) in academic year ``year_id`` changed;
``pupil_ids`` names the pupils whose enrolments changed, when known (their other years'
figures may move too). Published inside the writing transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from pilotage.core.events import publish

RECORDS_CHANGED = "schooling.records_changed"


def records_changed(
    *, school_ids: Iterable[int], year_id: int, pupil_ids: Iterable[int] | None = None
) -> None:
    schools = sorted(set(school_ids))
    if schools:
        publish(
            RECORDS_CHANGED,
            school_ids=schools,
            year_id=year_id,
            pupil_ids=sorted(set(pupil_ids)) if pupil_ids else None,
        )
