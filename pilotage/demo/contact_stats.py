"""Demo data of the contact centre, last step: the statistics' aggregate tables, rebuilt
from the tickets the earlier steps made (as the job does in production)."""

from __future__ import annotations

from pilotage.contact.services.stats import stats_rebuild
from pilotage.demo.context import Context


def rebuild_contact_stats(ctx: Context) -> None:
    ctx.progress.total(1)
    result = stats_rebuild()
    ctx.progress.advance(1, f"{result['tickets']}")
