"""Knowledge-base pages: the staff's list, search, editing, versions and publishing, and the
public knowledge base (no login: by category, search, an article, the helpful vote)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.contact import permissions as perms
from pilotage.contact.forms.kb import (
    ArticleForm,
    SearchForm,
    StaffFilterForm,
    TwinForm,
    VoteForm,
)
from pilotage.contact.models import Article, ArticleStatus, Category
from pilotage.contact.selectors.kb import (
    article_compare,
    article_get,
    article_versions,
    articles_list,
    articles_visible,
    kb_search,
)
from pilotage.contact.services.kb import (
    article_create,
    article_file_add,
    article_status_set,
    article_twin_set,
    article_update,
    article_vote,
)
from pilotage.core.versioning import Conflict

PAGE_SIZE = 50


def _staff(request: HttpRequest) -> None:
    if not perms.can_use(request.user):
        raise Http404


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


# --- Staff ---------------------------------------------------------------------------


def kb(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = StaffFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if form.is_valid() else {}
    q = data.get("q", "")
    results = (
        kb_search(request.user, q, lang=data.get("lang", ""), limit=20, drafts=True) if q else []
    )
    context: dict[str, Any] = {"form": form, "q": q, "results": results}
    if request.headers.get("HX-Request") and q:
        return render(request, "contact/kb/_results.html", context)
    rows = articles_list(
        request.user,
        status=data.get("status", ""),
        lang=data.get("lang", ""),
        kind=data.get("kind", ""),
    )
    context["page_obj"] = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context["can_write"] = perms.writes_kb(request.user)
    return render(request, "contact/kb/list.html", context)


def article(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    found = article_get(request.user, pk, drafts=True)
    return render(
        request,
        "contact/kb/article.html",
        {
            "article": found,
            "files": list(found.files.all()),
            "can_edit": perms.edits_article(request.user, found),
            "can_publish": perms.publishes_kb(request.user),
            "statuses": ArticleStatus.choices,
            "twin_form": TwinForm(initial={"twin": found.twin_id}),
        },
    )


def article_new(request: HttpRequest) -> HttpResponse:
    _staff(request)
    if not perms.writes_kb(request.user):
        raise Http404
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            created = article_create(
                actor=request.user,
                lang=d["lang"],
                kind=d["kind"],
                title=d["title"],
                body=d["body"],
                category=d["category"],
                closes_on=d["closes_on"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Brouillon enregistré."))
            return redirect("contact:kb-article", created.pk)
    return render(request, "contact/kb/edit.html", {"form": form, "article": None})


def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    found = article_get(request.user, pk, drafts=True)
    if not perms.edits_article(request.user, found):
        raise Http404
    initial = {
        "lang": found.lang,
        "kind": found.kind,
        "title": found.title,
        "body": found.body,
        "category": found.category,
        "closes_on": found.closes_on,
        "version": found.version,
    }
    form = ArticleForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            article_update(
                actor=request.user,
                article=found,
                version=d["version"],
                title=d["title"],
                body=d["body"],
                kind=d["kind"],
                category=d["category"],
                closes_on=d["closes_on"],
            )
        except Conflict as error:
            form.add_error(None, error)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Article enregistré."))
            return redirect("contact:kb-article", found.pk)
    return render(request, "contact/kb/edit.html", {"form": form, "article": found})


@require_POST
def article_status(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    found = article_get(request.user, pk, drafts=True)
    if not perms.publishes_kb(request.user):
        raise Http404
    version = request.POST.get("version", "")
    try:
        article_status_set(
            actor=request.user,
            article=found,
            status=request.POST.get("status", ""),
            version=int(version) if version.isdigit() else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Statut de l'article modifié."))
    return redirect("contact:kb-article", found.pk)


@require_POST
def article_twin(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    found = article_get(request.user, pk, drafts=True)
    if not perms.edits_article(request.user, found):
        raise Http404
    form = TwinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Numéro d'article invalide."))
        return redirect("contact:kb-article", found.pk)
    twin_pk = form.cleaned_data["twin"]
    twin = None
    if twin_pk:
        twin = articles_visible(request.user, drafts=True).filter(pk=twin_pk).first()
        if twin is None:
            messages.error(request, _("Aucun article n° %(number)s.") % {"number": twin_pk})
            return redirect("contact:kb-article", found.pk)
    try:
        article_twin_set(actor=request.user, article=found, twin=twin)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Traduction enregistrée."))
    return redirect("contact:kb-article", found.pk)


@require_POST
def article_file(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    found = article_get(request.user, pk, drafts=True)
    if not perms.edits_article(request.user, found):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choisissez un fichier."))
        return redirect("contact:kb-article", found.pk)
    try:
        article_file_add(actor=request.user, article=found, upload=upload)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Fichier ajouté."))
    return redirect("contact:kb-article", found.pk)


def article_history(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    found = article_get(request.user, pk, drafts=True)
    versions = list(article_versions(found))
    numbers = [found.version, *[v.number for v in versions]]
    try:
        old = int(request.GET.get("old", ""))
        new = int(request.GET.get("new", ""))
    except ValueError:
        old, new = (numbers[1], numbers[0]) if len(numbers) > 1 else (0, 0)
    lines = article_compare(found, old, new) if old and new else []
    return render(
        request,
        "contact/kb/versions.html",
        {
            "article": found,
            "versions": versions,
            "numbers": numbers,
            "old": old,
            "new": new,
            "lines": lines,
        },
    )


# --- Public --------------------------------------------------------------------------


@login_not_required
def public_home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    q = data.get("q", "")
    results = kb_search(None, q, lang=data.get("lang", ""), limit=20) if q else []
    context: dict[str, Any] = {"form": form, "q": q, "results": results}
    if request.headers.get("HX-Request"):
        return render(request, "contact/kb/_results.html", context)
    rows = (
        Article.objects.filter(status=ArticleStatus.PUBLIC)
        .only("pk", "title", "lang", "kind", "category_id", "closes_on")
        .order_by("title")
    )
    if data.get("lang"):
        rows = rows.filter(lang=data["lang"])
    by_category: dict[int | None, list[Article]] = {}
    for row in rows:
        by_category.setdefault(row.category_id, []).append(row)
    categories = {c.pk: c for c in Category.objects.filter(pk__in=[k for k in by_category if k])}
    groups: list[tuple[Category | None, list[Article]]] = [
        (categories[k], v) for k, v in by_category.items() if k is not None and k in categories
    ]
    groups.sort(key=lambda g: (g[0].order, g[0].code) if g[0] else (0, ""))
    if None in by_category:
        groups.append((None, by_category[None]))
    context["groups"] = groups
    return render(request, "contact/kb/public_list.html", context)


@login_not_required
def public_article(request: HttpRequest, pk: int) -> HttpResponse:
    found = (
        Article.objects.filter(pk=pk, status=ArticleStatus.PUBLIC)
        .select_related("category", "twin")
        .first()
    )
    if found is None:
        raise Http404
    voted = request.session.get("kb_voted", [])
    return render(
        request,
        "contact/kb/public_article.html",
        {
            "article": found,
            "files": list(found.files.all()),
            "twin": found.twin
            if found.twin and found.twin.status == ArticleStatus.PUBLIC
            else None,
            "vote_form": VoteForm(),
            "voted": pk in voted,
        },
    )


@login_not_required
@require_POST
def public_vote(request: HttpRequest, pk: int) -> HttpResponse:
    found = Article.objects.filter(pk=pk, status=ArticleStatus.PUBLIC).first()
    if found is None:
        raise Http404
    form = VoteForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "contact/kb/_vote.html",
            {"article": found, "vote_form": form, "voted": False},
            status=400,
        )
    if not request.session.session_key:
        request.session.save()
    try:
        counted = article_vote(
            article=found,
            session_key=request.session.session_key or "",
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
        )
    except (ValidationError, PermissionDenied):
        raise Http404 from None
    voted = request.session.get("kb_voted", [])
    if pk not in voted:
        request.session["kb_voted"] = [*voted, pk][-200:]
    context = {"article": found, "voted": True, "counted": counted}
    if request.headers.get("HX-Request"):
        return render(request, "contact/kb/_vote.html", context)
    return redirect("contact:kb-public-article", pk)


@login_not_required
def article_download(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    """A form to download: anyone for a public article, the staff who see it otherwise."""
    staff = request.user.is_authenticated and perms.can_use(request.user)
    found = articles_visible(request.user if staff else None, drafts=staff).filter(pk=pk).first()
    attached = found.files.filter(pk=file_id).first() if found else None
    if attached is None:
        raise Http404
    return FileResponse(
        attached.file.open("rb"),
        as_attachment=True,
        filename=attached.file.name.rsplit("/", 1)[-1],
        content_type=attached.content_type or "application/octet-stream",
    )


urlpatterns = [
    path("kb/", kb, name="kb"),
    path("kb/nouveau/", article_new, name="kb-new"),
    path("kb/<int:pk>/", article, name="kb-article"),
    path("kb/<int:pk>/modifier/", article_edit, name="kb-edit"),
    path("kb/<int:pk>/statut/", article_status, name="kb-status"),
    path("kb/<int:pk>/traduction/", article_twin, name="kb-twin"),
    path("kb/<int:pk>/fichier/", article_file, name="kb-file"),
    path("kb/<int:pk>/versions/", article_history, name="kb-versions"),
    path("aide/", public_home, name="kb-public"),
    path("aide/<int:pk>/", public_article, name="kb-public-article"),
    path("aide/<int:pk>/fichiers/<int:file_id>/", article_download, name="kb-download"),
    path("aide/<int:pk>/avis/", public_vote, name="kb-public-vote"),
]
