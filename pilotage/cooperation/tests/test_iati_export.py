"""The IATI 2.03 export: the file of the ``coop`` programmes, with money, passes the
schema copied in the repository; each IATI Standard rule blocks it with the activity and
the rule named."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from pilotage.cooperation.iati import rules
from pilotage.cooperation.iati.common import schema_errors
from pilotage.cooperation.iati.export import export_programmes, export_to_path
from pilotage.cooperation.models import (
    Agreement,
    AgreementParty,
    Budget,
    OrganisationRole,
    PlannedDisbursement,
    PlanRevision,
    Programme,
    ProgrammeSector,
    ProjectSector,
    Transaction,
    TransactionType,
)

pytestmark = pytest.mark.django_db

REF = "XX-DEMO-MEN"


def with_money(coop) -> None:
    """Sectors, an agreement, budgets, a two-revision plan and transactions for imagine."""
    ProgrammeSector.objects.create(programme=coop.imagine, code="11220", percentage=60)
    ProgrammeSector.objects.create(programme=coop.imagine, code="11330", percentage=40)
    ProgrammeSector.objects.create(programme=coop.other, code="11110", percentage=100)
    ProjectSector.objects.create(project=coop.project_sn, code="11220", percentage=100)
    agreement = Agreement.objects.create(
        programme=coop.imagine, reference="CONV-1", kind="convention", title_fr="Convention"
    )
    AgreementParty.objects.create(
        agreement=agreement, partner=coop.unesco, role=OrganisationRole.FUNDING
    )
    AgreementParty.objects.create(
        agreement=agreement, partner=coop.oif, role=OrganisationRole.IMPLEMENTING
    )
    for project in (coop.project_sn, coop.project_ml):
        for year in (2025, 2026):
            Budget.objects.create(
                project=project,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                amount=Decimal("150000.00"),
                currency="EUR",
                value_date=dt.date(year, 1, 1),
            )
        old = PlanRevision.objects.create(project=project, number=1)
        PlannedDisbursement.objects.create(
            revision=old,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 6, 30),
            amount=Decimal("1.00"),
            currency="EUR",
            value_date=dt.date(2025, 1, 1),
        )
        new = PlanRevision.objects.create(project=project, number=2)
        PlannedDisbursement.objects.create(
            revision=new,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 6, 30),
            amount=Decimal("75000.00"),
            currency="EUR",
            value_date=dt.date(2025, 1, 1),
        )
        Transaction.objects.create(
            project=project,
            type=TransactionType.INCOMING_FUNDS,
            transaction_date=dt.date(2025, 2, 1),
            value_date=dt.date(2025, 2, 1),
            amount=Decimal("100000.00"),
            currency="EUR",
            provider=coop.unesco,
            reference=f"TX-{project.code}",
        )
        Transaction.objects.create(
            project=project,
            type=TransactionType.DISBURSEMENT,
            transaction_date=dt.date(2025, 3, 1),
            value_date=dt.date(2025, 3, 1),
            amount=Decimal("6550000"),
            currency="XOF",
            receiver=coop.oif,
            description="Formation des enseignants",
        )


def export_tree(programmes=None):
    out = io.BytesIO()
    result = export_programmes(out, programmes)
    return result, out.getvalue()


def test_export_of_the_coop_programmes_passes_the_schema(coop):
    with_money(coop)
    result, data = export_tree()
    assert result.ok, result.failures
    assert result.activities == 5  # two programmes, three projects
    assert schema_errors(io.BytesIO(data)) == []
    doc = etree.fromstring(data)
    assert doc.get("version") == "2.03"
    imagine = doc.xpath("iati-activity[iati-identifier='XX-DEMO-MEN-imagine']")[0]
    assert imagine.get("hierarchy") == "1"
    assert imagine.get("default-currency") == "EUR"
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert [(n.get(lang), n.text) for n in imagine.find("title")] == [
        ("fr", "ImaginEcole"),
        ("en", "ImaginEcole"),
    ]
    assert [(c.get("code"), c.get("percentage")) for c in imagine.findall("recipient-country")] == [
        ("ML", "50"),
        ("SN", "50"),
    ]
    assert [(o.get("role"), o.get("ref")) for o in imagine.findall("participating-org")] == [
        ("1", "XM-DAC-41304"),
        ("4", None),  # the OIF has no IATI identifier
        ("4", REF),
    ]
    assert sorted(r.get("ref") for r in imagine.findall("related-activity")) == [
        f"{REF}-imagine-ml",
        f"{REF}-imagine-sn",
    ]
    sn = doc.xpath("iati-activity[iati-identifier='XX-DEMO-MEN-imagine-sn']")[0]
    assert sn.get("hierarchy") == "2"
    assert [s.get("code") for s in sn.findall("sector")] == ["11220"]
    ml = doc.xpath("iati-activity[iati-identifier='XX-DEMO-MEN-imagine-ml']")[0]
    # No sector of its own: the programme's.
    assert [s.get("code") for s in ml.findall("sector")] == ["11220", "11330"]
    assert ml.find("related-activity").attrib == {"ref": f"{REF}-imagine", "type": "1"}
    assert len(sn.findall("budget")) == 2
    # The latest plan revision only.
    assert [p.find("value").text for p in sn.findall("planned-disbursement")] == ["75000.00"]
    tx = sn.findall("transaction")
    assert [t.find("transaction-type").get("code") for t in tx] == ["1", "3"]
    assert tx[0].get("ref") == "TX-imagine-sn"
    assert tx[0].find("provider-org").get("ref") == "XM-DAC-41304"
    assert tx[1].find("value").attrib == {"currency": "XOF", "value-date": "2025-03-01"}
    assert tx[1].find("value").text == "6550000.00"
    assert tx[1].find("receiver-org/narrative").text == coop.oif.name_fr
    dates = {d.get("type"): d.get("iso-date") for d in sn.findall("activity-date")}
    assert dates == {"1": "2025-01-01", "2": "2025-01-01", "3": "2028-12-31"}


def test_one_programme_only(coop):
    with_money(coop)
    result, data = export_tree(Programme.objects.filter(code="other"))
    ids = etree.fromstring(data).xpath("iati-activity/iati-identifier/text()")
    assert ids == [f"{REF}-other", f"{REF}-other-sn"]
    assert result.activities == 2


def test_the_export_reads_a_fixed_number_of_queries(coop, django_assert_num_queries):
    with_money(coop)
    # the programmes' keys, then for the one chunk: programmes, countries, sectors,
    # agreement parties, projects, their sectors, budgets, transactions, latest plan
    # revisions' disbursements, and the partners named (read once for the whole export).
    with django_assert_num_queries(11):
        export_tree()


def _activities(data: bytes) -> list[bytes]:
    return [etree.tostring(a) for a in etree.fromstring(data)]


def test_chunks_change_the_queries_not_the_file(coop, django_assert_num_queries):
    with_money(coop)
    _result, whole = export_tree()
    out = io.BytesIO()
    # the keys, then 10 per programme (chunks of one): the partners of the second
    # chunk were all read with the first, so its partner query is skipped.
    with django_assert_num_queries(1 + 10 + 9):
        result = export_programmes(out, chunk_size=1)
    assert result.activities == 5
    assert _activities(out.getvalue()) == _activities(whole)


def codes_of(failures):
    return [(f.identifier, f.rule) for f in failures]


def test_rule_sector(coop):
    with_money(coop)
    ProgrammeSector.objects.filter(programme=coop.other).delete()
    result, _data = export_tree()
    # The programme and its project (which inherits no sector) are both named.
    assert codes_of(result.failures) == [
        (f"{REF}-other", rules.RULE_SECTOR),
        (f"{REF}-other-sn", rules.RULE_SECTOR),
    ]
    assert "secteur" in result.failures[0].message


def test_rule_start_date_in_the_future_for_a_started_activity(coop):
    with_money(coop)
    Programme.objects.filter(pk=coop.other.pk).update(
        start_date=dt.date(2090, 1, 1), end_date=dt.date(2091, 1, 1)
    )
    result, _data = export_tree()
    assert codes_of(result.failures) == [(f"{REF}-other", rules.RULE_START_DATE)]
    assert "2090-01-01" in result.failures[0].message


def test_rule_default_currency(coop):
    with_money(coop)
    coop.project_ml.default_currency = "EUX"
    coop.project_ml.save(update_fields=["default_currency"])
    result, _data = export_tree()
    assert codes_of(result.failures) == [(f"{REF}-imagine-ml", rules.RULE_DEFAULT_CURRENCY)]
    assert "EUX" in result.failures[0].message


def test_rule_budget_period(coop):
    with_money(coop)
    Budget.objects.create(
        project=coop.project_sn,
        period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2028, 1, 1),  # a year and a day
        amount=Decimal(1),
        currency="EUR",
        value_date=dt.date(2027, 1, 1),
    )
    result, _data = export_tree()
    assert codes_of(result.failures) == [(f"{REF}-imagine-sn", rules.RULE_BUDGET_PERIOD)]
    assert "2027-01-01" in result.failures[0].message


def test_rule_percentages(coop):
    with_money(coop)
    ProgrammeSector.objects.filter(programme=coop.imagine, code="11330").update(percentage=30)
    result, _data = export_tree()
    # The programme and the project that inherits its sectors.
    assert codes_of(result.failures) == [
        (f"{REF}-imagine", rules.RULE_PERCENTAGES),
        (f"{REF}-imagine-ml", rules.RULE_PERCENTAGES),
    ]
    assert "90 %" in result.failures[0].message


def test_rule_identifier(coop, settings):
    with_money(coop)
    settings.PILOTAGE_IATI_REPORTING_ORG = {"ref": "XX DEMO", "type": "10", "name": "Démo"}
    result, _data = export_tree(Programme.objects.filter(code="other"))
    assert codes_of(result.failures) == [
        ("XX DEMO-other", rules.RULE_IDENTIFIER),
        ("XX DEMO-other-sn", rules.RULE_IDENTIFIER),
    ]


def test_the_identifier_rule_checks_the_prefix():
    activity = rules.ActivityData(
        identifier="GB-1-123",
        hierarchy=1,
        title_fr="t",
        title_en="",
        description="",
        status="2",
        start_date=dt.date(2020, 1, 1),
        end_date=None,
        default_currency="EUR",
        sectors=[("11220", Decimal(100))],
    )
    failures = rules.check(activity, ref=REF, today=dt.date(2025, 1, 1))
    assert codes_of(failures) == [("GB-1-123", rules.RULE_IDENTIFIER)]


def test_a_blocked_export_writes_no_file(coop, tmp_path):
    with_money(coop)
    ProgrammeSector.objects.filter(programme=coop.other).delete()
    target = tmp_path / "out.xml"
    result = export_to_path(target)
    assert not result.ok
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_command_writes_a_valid_file(coop, tmp_path):
    with_money(coop)
    target = tmp_path / "iati.xml"
    out = io.StringIO()
    call_command(
        "iati_export", "-o", str(target), "--programme", "imagine", "--validate", stdout=out
    )
    assert schema_errors(target) == []
    assert "3" in out.getvalue()
    ids = etree.parse(str(target)).xpath("//iati-identifier/text()")
    assert ids == [f"{REF}-imagine", f"{REF}-imagine-ml", f"{REF}-imagine-sn"]


def test_command_refuses_with_the_list_of_failures(coop, tmp_path):
    with_money(coop)
    ProgrammeSector.objects.filter(programme=coop.other).delete()
    target = tmp_path / "iati.xml"
    with pytest.raises(CommandError) as exc:
        call_command("iati_export", "-o", str(target), stderr=io.StringIO())
    assert f"{REF}-other · sector" in str(exc.value)
    assert not target.exists()


def test_command_unknown_programme(coop, tmp_path):
    with pytest.raises(CommandError, match="nope"):
        call_command("iati_export", "-o", str(tmp_path / "x.xml"), "--programme", "nope")
