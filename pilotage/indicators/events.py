"""What the indicators app listens to (see core/events.py)."""

from pilotage.indicators.facts import facts_touch

HANDLERS = {
    # Enrolments, classes, teachers' assignments, marks or absences of some schools in a
    # year changed: their facts are recomputed a second later.
    "schooling.records_changed": (facts_touch,),
}
