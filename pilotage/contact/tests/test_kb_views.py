"""Knowledge-base pages and API: the staff's list (query count pinned), editing, versions,
publishing; the public pages (no login, Arabic articles right-to-left, the vote); the
public search API."""

from __future__ import annotations

import pytest
from django.test import Client

from pilotage.contact.models import Article, ArticleVote
from pilotage.contact.services.kb import article_create, article_status_set
from pilotage.core.tests.support import unchanged


def _public(cc, title: str, body: str, lang: str = "fr", status: str = "public"):  # type: ignore[no-untyped-def]
    article = article_create(
        actor=cc.agent,
        lang=lang,
        kind="procedure",
        title=title,
        body=body,
        category=cc.cat_constitution,
    )
    return article_status_set(actor=cc.supervisor, article=article, status=status)


@pytest.fixture
def arts(cc):  # type: ignore[no-untyped-def]
    return {
        "fr": _public(cc, "Obtenir le récépissé", "Le récépissé est remis au dépôt."),
        "ar": _public(cc, "تأسيس الجمعية", "يسلم وصل الإيداع.", lang="ar"),
        "internal": _public(cc, "Script récépissé", "Pour les agents.", status="internal"),
    }


def test_the_public_knowledge_base_needs_no_login(client: Client, arts) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/contact/aide/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Obtenir le récépissé" in html and "تأسيس الجمعية" in html
    assert "Script récépissé" not in html
    found = client.get("/contact/aide/", {"q": "recepisse"}).content.decode()
    assert f"/contact/aide/{arts['fr'].pk}/" in found
    assert client.get(f"/contact/aide/{arts['internal'].pk}/").status_code == 404
    # An Arabic article is right-to-left whatever the page's language.
    ar = client.get(f"/contact/aide/{arts['ar'].pk}/").content.decode()
    assert 'lang="ar" dir="rtl"' in ar


def test_the_vote_counts_once_per_session(arts) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    url = f"/contact/aide/{arts['fr'].pk}/avis/"
    with unchanged(ArticleVote):
        assert client.post(url, {"helpful": "yes"}).status_code == 403  # no CSRF token
    client.get(f"/contact/aide/{arts['fr'].pk}/")
    token = client.cookies["csrftoken"].value
    for _ in range(2):
        answer = client.post(url, {"helpful": "yes", "comment": "Merci"}, HTTP_X_CSRFTOKEN=token)
        assert answer.status_code == 302
    assert Article.objects.get(pk=arts["fr"].pk).helpful_yes == 1
    assert "Merci pour votre avis" in client.get(f"/contact/aide/{arts['fr'].pk}/").content.decode()
    bad = client.post(url, {"helpful": "maybe"}, HTTP_X_CSRFTOKEN=token)
    assert bad.status_code == 400


def test_the_staff_list_has_a_fixed_query_count(
    client, cc, arts, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cc.agent)
    for i in range(15):
        article_create(actor=cc.agent, lang="fr", kind="faq", title=f"Article {i}", body="x")
    # session, user, role assignments (scope), count, the page of articles with their
    # category and author, the tabs' permission checks (scope read once, cached).
    with django_assert_max_num_queries(8):
        page = client.get("/contact/kb/")
    assert page.status_code == 200 and "Article 14" in page.content.decode()


def test_outsiders_get_404_on_staff_pages(client, cc, arts) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cc.personas.teacher_a1)
    assert client.get("/contact/kb/").status_code == 404
    assert client.get(f"/contact/kb/{arts['fr'].pk}/").status_code == 404


def test_edit_keeps_a_version_and_the_compare_page_shows_it(client, cc) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cc.agent)
    answer = client.post(
        "/contact/kb/nouveau/",
        {"lang": "fr", "kind": "faq", "title": "Délais", "body": "Soixante jours."},
    )
    article = Article.objects.get(title="Délais")
    assert answer.status_code == 302
    answer = client.post(
        f"/contact/kb/{article.pk}/modifier/",
        {"kind": "faq", "title": "Délais", "body": "Vingt jours ouvrables.", "version": 1},
    )
    assert answer.status_code == 302
    stale = client.post(
        f"/contact/kb/{article.pk}/modifier/",
        {"kind": "faq", "title": "Délais", "body": "Perdu.", "version": 1},
    )
    assert stale.status_code == 200 and "Rechargez la page" in stale.content.decode()
    diff = client.get(f"/contact/kb/{article.pk}/versions/").content.decode()
    assert "<del>Soixante jours.</del>" in diff and "<ins>Vingt jours ouvrables.</ins>" in diff
    # An agent may not publish: the status route is a 404 for them, nothing changes.
    with unchanged(Article):
        assert (
            client.post(f"/contact/kb/{article.pk}/statut/", {"status": "public"}).status_code
            == 404
        )
    client.force_login(cc.supervisor)
    client.post(f"/contact/kb/{article.pk}/statut/", {"status": "public", "version": 2})
    assert Article.objects.get(pk=article.pk).status == "public"


def test_the_search_api_is_public_for_public_articles(client, cc, arts) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/kb/search", {"q": "récépissé"})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["id"] for r in results] == [arts["fr"].pk]
    assert set(results[0]) == {"id", "title", "lang", "snippet", "score", "url"}
    assert (
        client.get("/api/v1/kb/search", {"q": "وصل", "lang": "ar"}).json()["results"][0]["id"]
        == arts["ar"].pk
    )
    bad = client.get("/api/v1/kb/search", {"q": "x", "lang": "en"})
    assert bad.status_code == 422 and "lang" in str(bad.json())
    assert client.get("/api/v1/kb/search", {"q": "x" * 201}).status_code == 422
    assert client.get(f"/api/v1/kb/articles/{arts['internal'].pk}").status_code == 404
    assert client.get(f"/api/v1/kb/articles/{arts['fr'].pk}").json()["lang"] == "fr"
    client.force_login(cc.agent)
    staff = client.get("/api/v1/kb/search", {"q": "récépissé"}).json()["results"]
    assert arts["internal"].pk in [r["id"] for r in staff]
