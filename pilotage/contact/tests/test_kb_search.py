"""Knowledge-base search: the normalisation (worked words in both languages) and the
ranked search on SQLite's FTS5 and on PostgreSQL's tsvector index."""

from __future__ import annotations

import pytest
from django.db import connection

from pilotage.contact import search
from pilotage.contact.models import ArticleKind, ArticleStatus
from pilotage.contact.selectors.kb import kb_search
from pilotage.contact.services.kb import article_create, article_status_set, article_update


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("recepisse", "récépissé"),
        ("RÉCÉPISSÉ", "Récépissés"),
        ("œuvre", "oeuvre"),
        ("جمعية", "الجمعيات"),
        ("والجمعية", "الجمعيات"),
        ("احداث", "إحداث"),
        ("الشِّكَايَة", "شكايات"),
        ("مستشفـــى", "مستشفي"),
        ("آجال", "اجال"),
        ("للتنمية", "التنمية"),
    ],
)
def test_both_spellings_meet_on_one_term(written: str, typed: str) -> None:
    assert search.terms(written) == search.terms(typed)


def test_short_words_keep_their_letters() -> None:
    # A stem of under three letters is never cut: «قانون» keeps its ون, «وصل» its و.
    assert search.terms("قانون وصل") == ["قانون", "وصل"]
    assert search.terms("l'association n° 31-13") == ["association", "31", "13"]


def test_query_terms_drop_stop_words_and_are_capped() -> None:
    assert search.query_terms("le récépissé de la déclaration") == ["recepisse", "declaration"]
    assert search.query_terms("de la") == ["de", "la"]
    assert len(search.query_terms(" ".join(f"mot{i}" for i in range(40)))) == 12


def test_snippet_is_cut_from_the_authors_text_around_the_hit() -> None:
    body = " ".join(["avant"] * 40) + " le Récépissé est remis " + " ".join(["après"] * 40)
    cut = search.snippet(body, search.query_terms("recepisse"))
    assert "Récépissé" in cut and cut.startswith("… ") and cut.endswith(" …")


def _published(actor, title: str, body: str, lang: str = "fr", status: str = "public"):  # type: ignore[no-untyped-def]
    article = article_create(
        actor=actor, lang=lang, kind=ArticleKind.PROCEDURE, title=title, body=body
    )
    return article_status_set(actor=actor, article=article, status=status)


@pytest.fixture
def kb(cc):  # type: ignore[no-untyped-def]
    s = cc.supervisor
    return {
        "recepisse": _published(
            s,
            "Obtenir le récépissé de dépôt",
            "Le recepisse provisoire est remis lors du dépôt du dossier à l'autorité locale.",
        ),
        "body_only": _published(
            s,
            "Renouveler le bureau",
            "Après l'assemblée générale, déposez le procès-verbal ; un récépissé est délivré.",
        ),
        "ar_assoc": _published(
            s, "تأسيس جمعية", "يودع ملف والجمعية لدى السلطة المحلية مقابل وصل.", lang="ar"
        ),
        "ar_ihdath": _published(s, "احداث فرع محلي", "مسطرة فتح فرع للجمعيه.", lang="ar"),
        "internal": _published(
            s,
            "Script d'appel : récépissé refusé",
            "Ce que l'agent répond quand le récépissé n'a pas été remis.",
            status=ArticleStatus.INTERNAL,
        ),
        "draft": article_create(
            actor=s, lang="fr", kind="faq", title="Récépissé (brouillon)", body="À relire."
        ),
    }


def _ids(results) -> list[int]:  # type: ignore[no-untyped-def]
    return [r["id"] for r in results]


def _worked_queries(cc, kb) -> None:  # type: ignore[no-untyped-def]
    anonymous = kb_search(None, "récépissé")
    # The title hit first, then the body hit; the internal article and the draft hidden.
    assert _ids(anonymous) == [kb["recepisse"].pk, kb["body_only"].pk]
    assert set(anonymous[0]) == {"id", "title", "lang", "snippet", "score", "url"}
    assert anonymous[0]["score"] > anonymous[1]["score"] > 0
    assert "recepisse" in anonymous[0]["snippet"].lower() or "récépissé" in anonymous[0]["snippet"]
    assert anonymous[0]["url"] == f"/contact/aide/{kb['recepisse'].pk}/"
    staff = kb_search(cc.agent, "recepisse")
    assert kb["internal"].pk in _ids(staff) and kb["draft"].pk not in _ids(staff)
    internal = next(r for r in staff if r["id"] == kb["internal"].pk)
    assert internal["url"] == f"/contact/kb/{kb['internal'].pk}/"
    assert kb["draft"].pk in _ids(kb_search(cc.agent, "recepisse", drafts=True))
    assert _ids(kb_search(None, "الجمعيات")) == [kb["ar_assoc"].pk, kb["ar_ihdath"].pk]
    assert _ids(kb_search(None, "إحداث")) == [kb["ar_ihdath"].pk]
    assert _ids(kb_search(None, "récépissé", lang="ar")) == []
    assert _ids(kb_search(None, "récépissé", lang="fr", limit=1)) == [kb["recepisse"].pk]
    # The last word is also a prefix while it is typed; a finished word is not.
    assert _ids(kb_search(None, "récép")) == [kb["recepisse"].pk, kb["body_only"].pk]
    assert kb_search(None, "récép ") == []
    assert kb_search(None, "   ") == [] and kb_search(None, "' OR 1=1 --") == []
    # A rewrite is searched at once (the index follows the service's save).
    article_update(
        actor=cc.supervisor, article=kb["body_only"], version=None, body="Plus de mot ici."
    )
    assert _ids(kb_search(None, "récépissé")) == [kb["recepisse"].pk]


def test_worked_queries(cc, kb) -> None:  # type: ignore[no-untyped-def]
    """On the suite's database: SQLite's FTS5 locally, PostgreSQL in the CI's second run."""
    _worked_queries(cc, kb)


@pytest.mark.postgres
def test_worked_queries_on_postgresql(cc, kb) -> None:  # type: ignore[no-untyped-def]
    from pilotage.core.tests.support import require

    require(connection.vendor == "postgresql", "needs PostgreSQL")
    _worked_queries(cc, kb)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'contact_article_search_gin'"
        )
        assert "gin (search_vector)" in cursor.fetchone()[0]
