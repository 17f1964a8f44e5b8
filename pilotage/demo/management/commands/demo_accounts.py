"""``manage.py demo_accounts``: who to log in as, printed after seeding."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from pilotage.accounts.models import User
from pilotage.core.roles import role_label
from pilotage.demo.people import DEMO_USERNAMES, PASSWORD, SCHOOL_HEAD_PREFIX, TEACHER_PREFIX


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration présents dans la base et leur mot de passe."

    def handle(self, *args: Any, **options: Any) -> None:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=DEMO_USERNAMES).prefetch_related(
                "assignments__org_unit"
            )
        }
        rows = []
        for username in DEMO_USERNAMES:
            user = users.get(username)
            if user is None:
                continue
            assignments = sorted(user.assignments.all(), key=lambda a: (a.role, a.org_unit.path))
            rows += [
                (
                    username,
                    role_label(a.role),
                    f"{a.org_unit.code} · {a.org_unit.name_fr}",
                    PASSWORD,
                )
                for a in assignments
            ] or [(username, "—", "—", PASSWORD)]
        if not rows:
            self.stdout.write(
                _("Aucun compte de démonstration : lancez « python manage.py seed_demo ».")
            )
            return
        header = (_("Identifiant"), _("Rôle"), _("Unité"), _("Mot de passe"))
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

        self.stdout.write(_("Comptes de démonstration :"))
        self.stdout.write(line(header).rstrip())
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write(line(row).rstrip())

        heads = User.objects.filter(username__startswith=SCHOOL_HEAD_PREFIX)
        count = heads.count()
        if count:
            example = heads.order_by("username").values_list("username", flat=True).first()
            self.stdout.write(
                _(
                    "et %(count)d chefs d'établissement « %(prefix)s<code établissement> » "
                    "(par exemple %(example)s), même mot de passe."
                )
                % {"count": count, "prefix": SCHOOL_HEAD_PREFIX, "example": example}
            )
        teachers = User.objects.filter(username__startswith=TEACHER_PREFIX)
        count = teachers.count()
        if count:
            example = teachers.order_by("username").values_list("username", flat=True).first()
            self.stdout.write(
                _(
                    "et %(count)d enseignants « %(prefix)s<matricule> » (par exemple "
                    "%(example)s), même mot de passe."
                )
                % {"count": count, "prefix": TEACHER_PREFIX, "example": example}
            )
