"""Limits and error pages every page of the site shares."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches

pytestmark = pytest.mark.django_db

HTML_LISTS = ["/audit/", "/accounts/people/", "/orgunits/", "/orgunits/MA/"]


@pytest.mark.parametrize("url", HTML_LISTS)
@pytest.mark.parametrize("page", ["144115188075855872", "0", "-1", "x"])
def test_html_lists_answer_any_page(client, personas, url, page) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    assert client.get(f"{url}?page={page}").status_code == 200


@pytest.mark.parametrize("csrf", [False, True])
def test_a_form_over_the_size_limit_is_413_in_the_visitors_language(personas, csrf) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(personas.head_a)
    client.cookies["django_language"] = "ar"
    client.get("/accounts/tokens/")  # the form, and with it the CSRF cookie a browser holds
    body = "q=" + "x" * 3_000_000
    response = client.post(
        "/accounts/tokens/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert '<html lang="ar" dir="rtl"' in page
    assert "إرسال كبير جدا" in page


@pytest.fixture
def debug_urls(settings, tmp_path):  # type: ignore[no-untyped-def]
    """The URL configuration as ``make run`` builds it (DEBUG on), over a fresh MEDIA_ROOT."""
    import pilotage.urls

    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = True
    importlib.reload(pilotage.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(pilotage.urls)
    clear_url_caches()


def test_generated_files_are_not_served_from_media_even_in_debug(
    client, personas, tmp_path, debug_urls
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "report-cards").mkdir()
    (tmp_path / "report-cards" / "batch.pdf").write_bytes(b"%PDF-1.7 secret")
    client.force_login(personas.head_b)
    response = client.get("/media/report-cards/batch.pdf")
    assert response.status_code == 404
    assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))
