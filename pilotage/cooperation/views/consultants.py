"""The consultant pages: the registry (managers), a contract (its work plan, deliverables
and activity reports), a deliverable (its versions and reviews, the upload and review
forms), a version's file, the consultant's own space and the managers' "to review" list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.consultants import (
    DeliverableForm,
    ReportForm,
    ReportReviewForm,
    ReviewForm,
    VersionForm,
)
from pilotage.cooperation.models import Consultant, DeliverableStatus
from pilotage.cooperation.selectors.consultants import (
    consultant_contracts,
    consultants_list,
    contract_deliverables,
    contract_get,
    contract_reports,
    contract_workplan,
    deliverable_get,
    deliverable_version_get,
    deliverables_to_review,
    my_deliverables_due,
    report_get,
    reports_to_review,
)
from pilotage.cooperation.services.consultants import (
    activity_report_review,
    activity_report_submit,
    deliverable_create,
    deliverable_review,
    deliverable_submit,
)
from pilotage.core.forms import form_errors_add

PAGE_SIZE = 50


def consultants(request: HttpRequest) -> HttpResponse:
    if not perms.can_view_consultants(request.user):
        raise Http404
    page = Paginator(consultants_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cooperation/consultants/list.html", {"page_obj": page})


def consultant_space(request: HttpRequest) -> HttpResponse:
    """The consultant's own page: their contracts, deliverables due and work plan."""
    if not perms.is_consultant(request.user):
        raise Http404
    profile = Consultant.objects.filter(user_id=request.user.pk or 0).first()
    contracts = list(consultant_contracts(request.user, profile)) if profile else []
    return render(
        request,
        "cooperation/consultants/mine.html",
        {
            "profile": profile,
            "contracts": contracts,
            "due": my_deliverables_due(request.user),
        },
    )


def contract(request: HttpRequest, pk: int) -> HttpResponse:
    found = contract_get(request.user, pk)
    holder = perms.is_contract_holder(request.user, found)
    reviewer = perms.can_review_contract(request.user, found)
    deliverable_form = DeliverableForm(
        request.POST if request.POST.get("form") == "deliverable" else None, prefix="d"
    )
    report_form = ReportForm(
        request.POST if request.POST.get("form") == "report" else None,
        request.FILES or None,
        prefix="r",
    )
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "deliverable" and reviewer and deliverable_form.is_valid():
                deliverable_create(
                    actor=request.user, contract=found, **deliverable_form.cleaned_data
                )
                messages.success(request, _("Livrable ajouté."))
                return redirect("cooperation:contract", found.pk)
            if kind == "report" and holder and report_form.is_valid():
                data = report_form.cleaned_data
                activity_report_submit(
                    actor=request.user,
                    contract=found,
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    text=data["text"],
                    upload=data["file"] or None,
                )
                messages.success(request, _("Rapport d'activité remis."))
                return redirect("cooperation:contract", found.pk)
            if not ((kind == "deliverable" and reviewer) or (kind == "report" and holder)):
                raise Http404
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_errors_add(deliverable_form if kind == "deliverable" else report_form, exc)
    return render(
        request,
        "cooperation/consultants/contract.html",
        {
            "contract": found,
            "deliverables": contract_deliverables(found),
            "reports": contract_reports(found),
            "activities": contract_workplan(request.user, found),
            "holder": holder,
            "reviewer": reviewer,
            "deliverable_form": deliverable_form,
            "report_form": report_form,
            "review_form": ReportReviewForm(prefix="rr"),
        },
    )


def deliverable(request: HttpRequest, pk: int) -> HttpResponse:
    found = deliverable_get(request.user, pk)
    contract_ = found.contract
    holder = perms.is_contract_holder(request.user, contract_)
    reviewer = perms.can_review_contract(request.user, contract_)
    versions = list(found.versions.all())
    latest = versions[0] if versions else None
    can_submit = holder and found.status in (DeliverableStatus.PENDING, DeliverableStatus.REJECTED)
    can_review = (
        reviewer
        and latest is not None
        and found.status in (DeliverableStatus.SUBMITTED, DeliverableStatus.UNDER_REVIEW)
    )
    kind = request.POST.get("form")
    version_form = VersionForm(
        request.POST if kind == "version" else None, request.FILES if kind == "version" else None
    )
    review_form = ReviewForm(request.POST if kind == "review" else None)
    if request.method == "POST":
        if not ((kind == "version" and can_submit) or (kind == "review" and can_review)):
            raise Http404
        form = version_form if kind == "version" else review_form
        if form.is_valid():
            try:
                if kind == "version":
                    version = deliverable_submit(
                        actor=request.user,
                        deliverable=found,
                        upload=version_form.cleaned_data["file"],
                        note=version_form.cleaned_data["note"],
                    )
                    messages.success(
                        request, _("Version %(number)s remise.") % {"number": version.number}
                    )
                elif latest is not None:
                    deliverable_review(
                        actor=request.user,
                        version=latest,
                        decision=review_form.cleaned_data["decision"],
                        comment=review_form.cleaned_data["comment"],
                    )
                    messages.success(request, _("Examen enregistré."))
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                return redirect("cooperation:deliverable", found.pk)
    return render(
        request,
        "cooperation/consultants/deliverable.html",
        {
            "deliverable": found,
            "contract": contract_,
            "versions": versions,
            "latest": latest,
            "can_submit": can_submit,
            "can_review": can_review,
            "version_form": version_form,
            "review_form": review_form,
        },
    )


def version_file(request: HttpRequest, pk: int) -> FileResponse:
    version = deliverable_version_get(request.user, pk)
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.name,
        content_type=version.content_type,
    )


def report_file(request: HttpRequest, pk: int) -> FileResponse:
    report = report_get(request.user, pk)
    if not report.file:
        raise Http404
    return FileResponse(report.file.open("rb"), as_attachment=True)


def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get(request.user, pk)
    if request.method != "POST" or not perms.can_review_contract(request.user, report.contract):
        raise Http404
    form = ReportReviewForm(request.POST, prefix="rr")
    if form.is_valid():
        try:
            activity_report_review(
                actor=request.user,
                report=report,
                approve=form.cleaned_data["approve"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Rapport lu."))
    else:
        messages.error(request, _("Choisissez une décision."))
    return redirect("cooperation:contract", report.contract.pk)


def to_review(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_consultants(request.user):
        raise Http404
    return render(
        request,
        "cooperation/consultants/to_review.html",
        {
            "deliverables": deliverables_to_review(request.user),
            "reports": reports_to_review(request.user),
        },
    )


urlpatterns = [
    path("consultants/", consultants, name="consultants"),
    path("consultants/mine/", consultant_space, name="consultant-space"),
    path("consultants/to-review/", to_review, name="to-review"),
    path("contracts/<int:pk>/", contract, name="contract"),
    path("deliverables/<int:pk>/", deliverable, name="deliverable"),
    path("deliverable-versions/<int:pk>/file/", version_file, name="deliverable-file"),
    path("activity-reports/<int:pk>/file/", report_file, name="report-file"),
    path("activity-reports/<int:pk>/review/", report_review, name="report-review"),
]
