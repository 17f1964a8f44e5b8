"""The import pipeline every domain uses: the upload stored through Django's storage and
handed to the worker by name, deleted when the job ends; the size limit; the template
download; the command's and the job's rejection format; a kernel that imports no domain."""

from __future__ import annotations

import ast
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from openpyxl import load_workbook

from pilotage.core.imports import (
    JOB_PROBLEMS,
    ImportKind,
    import_job_run,
    import_kind,
    import_kind_register,
)
from pilotage.core.jobs import Progress
from pilotage.core.models import AuditEntry, Job
from pilotage.core.tabular import ImportRejected, Problem, open_table
from pilotage.orgunits.models import OrgUnit

GOOD = "code,parent_code,level,name_fr\nMA-TNG-C077,MA-TNG,commune,Commune test\n"
BAD = "code,parent_code,level,name_fr\nX1,MA-NOPE,commune,Nulle part\n"


def stored_uploads() -> list[str]:
    if not default_storage.exists("imports"):
        return []
    return default_storage.listdir("imports")[1]


def post(client, data: bytes, name: str = "unites.csv", url: str = "/orgunits/import/"):  # type: ignore[no-untyped-def]
    file = io.BytesIO(data)
    file.name = name
    return client.post(url, {"file": file})


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "status"), [(GOOD, "succeeded"), (BAD, "failed")])
def test_the_worker_gets_a_storage_name_and_the_file_is_deleted_at_the_end(
    client, personas, django_capture_on_commit_callbacks, run_jobs, data: str, status: str
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, data.encode())
    job = Job.objects.get()
    name = job.params["upload"]
    # A name in the storage, not a path on the web server's disk.
    assert "path" not in job.params and not Path(name).is_absolute()
    assert name.startswith("imports/") and name.endswith("unites.csv")
    assert default_storage.exists(name)
    run_jobs()
    job.refresh_from_db()
    assert job.status == status, job.result
    assert not default_storage.exists(name) and stored_uploads() == []


@pytest.mark.django_db
def test_the_file_is_deleted_when_the_importer_fails(personas) -> None:  # type: ignore[no-untyped-def]
    def broken(**kwargs: Any) -> dict[str, int]:
        raise RuntimeError("boom")

    kind = ImportKind(
        name="test.broken",
        label="broken",
        title="broken",
        columns=["a"],
        example={"a": 1},
        run=broken,
        may_open=lambda actor: True,
    )
    name = default_storage.save("imports/x-broken.csv", io.BytesIO(b"a\n1\n"))
    with pytest.raises(RuntimeError):
        import_job_run(kind, Progress(None), upload=name, filename="x.csv", actor_id=None)
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_refused_before_it_is_stored(
    client, personas, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PILOTAGE_UPLOAD_MAX_BYTES = 1000
    client.force_login(personas.national_admin)
    before = OrgUnit.objects.count(), AuditEntry.objects.count()
    response = post(client, GOOD.encode() + b"\n" * 2000)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le fichier dépasse la taille maximale de 1000" in page
    assert not Job.objects.exists() and stored_uploads() == []
    assert (OrgUnit.objects.count(), AuditEntry.objects.count()) == before
    # The message speaks the reader's language.
    client.cookies["django_language"] = "en"
    response = post(client, GOOD.encode() + b"\n" * 2000)
    assert "The file is larger than the maximum size" in response.content.decode()
    # A file within the limit goes through.
    settings.PILOTAGE_UPLOAD_MAX_BYTES = 10_000
    assert post(client, GOOD.encode()).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "kind", "persona"),
    [
        ("/orgunits/import/", "orgunits.import", "national_admin"),
        ("/schooling/import/students/", "schooling.import_students", "head_a"),
        ("/schooling/import/teachers/", "schooling.import_teachers", "head_a"),
        ("/schooling/import/marks/", "schooling.import_marks", "teacher_a1"),
    ],
)
def test_every_import_offers_its_template(client, personas, url, kind, persona) -> None:  # type: ignore[no-untyped-def]
    spec = import_kind(kind)
    client.force_login(getattr(personas, persona))
    page = client.get(url).content.decode()
    assert f'href="{url}template.xlsx"' in page
    response = client.get(f"{url}template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    header, example = list(sheet.iter_rows(values_only=True))
    assert list(header) == spec.all_columns
    assert all(v not in (None, "") for v in example[: len(spec.columns)])
    # The template passes the kernel's reader as it is.
    table = open_table(
        io.BytesIO(data),
        filename="t.xlsx",
        required=list(spec.columns),
        optional=list(spec.optional),
    )
    assert [n for n, _v in table.rows] == [2]


@pytest.mark.django_db
def test_the_template_is_not_for_everyone(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    assert client.get("/orgunits/import/template.xlsx").status_code == 404
    client.force_login(personas.parent_a)
    assert client.get("/schooling/import/marks/template.xlsx").status_code == 404


def many_problems(**kwargs: Any) -> dict[str, int]:
    problems = [Problem(n, "a", "x" * 5000, "mauvais") for n in range(2, 1000)]
    raise ImportRejected(problems[:600], total=5000)


MANY = import_kind_register(
    ImportKind(
        name="test.many_problems",
        label="many",
        title="many",
        columns=["a"],
        example={"a": 1},
        run=many_problems,
        may_open=lambda actor: True,
    )
)


@pytest.mark.django_db
def test_a_rejected_job_keeps_a_small_result_and_says_how_many_more(client, personas) -> None:  # type: ignore[no-untyped-def]
    from pilotage.core.jobs import job_execute
    from pilotage.core.views import PAGE_PROBLEMS

    name = default_storage.save("imports/x-many.csv", io.BytesIO(b"a\n1\n"))
    job = Job.objects.create(
        kind=MANY.name,
        params={"upload": name, "filename": "x.csv", "actor_id": None},
        created_by=personas.national_admin,
    )
    job_execute(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert len(job.result["problems"]) == JOB_PROBLEMS and job.result["count"] == 5000
    # A value is quoted cut, never whole.
    assert {len(p["value"]) for p in job.result["problems"]} == {80}
    assert job.result["problems"][0]["value"].endswith("…")
    assert len(str(job.result)) < 40_000
    client.force_login(personas.national_admin)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Fichier refusé : 5000 problèmes" in page
    # The page shows the first ones and counts the rest; the download has what was kept.
    assert page.count("<tr data-row=") == PAGE_PROBLEMS
    assert "… et 4950 autres problèmes, non affichés ici." in page
    assert "x" * 81 not in page
    assert f'href="/jobs/{job.pk}/problems.csv"' in page
    download = client.get(f"/jobs/{job.pk}/problems.csv")
    assert download["Content-Type"].startswith("text/csv")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Ligne;Colonne;Valeur;Motif"
    assert len(lines) == 1 + JOB_PROBLEMS + 1
    assert lines[1].startswith("2;a;xxx") and lines[1].endswith(";mauvais")
    assert lines[-1] == ";;;… et 4800 autres problèmes, non listés."
    api = client.get(f"/api/v1/jobs/{job.pk}")
    assert api.status_code == 200 and len(api.content) < 40_000


@pytest.mark.django_db
def test_the_org_unit_command_says_how_many_problems_it_did_not_list(
    personas, tmp_path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.core import tabular
    from pilotage.orgunits import imports

    rows = "".join(f"X{n},MA-NOPE,commune,Nulle part\n" for n in range(30))
    path = tmp_path / "bad.csv"
    path.write_text("code,parent_code,level,name_fr\n" + rows, encoding="utf-8")
    monkeypatch.setattr(tabular, "MAX_PROBLEMS", 10)
    assert imports.Problems  # the org-unit import collects with the kernel's collector
    with pytest.raises(SystemExit) as exited:
        call_command("import_orgunits", str(path))
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "… 20 more problem(s) not listed." in err
    assert "bad.csv: rejected, 30 problem(s); nothing written." in err


@pytest.mark.parametrize("module", ["imports", "tabular", "jobs"])
def test_the_import_machinery_imports_no_domain_app(module: str) -> None:
    source = Path(__file__).resolve().parents[1] / f"{module}.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert {n for n in imported if n.startswith("pilotage.") and n.split(".")[1] != "core"} == set()


@pytest.mark.django_db
def test_a_malformed_content_length_is_no_server_error(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    response = client.post("/orgunits/import/", {}, CONTENT_LENGTH="abc")
    assert response.status_code == 200
    assert not Job.objects.exists() and stored_uploads() == []
