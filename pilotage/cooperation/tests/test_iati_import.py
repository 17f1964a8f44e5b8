"""The IATI import: a donor's 2.03 and 2.01 files seed partners, opportunities,
programmes and projects; 1.x, malformed files and entity bombs are refused; a dry run and
a re-import change nothing."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pilotage.cooperation.iati.imports import IatiFileRefused, import_activities
from pilotage.cooperation.models import (
    Opportunity,
    Partner,
    Programme,
    ProgrammeCountry,
    ProgrammeSector,
    Project,
    ProjectSector,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
DONOR_203 = DATA / "iati-donor-2.03.xml"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Partner,
            Opportunity,
            Programme,
            ProgrammeCountry,
            ProgrammeSector,
            Project,
            ProjectSector,
            AuditEntry,
        )
    }


def test_a_donor_203_file_seeds_partners_opportunities_programmes_and_projects(coop):
    before = counts()
    result = import_activities(DONOR_203)
    assert result.problems == []
    assert result.version == "2.03"
    # Partners by IATI identifier: UNESCO is already in the registry (coop fixture).
    donor = Partner.objects.get(iati_identifier="XI-IATI-EXD")
    assert donor.name_fr == "Example Development Fund"
    assert donor.iati_type == "10"
    assert donor.kind == "bilateral"
    assert Partner.objects.filter(iati_identifier="XM-DAC-41304").count() == 1
    assert Partner.objects.filter(iati_identifier="SN-MEN").exists()  # a receiver-org
    assert Partner.objects.filter(iati_identifier="XM-DAC-41140").exists()
    assert result.count("partner", "created") == 3 and result.count("partner", "unchanged") == 1
    assert Partner.objects.count() == before["Partner"] + 3  # EXD, SN-MEN, WFP

    programme = Programme.objects.get(code="xi-iati-exd-1001")
    assert programme.title_fr == "Qualité de l'éducation de base au Sahel"
    assert programme.title_en == "Basic education quality in the Sahel"
    assert programme.status == "2"
    assert str(programme.start_date) == "2025-02-15"  # the actual start wins over the planned
    assert str(programme.end_date) == "2028-12-31"
    assert programme.lead_partner == donor
    assert {(c.country.code, c.percentage) for c in programme.countries.all()} == {
        ("SN", Decimal("60")),
        ("ML", Decimal("40")),
    }
    assert {(s.code, s.percentage) for s in programme.sectors.all()} == {
        ("11220", Decimal("70")),
        ("11130", Decimal("30")),
    }
    sn = Project.objects.get(code="xi-iati-exd-1001-sn")
    ml = Project.objects.get(code="xi-iati-exd-1001-ml")
    assert sn.programme == programme and ml.programme == programme
    assert sn.country == coop.senegal and ml.country == coop.mali
    # No percentage in the file: one sector takes 100 %.
    assert [(s.code, s.percentage) for s in ml.sectors.all()] == [("11220", Decimal("100"))]

    opportunity = Opportunity.objects.get(iati_identifier="XI-IATI-EXD-2001")
    assert opportunity.partner == donor
    assert opportunity.expected_amount == Decimal("500000.50")  # its two budgets
    assert opportunity.currency == "USD"
    assert opportunity.expected_year == 2027
    assert not Programme.objects.filter(code="xi-iati-exd-2001").exists()

    meals = Programme.objects.get(code="xi-iati-exd-3001")
    # Burkina Faso is not in the tree: noted, left out.
    assert [c.country.code for c in meals.countries.all()] == ["SN"]
    assert any("BF" in note for note in result.notes)
    assert any("vocabulaire 2" in note for note in result.notes)
    assert counts()["AuditEntry"] > before["AuditEntry"]


def test_reimport_changes_nothing(coop):
    import_activities(DONOR_203)
    after_first = counts()
    result = import_activities(DONOR_203)
    assert counts() == after_first
    assert {action for _kind, action, _label in result.changes} == {"unchanged"}


def test_a_changed_title_is_updated_on_reimport(coop):
    import_activities(DONOR_203)
    changed = DONOR_203.read_bytes().replace(b"School meals", b"School meals and health")
    result = import_activities(changed)
    assert Programme.objects.get(code="xi-iati-exd-3001").title_fr == "School meals and health"
    assert result.count("programme", "updated") == 1


def test_dry_run_writes_nothing(coop):
    before = counts()
    out = io.StringIO()
    call_command("iati_import", str(DONOR_203), "--dry-run", stdout=out)
    assert counts() == before
    text = out.getvalue()
    assert "programme created" in text and "Dry run" in text
    assert "opportunity: 1 created" in text


def test_a_201_file(coop):
    result = import_activities(DATA / "iati-donor-2.01.xml")
    assert result.problems == [] and result.version == "2.01"
    programme = Programme.objects.get(code="xi-iati-old-77")
    assert programme.title_fr == "Alphabétisation des adultes"
    assert programme.status == "3"
    assert programme.lead_partner.iati_identifier == "XI-IATI-OLD"
    assert programme.lead_partner.kind == "agency"
    opportunity = Opportunity.objects.get(iati_identifier="XI-IATI-OLD-78")
    # No budget: its incoming commitment, in the default currency.
    assert opportunity.expected_amount == Decimal("250000")


def test_a_105_file_is_refused_naming_its_version(coop):
    before = counts()
    with pytest.raises(CommandError) as exc:
        call_command("iati_import", str(DATA / "iati-donor-1.05.xml"))
    assert "IATI 1.0x" in str(exc.value)
    assert "1.05" in str(exc.value)
    assert counts() == before


def test_malformed_xml_is_refused(coop):
    before = counts()
    broken = DONOR_203.read_bytes()[:2000]
    with pytest.raises(IatiFileRefused, match="bien formé"):
        import_activities(broken)
    assert counts() == before


def test_billion_laughs_is_refused(coop):
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
        + entities
        + ']><iati-activities version="2.03"><iati-activity><iati-identifier>&lol9;'
        "</iati-identifier></iati-activity></iati-activities>"
    ).encode()
    before = counts()
    with pytest.raises(IatiFileRefused, match="DTD"):
        import_activities(bomb)
    assert counts() == before


def test_external_entity_is_refused(coop, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<iati-activities version="2.03"><iati-activity><iati-identifier>&x;</iati-identifier>'
        "</iati-activity></iati-activities>"
    ).encode()
    with pytest.raises(IatiFileRefused, match="DTD"):
        import_activities(xxe)


def test_a_file_over_the_size_limit_is_refused(coop, settings):
    settings.PILOTAGE_IATI_IMPORT_MAX_BYTES = 1000
    with pytest.raises(IatiFileRefused, match="limite"):
        import_activities(DONOR_203)


def test_an_unknown_version_is_refused(coop):
    with pytest.raises(IatiFileRefused, match="9.99"):
        import_activities(b'<iati-activities version="9.99"/>')


def test_problems_name_the_activity_and_the_element_and_nothing_is_written(coop):
    data = (
        DONOR_203.read_bytes()
        .replace(b'iso-date="2025-02-15"', b'iso-date="15/02/2025"')
        .replace(b'<activity-status code="4"/>', b'<activity-status code="9"/>')
    )
    before = counts()
    result = import_activities(data)
    assert [(p.identifier, p.element) for p in result.problems] == [
        ("XI-IATI-EXD-1001", "activity-date/@iso-date"),
        ("XI-IATI-EXD-3001", "activity-status/@code"),
    ]
    assert "15/02/2025" in result.problems[0].message
    assert counts() == before


def test_a_programme_without_an_end_date_is_a_problem_and_nothing_is_written(coop):
    data = DONOR_203.read_bytes().replace(b'<activity-date type="4" iso-date="2024-06-30"/>', b"")
    before = counts()
    result = import_activities(data)
    assert [(p.identifier, p.element) for p in result.problems] == [
        ("XI-IATI-EXD-3001", "activity-date")
    ]
    assert counts() == before


def test_the_command_lists_the_problems(coop, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(
        DONOR_203.read_bytes().replace(b'<activity-date type="4" iso-date="2024-06-30"/>', b"")
    )
    before = counts()
    with pytest.raises(CommandError, match="XI-IATI-EXD-3001 · activity-date"):
        call_command("iati_import", str(bad))
    assert counts() == before
