"""``manage.py seed_demo``: fill an empty database with a reproducible demo.

Why ``--reset`` does not delete: the generated rows are referenced by the audit log, which
is append-only (no UPDATE or DELETE, enforced by a trigger on PostgreSQL) and protects the
users it names as actors. Deleting communes, schools and accounts would leave "create"
entries for objects that no longer exist, and fails outright for any demo account that has
done something in the application. Wiping the audit log itself is exactly what it is
designed to prevent. So ``--reset`` on a database that already has demo data stops and
prints how to recreate the database (delete the SQLite file, or drop and create the
PostgreSQL database, then ``migrate``); on an empty database it seeds as usual.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from pilotage.core.db import statistics_refresh
from pilotage.demo.context import DEFAULT_SEED, MARKS_CHOICES, SCALES, Context
from pilotage.demo.generate import Step, demo_data_exists, existing_demo_usernames, run_steps
from pilotage.demo.schooling import MARKS_SAMPLE_SHARE


def rebuild_instructions() -> str:
    """How to start again from an empty database, for the backend in use."""
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "sqlite":
        return _(
            "supprimez le fichier %(name)s (et ses fichiers -wal et -shm), lancez "
            "« python manage.py migrate », puis de nouveau cette commande."
        ) % {"name": name}
    if connection.vendor == "postgresql":
        return _(
            "recréez la base (« dropdb %(name)s && createdb %(name)s »), lancez "
            "« python manage.py migrate », puis de nouveau cette commande."
        ) % {"name": name}
    return _(
        "recréez la base %(name)s, lancez « python manage.py migrate », puis de nouveau "
        "cette commande."
    ) % {"name": name}


class Command(BaseCommand):
    help = (
        "Remplit la base avec des données de démonstration reproductibles : le Maroc "
        "(régions et provinces réelles), des communes et des établissements inventés, un "
        "compte par rôle, puis deux années scolaires (2024-2025 et 2025-2026, les mêmes "
        "élèves passant, redoublant ou quittant l'école de l'une à l'autre) : classes, "
        "élèves, enseignants, notes et absences de chaque établissement ; enfin la "
        "population d'âge scolaire de chaque province et les faits des indicateurs. Sur "
        "PostgreSQL les gros volumes sont écrits par COPY, établissement par établissement."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help=_(
                "small : une préfecture (Tanger-Assilah), ~30 établissements, ~10 000 élèves ; "
                "region : la région MA-01, ~1 400 établissements, ~1 000 000 d'élèves ; "
                "national : les 75 provinces, ~11 000 établissements, ~8 000 000 d'élèves."
            ),
        )
        parser.add_argument(
            "--marks",
            choices=MARKS_CHOICES,
            default=None,
            help=_(
                "Notes (les deux semestres de 2024-2025, le 1er de 2025-2026) : all (tous les "
                "établissements, ~40 notes par élève et semestre), "
                "sample (%(share)d établissements sur 100, tirés au sort, plus celui du compte "
                "« enseignant ») ou none. Par défaut all pour small, sample pour region et "
                "national (toutes les notes du pays feraient près d'un milliard de lignes)."
            )
            % {"share": round(MARKS_SAMPLE_SHARE * 100)},
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Graine : la même graine donne les mêmes données (défaut %(default)s)."),
        )
        when_present = parser.add_mutually_exclusive_group()
        when_present.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Ne rien faire si la base a déjà des communes ou des établissements."),
        )
        when_present.add_argument(
            "--reset",
            action="store_true",
            help=_(
                "Repartir de zéro. Le journal d'audit n'accepte que des ajouts, donc des "
                "données déjà générées ne s'effacent pas : si la base en contient, la commande "
                "s'arrête et dit comment recréer la base."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_data_exists():
            if options["if_empty"]:
                self.stdout.write(
                    _(
                        "La base contient déjà des communes ou des établissements : "
                        "aucune donnée de démonstration ajoutée."
                    )
                )
                return
            if options["reset"]:
                raise CommandError(
                    _(
                        "--reset ne peut pas effacer les données de démonstration déjà "
                        "présentes : le journal d'audit n'accepte que des ajouts (ses entrées ne "
                        "se modifient ni ne s'effacent, et elles protègent leurs auteurs). "
                        "Pour repartir de zéro, %(how)s"
                    )
                    % {"how": rebuild_instructions()}
                )
            raise CommandError(
                _(
                    "La base contient déjà des communes ou des établissements. Utilisez "
                    "--if-empty pour ne rien faire dans ce cas ; pour repartir de zéro, %(how)s"
                )
                % {"how": rebuild_instructions()}
            )
        taken = existing_demo_usernames()
        if taken:
            raise CommandError(
                _("Ces identifiants de démonstration existent déjà : %(names)s. %(how)s")
                % {
                    "names": ", ".join(taken),
                    "how": _("Pour repartir de zéro, %(how)s") % {"how": rebuild_instructions()},
                }
            )

        scale = SCALES[options["scale"]]
        ctx = Context(scale=scale, seed=options["seed"], marks=options["marks"] or "")
        verbose = options["verbosity"] > 0

        def step_done(step: Step, seconds: float) -> None:
            if verbose:
                self.stdout.write(
                    _("%(step)s : %(seconds)s s")
                    % {"step": step.label, "seconds": _decimal_comma(seconds)}
                )

        figures = run_steps(ctx, show_progress=verbose, on_step_done=step_done)
        statistics_refresh()  # the pages are read straight after the load
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Données de démonstration « %(scale)s » (graine %(seed)s, notes : %(marks)s) : "
                    "%(regions)d régions, %(provinces)d provinces, %(communes)d communes, "
                    "%(schools)d établissements, %(classes)d classes, %(pupils)d élèves, "
                    "%(teachers)d enseignants, %(users)d utilisateurs, %(marks_count)d notes, "
                    "%(absences)d absences, en %(seconds)s s."
                )
                % {
                    **figures,
                    "marks_count": figures["marks"],
                    "marks": ctx.marks_mode,
                    "scale": scale.name,
                    "seed": ctx.seed,
                    "seconds": _decimal_comma(figures["seconds"]),
                }
            )
        )


def _decimal_comma(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",")
