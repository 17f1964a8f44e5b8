"""The in-app builder of simple forms: the questions of a survey's form as rows of a table
(type, name, labels in French and Arabic, required, shown when, choices), saved as a new
form version through the same XLSForm path as an uploaded workbook, so the workbook can be
downloaded, edited in Excel and loaded again."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pilotage.surveys import permissions as perms
from pilotage.surveys.builder import (
    KINDS,
    Choice,
    NotSimple,
    Question,
    check_questions,
    questions_from_tree,
    xlsform_from_questions,
)
from pilotage.surveys.models import Survey
from pilotage.surveys.selectors import survey_get
from pilotage.surveys.services.forms import survey_form_load
from pilotage.surveys.xlsform import XLSFormRejected

ROWS_MAX = 200


def _choices_text(question: Question) -> str:
    return "\n".join(f"{c.name} | {c.label_fr} | {c.label_ar}" for c in question.choices)


def _choices(text: str) -> list[Choice]:
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", ""]
        found.append(Choice(parts[0], parts[1], parts[2]))
    return found


def _rows(post: QueryDict) -> list[Question]:
    count = min(
        int(post.get("count", "0") or 0) if (post.get("count") or "").isdigit() else 0, ROWS_MAX
    )
    found = []
    for i in range(count):
        if post.get(f"q-{i}-delete"):
            continue
        name = (post.get(f"q-{i}-name") or "").strip()
        label = (post.get(f"q-{i}-label_fr") or "").strip()
        if not name and not label:
            continue
        found.append(
            Question(
                kind=post.get(f"q-{i}-kind") or "text",
                name=name,
                label_fr=label,
                label_ar=(post.get(f"q-{i}-label_ar") or "").strip(),
                required=bool(post.get(f"q-{i}-required")),
                relevant=(post.get(f"q-{i}-relevant") or "").strip(),
                choices=_choices(post.get(f"q-{i}-choices") or ""),
            )
        )
    return found


def _form_id(survey: Survey) -> str:
    current = survey.current_form
    if current is not None:
        return current.form_id
    return (slugify(survey.title_fr).replace("-", "_")[:60] or "formulaire").strip(
        "_"
    ) or "formulaire"


@require_http_methods(["GET", "POST"])
def builder(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_get(request.user, pk)
    if not perms.can_manage(request.user, survey):
        raise Http404
    current = survey.current_form
    problems: list[str] = []
    not_simple = ""
    questions: list[Question] = []
    if request.method == "POST":
        questions = _rows(request.POST)
        if request.POST.get("action") == "save":
            problems = check_questions(questions) or (
                [_("ajoutez au moins une question")] if not questions else []
            )
            if not problems:
                data = xlsform_from_questions(
                    questions,
                    form_id=_form_id(survey),
                    title=survey.title_fr,
                    version=timezone.localtime().strftime("%Y%m%d%H%M"),
                )
                try:
                    version = survey_form_load(
                        actor=request.user, survey=survey, data=data, name="formulaire.xlsx"
                    )
                except XLSFormRejected as exc:
                    problems = [str(p) for p in exc.problems]
                else:
                    messages.success(
                        request, _("Version %(n)s enregistrée.") % {"n": version.number}
                    )
                    return redirect("surveys:survey", survey.pk)
    elif current is not None:
        try:
            questions = questions_from_tree(current.tree)
        except NotSimple as exc:
            not_simple = str(exc)
    extra = 1 if request.method == "GET" or request.POST.get("action") == "add" else 0
    rows = [(q, _choices_text(q)) for q in questions] + [
        (Question("text", "", ""), "") for _ in range(extra)
    ]
    return render(
        request,
        "surveys/builder.html",
        {
            "survey": survey,
            "rows": rows,
            "count": len(rows),
            "kinds": KINDS,
            "problems": problems,
            "not_simple": not_simple,
        },
        status=400 if problems else 200,
    )


urlpatterns = [path("<int:pk>/builder/", builder, name="builder")]
