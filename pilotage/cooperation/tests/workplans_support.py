"""Builders shared by the work-plan and consultant tests: a logframe with outputs,
activities, a consultant with a contract and deliverables, and small valid files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from pilotage.accounts.models import User
from pilotage.conftest import _person
from pilotage.cooperation.models import (
    Activity,
    Consultant,
    ConsultantScope,
    Contract,
    Deliverable,
    ResultLevel,
    ResultNode,
)
from pilotage.cooperation.roles import CONSULTANT
from pilotage.cooperation.tests.conftest import Coop


@dataclass
class Plan:
    outcome: ResultNode
    output_1: ResultNode
    output_2: ResultNode
    sn: Activity  # Senegal's project, output 1, responsible: the consultant
    ml: Activity  # Mali's project, output 2
    regional: Activity  # no project


def plan_build(coop: Coop) -> Plan:
    impact = ResultNode.objects.create(
        programme=coop.imagine, level=ResultLevel.IMPACT, code="1", title_fr="Impact"
    )
    outcome = ResultNode.objects.create(
        programme=coop.imagine,
        level=ResultLevel.OUTCOME,
        code="1.1",
        parent=impact,
        title_fr="Effet",
    )
    out_1 = ResultNode.objects.create(
        programme=coop.imagine,
        level=ResultLevel.OUTPUT,
        code="1.1.1",
        parent=outcome,
        title_fr="Ressources produites",
    )
    out_2 = ResultNode.objects.create(
        programme=coop.imagine,
        level=ResultLevel.OUTPUT,
        code="1.1.2",
        parent=outcome,
        title_fr="Enseignants formés",
    )

    def act(code: str, project: Any, output: ResultNode, **kw: Any) -> Activity:
        fields = {
            "start_date": dt.date(2026, 1, 1),
            "end_date": dt.date(2026, 3, 31),
            "title_fr": f"Activité {code}",
            **kw,
        }
        return Activity.objects.create(
            programme=coop.imagine, project=project, output=output, code=code, **fields
        )

    return Plan(
        outcome=outcome,
        output_1=out_1,
        output_2=out_2,
        sn=act("A1", coop.project_sn, out_1, responsible=coop.consultant),
        ml=act("A2", coop.project_ml, out_2),
        regional=act(
            "A3", None, out_1, start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 6, 30)
        ),
    )


@dataclass
class Hire:
    consultant: Consultant
    contract: Contract
    deliverable: Deliverable
    other_user: User  # a second consultant, on the other programme
    other_contract: Contract
    other_deliverable: Deliverable


def hire_build(coop: Coop) -> Hire:
    consultant = Consultant.objects.create(
        user=coop.consultant, scope=ConsultantScope.NATIONAL, country=coop.senegal
    )
    contract = Contract.objects.create(
        consultant=consultant,
        programme=coop.imagine,
        reference="IMG-2026-01",
        title="Guide de l'enseignant",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        amount=Decimal("12000.00"),
        currency="EUR",
    )
    deliverable = Deliverable.objects.create(
        contract=contract, title="Rapport de démarrage", due_date=dt.date(2026, 2, 15)
    )
    other_user = _person("consultant.ml", CONSULTANT, coop.mali)
    other = Consultant.objects.create(user=other_user, scope=ConsultantScope.REGIONAL)
    other_contract = Contract.objects.create(
        consultant=other,
        programme=coop.other,
        reference="OTH-2026-01",
        title="Étude régionale",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        amount=Decimal("8000.00"),
        currency="XOF",
    )
    other_deliverable = Deliverable.objects.create(
        contract=other_contract, title="Étude finale", due_date=dt.date(2026, 6, 30)
    )
    return Hire(consultant, contract, deliverable, other_user, other_contract, other_deliverable)


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name: str = "rapport.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def zip_bytes(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def docx_upload(name: str = "guide.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes("word/document.xml"))
