"""One import pipeline for every domain: upload → stored file → background job → the
domain's importer (read with ``core.tabular``, validate, list the problems, apply all or
nothing) → a result or a rejection, the same on the page, in the job's API and in the
terminal. docs/imports.md ("Adding an import") walks through it.

A domain declares an :class:`ImportKind` and registers it with :func:`import_kind_register`
from a module its ``AppConfig.ready`` imports; the kernel offers the upload page, the
template download, the job and the management-command base class. The kernel never
imports a domain: it knows the kinds only through this registry.

An upload is stored through Django's storage (the ``imports`` storage of ``STORAGES`` if
there is one, else the default storage) and handed to the worker by its name, so a worker
on another machine reads it the same way; the job deletes it when it ends, whatever the
outcome. Its size is checked against ``PILOTAGE_UPLOAD_MAX_BYTES`` before it is stored.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import Storage, default_storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from pilotage.core.jobs import Progress, TerminalReporter, job_kind, job_kinds, job_start
from pilotage.core.tabular import ImportRejected

UPLOAD_MAX_BYTES = 50 * 1024 * 1024
# A rejected job keeps this many problems in its result (the page and the API show them)
# with the total: the result stays small whatever the file.
JOB_PROBLEMS = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Column:
    """One column of an import, as the importer checks it and as its page, its template
    and the template's second sheet explain it: the importer's list of names is built
    from these, so the explanation cannot name a column the importer does not read.

    ``required``: a value must be given (the column itself must always be present,
    unless the kind lists it in ``optional``). ``format`` says how a value is written,
    ``allowed`` the values accepted when they are few; both are for people."""

    name: str
    description: str | Promise = ""
    example: Any = ""
    required: bool = True
    format: str | Promise = ""
    allowed: str | Promise = ""


def column_names(columns: Sequence[Column]) -> list[str]:
    return [c.name for c in columns]


def column_examples(columns: Sequence[Column]) -> dict[str, Any]:
    return {c.name: c.example for c in columns}


class Importer(Protocol):
    def __call__(
        self,
        *,
        actor: Any,
        stream: IO[bytes],
        filename: str,
        dry_run: bool = False,
        progress: Progress | None = None,
        source: str = "",
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ImportKind:
    """What a domain tells the kernel about one of its imports.

    ``run`` validates the whole file, raises :class:`ImportRejected` with every problem,
    or applies it in one transaction (``dry_run``: validates only, the preview) and
    returns its counts, and a ``"summary"`` (:func:`pilotage.core.jobs.job_summary`)
    that the job page shows. ``may_open(actor)`` guards the page; each row is then
    checked against the actor's reach by ``run`` itself. ``described`` explains the
    columns (:class:`Column`); a kind without it lists their names only."""

    name: str
    label: str | Promise
    title: str | Promise
    columns: Sequence[str]
    example: Mapping[str, Any]
    run: Importer
    may_open: Callable[[Any], bool]
    optional: Sequence[str] = ()
    help: Sequence[str | Promise] = ()
    # Why the importer needs an account (the command then requires --user); "" if not.
    actor_required: str = ""
    dry_run: bool = True
    described: Sequence[Column] = ()

    @property
    def all_columns(self) -> list[str]:
        return [*self.columns, *self.optional]

    def column_rows(self) -> list[tuple[Column, bool]]:
        """Every column in the file's order, explained, with whether the header must
        have it."""
        known = {c.name: c for c in self.described}
        optional = set(self.optional)
        return [
            (
                known.get(name) or Column(name, example=self.example.get(name, "")),
                name not in optional,
            )
            for name in self.all_columns
        ]


_KINDS: dict[str, ImportKind] = {}


def import_kind_register(kind: ImportKind) -> ImportKind:
    """Make ``kind`` known to the upload page, the command base and the job worker."""
    _KINDS[kind.name] = kind

    def run(progress: Progress, **params: Any) -> dict[str, Any]:
        return import_job_run(kind, progress, **params)

    job_kind(kind.name, label=kind.label)(run)
    return kind


def import_kind(name: str) -> ImportKind:
    """A registered kind; the apps' ``tasks.py``, where kinds are registered, are read first."""
    job_kinds()
    return _KINDS[name]


# --- Stored uploads --------------------------------------------------------------------------


def import_storage() -> Storage:
    return storages["imports"] if "imports" in settings.STORAGES else default_storage


def upload_max_bytes() -> int:
    return int(getattr(settings, "PILOTAGE_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES))


def upload_too_large_message() -> str:
    return str(
        _("Le fichier dépasse la taille maximale de %(size)s ; découpez-le.")
        % {"size": filesizeformat(upload_max_bytes())}
    )


def upload_store(upload: UploadedFile) -> str:
    """Store an upload for a worker; returns its storage name. The caller has checked
    its size (:class:`ImportForm` does)."""
    basename = get_valid_filename(Path(upload.name or "upload").name) or "upload"
    return import_storage().save(f"imports/{uuid.uuid4().hex}-{basename}", upload)


def rejection_result(rejected: ImportRejected) -> dict[str, Any]:
    """What a rejected job keeps: the first problems and the total."""
    return {
        "rejected": True,
        "problems": [p.as_dict() for p in rejected.problems[:JOB_PROBLEMS]],
        "count": rejected.total,
    }


def import_job_run(
    kind: ImportKind,
    progress: Progress,
    *,
    upload: str,
    filename: str,
    actor_id: int | None,
    dry_run: bool = False,
    page: str = "",
) -> dict[str, Any]:
    """The job: read the stored upload, run the importer, delete the upload. ``page``,
    the upload page, is for the job's page to link back to."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    source = f"{filename} (job {progress.job.pk})" if progress.job else filename
    storage = import_storage()
    try:
        with storage.open(upload, "rb") as stream:
            result: dict[str, Any] = kind.run(
                actor=actor,
                stream=stream,
                filename=filename,
                dry_run=dry_run,
                progress=progress,
                source=source,
            )
    except ImportRejected as rejected:
        return rejection_result(rejected)
    finally:
        storage.delete(upload)
    if dry_run:
        result["dry_run"] = True
    return result


# --- The upload page -----------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV ou XLSX"))
    dry_run = forms.BooleanField(
        label=_("Vérifier seulement (rien n'est enregistré)"), required=False
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > upload_max_bytes():
            raise forms.ValidationError(upload_too_large_message())
        return upload


def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    """The page of every import: GET shows the columns and the form; POST stores the file
    and starts the job, then sends the user to the job's page (progress, then the result
    or every problem of a rejected file)."""
    spec = import_kind(kind)
    if not spec.may_open(request.user):
        raise Http404
    form = ImportForm()
    if request.method == "POST":
        # Refused on the declared length, before the body is read and stored anywhere.
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > upload_max_bytes() + 64 * 1024:
            form.errors["file"] = form.error_class([upload_too_large_message()])
        else:
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                name = upload_store(upload)
                with transaction.atomic():
                    job = job_start(
                        actor=request.user,
                        kind=spec.name,
                        params={
                            "upload": name,
                            "filename": Path(upload.name).name,
                            "actor_id": request.user.pk,
                            "dry_run": spec.dry_run and form.cleaned_data["dry_run"],
                            "page": request.path,
                        },
                    )
                return redirect("core:job", pk=job.pk)
    if not spec.dry_run:
        del form.fields["dry_run"]
    return render(
        request,
        "core/import.html",
        {
            "form": form,
            "kind": spec,
            "template_url": request.path.rstrip("/") + "/template.xlsx",
            "template_csv_url": request.path.rstrip("/") + "/template.csv",
            "columns": spec.column_rows(),
            "max_size": upload_max_bytes(),
        },
    )


def template_rows(spec: ImportKind) -> tuple[list[str], list[Any]]:
    """The template's header and example row: the importer's own columns."""
    return spec.all_columns, [column.example for column, _in_header in spec.column_rows()]


def template_notes(spec: ImportKind) -> list[list[str]]:
    """The explanation of every column, as the page shows it, for the template's second
    sheet: a heading row, then a row a column."""
    rows = [
        [
            str(_("Colonne")),
            str(_("Obligatoire")),
            str(_("Contenu")),
            str(_("Format")),
            str(_("Valeurs admises")),
            str(_("Exemple")),
        ]
    ]
    for column, in_header in spec.column_rows():
        rows.append(
            [
                column.name,
                str(required_label(column, in_header)),
                str(column.description),
                str(column.format),
                str(column.allowed),
                cell_example(column.example),
            ]
        )
    return rows


def required_label(column: Column, in_header: bool) -> str | Promise:
    if not in_header:
        return _("non (colonne facultative)")
    return _("oui") if column.required else _("non (peut rester vide)")


def cell_example(value: Any) -> str:
    return "" if value is None else str(value)


def import_template(request: HttpRequest, kind: str, fmt: str = "xlsx") -> HttpResponse:
    """The file to fill in, built from the importer's columns: the header, one example
    row, and (XLSX) a second sheet explaining each column in the reader's language."""
    spec = import_kind(kind)
    if not spec.may_open(request.user):
        raise Http404
    header, example = template_rows(spec)
    filename = spec.name.replace(".", "-")
    if fmt == "csv":
        buffer_text = io.StringIO()
        writer = csv.writer(buffer_text, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow([cell_example(v) for v in example])
        # With a BOM, Excel reads the file as UTF-8 (Arabic names survive).
        response = HttpResponse(
            codecs.BOM_UTF8 + buffer_text.getvalue().encode(), content_type=CSV_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Données"))[:31])
    sheet.append(header)
    sheet.append(example)
    notes = book.create_sheet(str(_("Colonnes"))[:31])
    for row in template_notes(spec):
        notes.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def import_urls(route: str, kind: str, name: str) -> list[URLPattern]:
    """The page and the template download of ``kind`` at ``route`` (ending in ``/``)."""
    return [
        path(route, import_upload, {"kind": kind}, name=name),
        path(
            f"{route.rstrip('/')}/template.xlsx",
            import_template,
            {"kind": kind},
            name=name + "_template",
        ),
        path(
            f"{route.rstrip('/')}/template.csv",
            import_template,
            {"kind": kind, "fmt": "csv"},
            name=name + "_template_csv",
        ),
    ]


# --- The command ---------------------------------------------------------------------------------


class ImportCommand(BaseCommand):
    """Base of every ``import_…`` command: ``kind`` names the registered import. Exit
    status 0 when the file is applied (or, with --dry-run, valid); 1 with every problem
    on stderr and nothing written."""

    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        spec = import_kind(self.kind)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument(
            "--user",
            help="Import as this account: its reach limits the rows and the audit log "
            "names it" + (f" (required: {spec.actor_required})." if spec.actor_required else "."),
        )

    def handle(
        self, *args: Any, file: Path, dry_run: bool, user: str | None, **options: Any
    ) -> None:
        spec = import_kind(self.kind)
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        actor = None
        if user:
            model = get_user_model()
            actor = model.objects.filter(**{model.USERNAME_FIELD: user}).first()
            if actor is None:
                raise CommandError(f"{user}: no such user")
        elif spec.actor_required:
            raise CommandError(f"--user is required: {spec.actor_required}")
        reporter = TerminalReporter(f"Import {file.name}")
        try:
            with file.open("rb") as stream:
                counts = spec.run(
                    actor=actor,
                    stream=stream,
                    filename=file.name,
                    dry_run=dry_run,
                    progress=Progress(None, echo=reporter),
                )
        except ImportRejected as rejected:
            reporter.close()
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            if rejected.total > len(rejected.problems):
                self.stderr.write(
                    f"… {rejected.total - len(rejected.problems)} more problem(s) not listed."
                )
            self.stderr.write(
                f"{file.name}: rejected, {rejected.total} problem(s); nothing written."
            )
            sys.exit(1)
        reporter.close()
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                prefix + ", ".join(f"{k} {v}" for k, v in counts.items() if k != "summary")
            )
        )
