"""Knowledge-base pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from pilotage.contact.selectors.kb import articles_visible


def article(request: HttpRequest, pk: int) -> HttpResponse:
    found = articles_visible(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return render(request, "contact/kb/article.html", {"article": found})


urlpatterns = [
    path("kb/<int:pk>/", article, name="kb-article"),
]
