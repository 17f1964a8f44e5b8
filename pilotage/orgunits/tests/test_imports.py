from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from pilotage.core.models import AuditEntry, Job
from pilotage.core.tabular import ImportRejected
from pilotage.orgunits.imports import orgunits_import
from pilotage.orgunits.models import OrgUnit, OrgUnitGroup, School

pytestmark = pytest.mark.django_db

GOOD = (
    "code;parent_code;level;name_fr;name_ar;school_code;cycles;sector;milieu\n"
    "MA-TNG-C002;MA-TNG;commune;Commune d'Asilah;جماعة أصيلة;;;;\n"
    "05001K;MA-TNG-C002;etablissement;École Al Amal;مدرسة الأمل;05001K;primaire;public;rural\n"
    "05002K;MA-TNG-C002;etablissement;Groupe scolaire Annahda;مجموعة مدارس النهضة;05002K;primaire|college;prive;urbain\n"
)


def run(text: str, **kw) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return orgunits_import(
        actor=None, stream=io.BytesIO(text.encode("utf-8")), filename="units.csv", **kw
    )


def test_import_creates_the_units_and_is_idempotent(personas) -> None:  # type: ignore[no-untyped-def]
    assert run(GOOD) == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    school = School.objects.get(school_code="05002K")
    assert school.cycles == ["primaire", "college"]
    assert OrgUnit.objects.get_parent(school.org_unit).code == "MA-TNG-C002"
    assert OrgUnitGroup.objects.get(code="sector-prive").members.filter(code="05002K").exists()
    assert OrgUnitGroup.objects.get(code="milieu-rural").members.filter(code="05001K").exists()
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    audit = AuditEntry.objects.count()
    assert run(GOOD) == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3}
    assert AuditEntry.objects.count() == audit


def test_dry_run_writes_nothing(personas) -> None:  # type: ignore[no-untyped-def]
    before = OrgUnit.objects.count()
    assert run(GOOD, dry_run=True)["rows"] == 3
    assert OrgUnit.objects.count() == before


def test_rejection_lists_every_problem_and_writes_nothing(personas) -> None:  # type: ignore[no-untyped-def]
    bad = (
        "code,parent_code,level,name_fr,school_code,cycles,sector,milieu\n"
        "MA-TNG-C009,MA-TNG,commune,Commune valide,,,,\n"  # valid on its own
        "X1,MA-NOPE,commune,Nulle part,,,,\n"
        "X2,MA-TNG,etablissement,Mauvais niveau,X2,primaire,public,urbain\n"
        "X3,MA-TNG-C009,etablissement,Sans code,,maternelle,semi,ville\n"
        "X4,MA-TNG-C009,planete,,,,,\n"
        "MA-TNG-C009,MA-TNG,commune,Doublon,,,,\n"
        "X5,MA-TNG-C009,etablissement,Code pris,04101A,primaire,public,urbain\n"
    )
    before, audit = OrgUnit.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ImportRejected) as caught:
        run(bad)
    found = {(p.row, p.column, p.value) for p in caught.value.problems}
    assert (3, "parent_code", "MA-NOPE") in found
    assert (4, "level", "etablissement") in found
    assert {
        (5, "school_code", ""),
        (5, "cycles", "maternelle"),
        (5, "sector", "semi"),
        (5, "milieu", "ville"),
    } <= found
    assert {(6, "name_fr", ""), (6, "level", "planete")} <= found
    assert (7, "code", "MA-TNG-C009") in found
    assert (8, "school_code", "04101A") in found
    assert OrgUnit.objects.count() == before
    assert AuditEntry.objects.count() == audit


def test_import_through_the_page_runs_as_a_job(
    client, personas, django_capture_on_commit_callbacks, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    upload = io.BytesIO(GOOD.replace("É", "E").encode("cp1256"))  # cp1256 has no capital É
    upload.name = "unites.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/orgunits/import/", {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in page  # still queued: the bar keeps polling
    # The worker picks the task up from the database queue (django-tasks-db).
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert OrgUnit.objects.filter(code="05002K", name_ar="مجموعة مدارس النهضة").exists()
    page = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "every 1s" not in page and "100 %" in page
    # Another user cannot follow someone else's job.
    client.force_login(personas.provincial_a)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_rejected_file_shows_its_problems_on_the_job_page(
    client, personas, django_capture_on_commit_callbacks, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    upload = io.BytesIO(b"code,parent_code,level,name_fr\nX1,MA-NOPE,commune,Nulle part\n")
    upload.name = "unites.csv"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/orgunits/import/", {"file": upload})
    run_jobs()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "MA-NOPE" in page and "unité parente inconnue" in page


@pytest.mark.parametrize("persona", ["regional_officer", "provincial_a", "head_a"])
def test_import_page_is_for_national_admins(client, personas, persona: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    upload = io.BytesIO(GOOD.encode())
    upload.name = "u.csv"
    assert client.post("/orgunits/import/", {"file": upload}).status_code == 404
    assert not Job.objects.exists()


def test_command_exit_status(personas, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    call_command("import_orgunits", str(good))
    assert OrgUnit.objects.filter(code="05001K").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,parent_code,level,name_fr\nX1,MA-NOPE,commune,Nulle part\n", encoding="utf-8"
    )
    with pytest.raises(SystemExit) as exited:
        call_command("import_orgunits", str(bad))
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "ligne 2 · colonne parent_code · valeur « MA-NOPE » : unité parente inconnue" in err
