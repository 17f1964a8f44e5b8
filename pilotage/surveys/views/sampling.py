"""The sample of a survey: its design (the size from the precision wanted, with the working
shown; the strata and their allocation previewed before anything is drawn), the draw and
its export, the invitations and reminders, and the response rate by stratum with the list
of those who have not answered."""

from __future__ import annotations

import csv
import io
import statistics
import uuid
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.core.jobs import job_start
from pilotage.core.tabular import ImportRejected
from pilotage.surveys import permissions as perms
from pilotage.surveys import sampling
from pilotage.surveys.forms import SampleForm
from pilotage.surveys.frames import (
    FrameUnit,
    associations_units,
    attributes_of,
    schools_units,
    uploaded_units,
)
from pilotage.surveys.models import FrameSource, Survey
from pilotage.surveys.selectors import (
    non_respondents,
    response_rates,
    sample_current,
    survey_get,
)
from pilotage.surveys.services.sampling import sample_draw
from pilotage.surveys.tasks import INVITE

FRAME_SALT = "pilotage.surveys.frame"
FRAME_MAX_BYTES = 20 * 1024 * 1024
PAGE_SIZE = 50


def _managed(request: HttpRequest, pk: int) -> Survey:
    found = survey_get(request.user, pk)
    if not perms.can_manage(request.user, found):
        raise Http404
    return found


def _frame(request: HttpRequest, survey: Survey, form: SampleForm) -> tuple[list[FrameUnit], str]:
    """The frame's units and, for an uploaded list, the signed name it is kept under (so the
    draw after the preview reads the same file without sending it again)."""
    source = form.cleaned_data["source"]
    if source == FrameSource.ASSOCIATIONS:
        return associations_units(survey), ""
    if source == FrameSource.SCHOOLS:
        return schools_units(survey), ""
    upload = form.cleaned_data.get("frame_file")
    kept = ""
    if upload is not None:
        if (upload.size or 0) > FRAME_MAX_BYTES:
            raise ValidationError({"frame_file": _("Liste trop lourde (20 Mo au plus).")})
        data = upload.read()
        name = default_storage.save(f"surveys/frames/{uuid.uuid4().hex}", ContentFile(data))
        kept = signing.dumps([name, upload.name or "liste"], salt=FRAME_SALT)
    elif request.POST.get("frame_token"):
        try:
            name, _shown = signing.loads(request.POST["frame_token"], salt=FRAME_SALT)
        except signing.BadSignature as exc:
            raise ValidationError({"frame_file": _("Renvoyez la liste des unités.")}) from exc
        kept = request.POST["frame_token"]
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
    else:
        raise ValidationError({"frame_file": _("Joignez la liste des unités.")})
    filename = signing.loads(kept, salt=FRAME_SALT)[1]
    try:
        units, _attributes = uploaded_units(data, filename)
    except ImportRejected as exc:
        raise ValidationError({"frame_file": [str(p) for p in exc.problems[:20]]}) from exc
    return units, kept


def _design(form: SampleForm, frame: list[FrameUnit]) -> dict[str, Any]:
    """The size (with its working) and, for a stratified design, the allocation, as the
    preview shows them; ValidationError when the frame cannot bear the design."""
    data = form.cleaned_data
    population = len(frame)
    try:
        working: sampling.SampleSize | None = sampling.sample_size(
            z=sampling.TABLE_Z.get(data["confidence"])
            or sampling.z_for_confidence(data["confidence"]),
            p=float(data["proportion"]),
            e=float(data["margin"]),
            N=population,
            response_rate=float(data["response_rate"]),
        )
    except ValueError as exc:
        # The precision asked for needs more units than the frame holds: an imposed n is
        # still drawn (without the working); otherwise the design must change.
        if not data["size"]:
            raise ValidationError(
                {
                    "margin": _(
                        "La précision demandée exige plus d'unités que la base n'en compte "
                        "(N = %(N)s) : interrogez toutes les unités, imposez n ou revoyez les "
                        "paramètres."
                    )
                    % {"N": population}
                }
            ) from exc
        working = None
    n = data["size"] or (working.n if working else population)
    design: dict[str, Any] = {"N": population, "n": n, "working": working, "strata": []}
    if data["method"] == "stratified":
        by = form.by_list()
        known = {name for f in frame for name in f.unit.attributes}
        unknown = [b for b in by if b not in known]
        if not by or unknown:
            raise ValidationError(
                {
                    "by": _(
                        "Variables de stratification inconnues : %(names)s (connues : %(known)s)"
                    )
                    % {"names": ", ".join(unknown) or "—", "known": ", ".join(sorted(known))}
                }
            )
        groups = sampling.strata([f.unit for f in frame], by)
        sd = _neyman_sd(form, frame, by) if data["allocation"] == "neyman" else None
        allocation = sampling.allocate(
            {k: len(v) for k, v in groups.items()},
            n,
            data["allocation"],
            sd=sd,
            minimum=data["minimum"],
        )
        design["by"] = by
        design["sd"] = sd
        design["strata"] = [
            {"key": " × ".join(k), "population": len(groups[k]), "sample": allocation.quotas[k]}
            for k in groups
        ]
    return design


def _neyman_sd(
    form: SampleForm, frame: list[FrameUnit], by: list[str]
) -> dict[tuple[str, ...], float]:
    variable = (form.cleaned_data.get("neyman_variable") or "").strip()
    values: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for f in frame:
        if variable not in f.numbers:
            raise ValidationError(
                {
                    "neyman_variable": _("La base n'a pas de variable numérique « %(v)s ».")
                    % {"v": variable}
                }
            )
        values[tuple(f.unit.attributes[b] for b in by)].append(f.numbers[variable])
    return {k: statistics.pstdev(v) if len(v) > 1 else 0.0 for k, v in values.items()}


def sample(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _managed(request, pk)
    form = SampleForm(request.POST or None, request.FILES or None)
    preview: dict[str, Any] | None = None
    frame_token = request.POST.get("frame_token", "")
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            frame, frame_token = _frame(request, survey, form)
            preview = _design(form, frame)
            if request.POST.get("action") == "draw":
                data = form.cleaned_data
                sample_draw(
                    actor=request.user,
                    survey=survey,
                    source=data["source"],
                    frame=frame,
                    n=preview["n"],
                    method=data["method"],
                    by=preview.get("by", ()),
                    allocation=data["allocation"],
                    seed=data["seed"],
                    sd=preview.get("sd"),
                    minimum=data["minimum"],
                    parameters={
                        "confidence": data["confidence"],
                        "margin": float(data["margin"]),
                        "proportion": float(data["proportion"]),
                        "response_rate": float(data["response_rate"]),
                        "n0": preview["working"].n0 if preview["working"] else None,
                    },
                )
                messages.success(
                    request, _("Échantillon tiré : %(n)s unités.") % {"n": preview["n"]}
                )
                return redirect("surveys:sample", survey.pk)
        except (ValidationError, ValueError) as exc:
            preview = None
            status = 400
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        except PermissionDenied as exc:
            raise Http404 from exc
    elif request.method == "POST":
        status = 400
    draw = sample_current(survey)
    return render(
        request,
        "surveys/sample.html",
        {
            "survey": survey,
            "form": form,
            "preview": preview,
            "frame_token": frame_token,
            "draw": draw,
            "rates": response_rates(survey) if draw else [],
            "attributes": {s: attributes_of(s) for s in FrameSource.values},
            "invited": survey.respondents.filter(invited_at__isnull=False).exists(),
        },
        status=status,
    )


def sample_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    survey = _managed(request, pk)
    draw = sample_current(survey)
    if draw is None or fmt not in ("csv", "xlsx"):
        raise Http404
    header = [
        _("ordre"),
        _("identifiant"),
        _("libellé"),
        _("strate"),
        "N_h",
        _("probabilité d'inclusion"),
        _("poids"),
        _("courriel"),
    ]
    rows = [
        [
            u.order,
            u.unit_key,
            u.label,
            u.stratum,
            u.stratum_population,
            u.inclusion_probability,
            u.weight,
            u.email,
        ]
        for u in draw.units.order_by("order")
    ]
    notes = [
        [_("méthode"), draw.design.get("method")],
        [_("strates"), draw.design.get("by")],
        [_("répartition"), draw.design.get("allocation")],
        [_("graine"), draw.seed],
        ["N", draw.population],
        ["n", draw.size],
    ]
    filename = f"echantillon-{survey.pk}"
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    if sheet is None:
        raise Http404
    sheet.title = _("échantillon")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    design = book.create_sheet(_("plan")[:31])
    for row in notes:
        design.append(row)
    out_bytes = io.BytesIO()
    book.save(out_bytes)
    response = HttpResponse(
        out_bytes.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def responses(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _managed(request, pk)
    stratum = request.GET.get("stratum", "")
    rates = response_rates(survey)
    page = Paginator(non_respondents(survey, stratum=stratum), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    drawn = sum(r.drawn for r in rates)
    submitted = sum(r.submitted for r in rates)
    return render(
        request,
        "surveys/responses.html",
        {
            "survey": survey,
            "rates": rates,
            "drawn": drawn,
            "submitted": submitted,
            "overall": submitted / drawn if drawn else None,
            "page_obj": page,
            "stratum": stratum,
            "querystring_base": f"stratum={stratum}&" if stratum else "",
            "can_enter": perms.can_enter(request.user, survey),
        },
    )


@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _managed(request, pk)
    reminder = request.POST.get("reminder") == "1"
    with transaction.atomic():
        job = job_start(
            actor=request.user,
            kind=INVITE,
            params={"survey": survey.pk, "actor_id": request.user.pk, "reminder": reminder},
        )
    return redirect("core:job", pk=job.pk)


urlpatterns = [
    path("<int:pk>/sample/", sample, name="sample"),
    path("<int:pk>/sample.<str:fmt>", sample_export, name="sample-export"),
    path("<int:pk>/responses/", responses, name="responses"),
    path("<int:pk>/invite/", invite, name="invite"),
]
