"""What the indicators app listens to (see core/events.py)."""

from pilotage.indicators.facts import facts_touch, paths_refresh

HANDLERS = {
    # Enrolments, classes, teachers' assignments, marks or absences of some schools in a
    # year changed: their facts are recomputed a second later.
    "schooling.records_changed": (facts_touch,),
    # A unit was added to the tree: the paths copied into our tables may have shifted.
    "orgunits.paths_changed": (paths_refresh,),
}
