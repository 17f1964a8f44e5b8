"""Uploading a pupils, teachers or marks file: the page stores the upload and starts a
background job (``pilotage.schooling.imports``), then sends the user to the job's page,
whose progress bar polls until the job ends and which lists the problems of a rejected
file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from pilotage.core.jobs import job_start
from pilotage.schooling.imports import (
    IMPORTERS,
    MARK_COLUMNS,
    STUDENT_COLUMNS,
    TEACHER_COLUMNS,
    can_open_import,
)

PAGES = {
    "students": (_("Importer des élèves"), STUDENT_COLUMNS),
    "teachers": (_("Importer des enseignants"), TEACHER_COLUMNS),
    "marks": (_("Importer des notes"), MARK_COLUMNS),
}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV ou XLSX"))
    dry_run = forms.BooleanField(
        label=_("Vérifier seulement (rien n'est enregistré)"), required=False
    )


def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    if not can_open_import(request.user, kind):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(delete=False, suffix=Path(upload.name).suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
        with transaction.atomic():
            job = job_start(
                actor=request.user,
                kind=IMPORTERS[kind][0],
                params={
                    "path": tmp.name,
                    "filename": upload.name,
                    "actor_id": request.user.pk,
                    "dry_run": form.cleaned_data["dry_run"],
                },
            )
        return redirect("core:job", pk=job.pk)
    title, columns = PAGES[kind]
    return render(
        request,
        "schooling/import.html",
        {"form": form, "title": title, "columns": columns, "kind": kind},
    )


urlpatterns = [
    path("import/students/", import_upload, {"kind": "students"}, name="import_students"),
    path("import/teachers/", import_upload, {"kind": "teachers"}, name="import_teachers"),
    path("import/marks/", import_upload, {"kind": "marks"}, name="import_marks"),
]
