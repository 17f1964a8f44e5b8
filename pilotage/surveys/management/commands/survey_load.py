"""Load an XLSForm from the command line, as the upload page does.

Prints the form's id and version (and the survey and version numbers it was stored as),
or every problem found — sheet, row, column, value, reason — and exits non-zero.
``--check`` compiles and checks without storing anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from pilotage.orgunits.models import OrgUnit
from pilotage.surveys.models import Survey
from pilotage.surveys.services.forms import survey_create, survey_form_load
from pilotage.surveys.xlsform import XLSFormRejected, compile_xlsform


class Command(BaseCommand):
    help = "Load an XLSForm (.xlsx or .xls) as a new survey or a survey's next form version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the XLSForm workbook")
        parser.add_argument("--survey", type=int, help="add a version to this survey (its id)")
        parser.add_argument(
            "--unit", help="code of the org unit that runs a new survey (default: the root)"
        )
        parser.add_argument("--title", help="a new survey's title (default: the form's)")
        parser.add_argument(
            "--as", dest="username", help="the user it is loaded as (default: a superuser)"
        )
        parser.add_argument("--check", action="store_true", help="check only, store nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path.name}: {exc.strerror}") from exc
        try:
            if options["check"]:
                compiled = compile_xlsform(data, name=path.name)
                for warning in compiled.warnings:
                    self.stderr.write(f"warning: {warning}")
                self.stdout.write(f"form_id={compiled.form_id} version={compiled.version}")
                return
            actor = self._actor(options["username"])
            with transaction.atomic():
                survey = self._survey(actor, options, data, path.name)
                version = survey_form_load(actor=actor, survey=survey, data=data, name=path.name)
        except XLSFormRejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}: {len(exc.problems)} problem(s), nothing stored"
            ) from exc
        except PermissionDenied as exc:
            raise CommandError("this user may not load forms for that survey or unit") from exc
        for warning in version.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"form_id={version.form_id} version={version.form_version} "
            f"survey={survey.pk} form_version_number={version.number}"
        )

    def _actor(self, username: str | None) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        actor = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError(
                f"no active user {username!r}" if username else "no superuser: pass --as USERNAME"
            )
        return actor

    def _survey(self, actor: Any, options: dict[str, Any], data: bytes, name: str) -> Survey:
        if options["survey"]:
            survey = Survey.objects.select_related("org_unit").filter(pk=options["survey"]).first()
            if survey is None:
                raise CommandError(f"no survey {options['survey']}")
            return survey
        unit = (
            OrgUnit.objects.filter(code=options["unit"]).first()
            if options["unit"]
            else OrgUnit.objects.get_root_nodes().first()
        )
        if unit is None:
            raise CommandError(
                f"no org unit {options['unit']!r}" if options["unit"] else "no org unit"
            )
        compiled = compile_xlsform(data, name=name)
        return survey_create(
            actor=actor, org_unit=unit, title_fr=options["title"] or compiled.title or name
        )
