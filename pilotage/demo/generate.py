"""The demo generator: an ordered list of steps run in one transaction.

A step is a function of the :class:`~pilotage.demo.context.Context`. To generate more
(pupils, classes, marks…), write a module with a step function and append it to
:data:`STEPS`; it finds what earlier steps made in the database, draws from its own random
stream (``ctx.rng("schooling", …)``) so earlier steps' data does not change, and reports
its progress on ``ctx.progress``.

Everything runs in one transaction: an interrupted or failed run leaves the database as it
was, so "is there demo data?" never has a half-seeded answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import User
from pilotage.core.jobs import Progress, TerminalReporter
from pilotage.demo import (
    contact,
    contact_kb,
    contact_registry,
    contact_sla,
    contact_tickets,
    coop_agreements,
    coop_finance,
    coop_partners,
    coop_trainings,
    coop_workplans,
    cooperation,
    facts,
    orgunits,
    people,
    population,
    schooling,
    steering,
    surveys,
)
from pilotage.demo.contact_stats import rebuild_contact_stats
from pilotage.demo.context import Context
from pilotage.demo.coop_actions import create_actions as create_coop_actions
from pilotage.demo.coop_results import create_results as coop_results_create
from pilotage.orgunits.models import OrgUnit, School


@dataclass(frozen=True)
class Step:
    name: str
    label: str | Promise
    run: Callable[[Context], None]


STEPS: list[Step] = [
    Step("country", _("Pays, régions et provinces"), orgunits.load_country),
    # Before the schools: a country added later would renumber Morocco's whole subtree.
    Step(
        "coop_countries",
        _("Pays des programmes de coopération"),
        cooperation.load_countries,
    ),
    Step("years", _("Années scolaires"), orgunits.create_years),
    Step("tree", _("Communes et établissements"), orgunits.create_communes_and_schools),
    Step("accounts", _("Comptes de démonstration"), people.create_demo_accounts),
    Step("school_heads", _("Comptes des chefs d'établissement"), people.create_school_heads),
    Step(
        "schooling",
        _("Classes, élèves, enseignants, notes et absences (deux années)"),
        schooling.create_school_records,
    ),
    Step(
        "population",
        _("Population d'âge scolaire par province"),
        population.create_population_estimates,
    ),
    # Last: the indicators' facts are computed from everything above.
    Step("indicator_facts", _("Faits des indicateurs"), facts.rebuild_indicator_facts),
    # After the facts: targets are set against the values the engine computes from them.
    Step(
        "steering",
        _("Cibles, plans d'action et données agrégées"),
        steering.create_steering,
    ),
    Step("cooperation", _("Programmes de coopération, partenaires"), cooperation.create_programmes),
    Step(
        "coop_partners",
        _("Réunions avec les partenaires et opportunités"),
        coop_partners.create_partner_work,
    ),
    Step("coop_agreements", _("Accords de coopération"), coop_agreements.create_agreements),
    Step("coop_finance", _("Finances de la coopération"), coop_finance.create_finance),
    # Before the work plans: their activities hang from the outputs of the results framework.
    Step("coop_results", _("Cadres de résultats des programmes"), coop_results_create),
    Step(
        "coop_workplans",
        _("Plans de travail, consultants et livrables"),
        coop_workplans.create_workplans,
    ),
    Step(
        "coop_trainings",
        _("Formations, ressources éducatives et tirages"),
        coop_trainings.create_trainings_and_resources,
    ),
    Step("coop_actions", _("Qui fait quoi où : actions des partenaires"), create_coop_actions),
    # The contact centre: its queues and categories first; its parts' steps follow.
    Step(
        "contact", _("Centre de contact : files, catégories, agents"), contact.create_contact_base
    ),
    Step(
        "contact_sla", _("Centre de contact : horaires et délais"), contact_sla.create_contact_sla
    ),
    Step("contact_kb", _("Base de connaissances"), contact_kb.create_knowledge_base),
    Step(
        "contact_registry",
        _("Centre de contact : associations et demandeurs"),
        contact_registry.create_contact_registry,
    ),
    # After the registry: its requesters write the tickets.
    Step(
        "contact_tickets",
        _("Centre de contact : une année de tickets"),
        contact_tickets.create_contact_tickets,
    ),
    # The associations' survey draws its sample from the registry made above.
    Step("surveys", _("Enquêtes : échantillon, invitations et réponses"), surveys.create_surveys),
    # Last: the statistics are rebuilt from every ticket the steps above made.
    Step("contact_stats", _("Statistiques du centre de contact"), rebuild_contact_stats),
]


def demo_data_exists() -> bool:
    """Communes or schools mean the tree has been filled below the provinces, by this
    generator or by a real import; either way the generator must not add to it."""
    return OrgUnit.objects.filter(depth__gt=3).exists()


def existing_demo_usernames() -> list[str]:
    return sorted(
        User.objects.filter(username__in=people.DEMO_USERNAMES).values_list("username", flat=True)
    )


class _StepBar:
    """A terminal bar drawn only once its step announces some work, so a step with
    nothing to do at this scale leaves no empty bar behind."""

    def __init__(self, label: str):
        self.label = label
        self.bar: TerminalReporter | None = None

    def total(self, n: int) -> None:
        if n and self.bar is None:
            self.bar = TerminalReporter(self.label)
        if self.bar:
            self.bar.total(n)

    def advance(self, n: int = 1, message: str = "") -> None:
        if self.bar:
            self.bar.advance(n, message)

    def close(self) -> None:
        if self.bar:
            self.bar.close()


def run_steps(
    ctx: Context,
    *,
    show_progress: bool = True,
    on_step_done: Callable[[Step, float], None] | None = None,
) -> dict[str, float]:
    """Run every step; return the counts for the summary and the elapsed seconds.
    ``on_step_done(step, seconds)`` is called after each step (the command prints it)."""
    started = time.monotonic()
    with transaction.atomic():
        for step in STEPS:
            bar = _StepBar(str(step.label)) if show_progress else None
            ctx.progress = Progress(None, echo=bar)
            step_started = time.monotonic()
            try:
                step.run(ctx)
            finally:
                if bar:
                    bar.close()
            if on_step_done:
                on_step_done(step, time.monotonic() - step_started)
    return {**summary(ctx), "seconds": time.monotonic() - started}


# What the summary reports from the steps' own counts: counting hundreds of millions of
# marks again would take longer than some steps.
STEP_COUNTS = ("classes", "pupils", "teachers", "marks", "absences")


def summary(ctx: Context | None = None) -> dict[str, float]:
    # Morocco's tree only: the other countries of the cooperation programmes have their
    # first-level subdivisions at depth 2 too.
    morocco = OrgUnit.objects.filter(code="MA", depth=1).values_list("path", flat=True).first()
    per_depth = dict(
        OrgUnit.objects.filter(path__startswith=morocco or "")
        .order_by()
        .values("depth")
        .annotate(n=Count("pk"))
        .values_list("depth", "n")
    )
    counts = ctx.counts if ctx else {}
    return {
        "regions": per_depth.get(2, 0),
        "provinces": per_depth.get(3, 0),
        "communes": per_depth.get(4, 0),
        "schools": School.objects.count(),
        "users": User.objects.count(),
        **{key: counts.get(key, 0) for key in STEP_COUNTS},
    }
