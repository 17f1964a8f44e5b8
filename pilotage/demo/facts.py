"""The last demo step: fill the indicators' fact tables from the school records just
written (both years), so the dashboards have figures as soon as the demo is seeded."""

from __future__ import annotations

from pilotage.demo.context import Context


def rebuild_indicator_facts(ctx: Context) -> None:
    from pilotage.indicators.facts import facts_rebuild

    facts_rebuild(progress=ctx.progress)
