"""Knowledge-base services: drafts by agents, publishing by supervisors, versions kept on
every save, concurrency, twins, files checked by content, one vote per session."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pilotage.contact.models import Article, ArticleFile, ArticleVersion, ArticleVote
from pilotage.contact.services.kb import (
    article_create,
    article_file_add,
    article_status_set,
    article_twin_set,
    article_update,
    article_vote,
)
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.core.versioning import Conflict


def _draft(cc, **kw):  # type: ignore[no-untyped-def]
    data = {"lang": "fr", "kind": "faq", "title": "Récépissé", "body": "Premier texte."}
    data.update(kw)
    return article_create(actor=cc.agent, **data)


def test_an_agent_drafts_and_a_supervisor_publishes(cc) -> None:  # type: ignore[no-untyped-def]
    draft = _draft(cc)
    assert draft.status == "draft" and draft.slug == "recepisse"
    assert draft.search_title == "recepisse"
    published = article_status_set(actor=cc.supervisor, article=draft, status="public")
    assert published.status == "public" and published.version == 2
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["kb_create", "kb_status"]


def test_an_agent_may_not_publish(cc) -> None:  # type: ignore[no-untyped-def]
    draft = _draft(cc)
    with unchanged(Article), pytest.raises(PermissionDenied):
        article_status_set(actor=cc.agent, article=draft, status="public")


def test_outsiders_write_nothing(cc) -> None:  # type: ignore[no-untyped-def]
    teacher = cc.personas.teacher_a1
    with unchanged(Article), pytest.raises(PermissionDenied):
        article_create(actor=teacher, lang="fr", kind="faq", title="x", body="y")


def test_each_save_keeps_the_previous_text(cc) -> None:  # type: ignore[no-untyped-def]
    draft = _draft(cc)
    article_update(actor=cc.agent, article=draft, version=1, body="Deuxième texte.")
    saved = article_update(actor=cc.agent, article=draft, version=2, title="Le récépissé")
    assert saved.version == 3 and saved.search_title == "le recepisse"
    old = {v.number: (v.title, v.body) for v in ArticleVersion.objects.all()}
    assert old == {1: ("Récépissé", "Premier texte."), 2: ("Récépissé", "Deuxième texte.")}
    audit = AuditEntry.objects.filter(action="kb_update").order_by("pk").last()
    assert audit is not None and audit.changes["text"] == ["v2", "v3"]
    # Nothing changed: no version, no audit row.
    with unchanged(Article, ArticleVersion):
        article_update(actor=cc.agent, article=draft, version=3, title="Le récépissé")


def test_a_stale_version_is_refused(cc) -> None:  # type: ignore[no-untyped-def]
    draft = _draft(cc)
    article_update(actor=cc.agent, article=draft, version=1, body="Deuxième texte.")
    with unchanged(Article, ArticleVersion), pytest.raises(Conflict):
        article_update(actor=cc.agent, article=draft, version=1, body="Perdu.")


def test_only_publishers_rewrite_a_published_article(cc) -> None:  # type: ignore[no-untyped-def]
    article = article_status_set(actor=cc.supervisor, article=_draft(cc), status="public")
    with unchanged(Article, ArticleVersion), pytest.raises(PermissionDenied):
        article_update(actor=cc.agent, article=article, version=None, body="Changé.")
    article_update(actor=cc.supervisor, article=article, version=None, body="Changé.")


def test_bad_input_names_the_field(cc) -> None:  # type: ignore[no-untyped-def]
    with unchanged(Article), pytest.raises(ValidationError) as error:
        _draft(cc, closes_on="2026-05-01")
    assert "closes_on" in error.value.message_dict
    with unchanged(Article), pytest.raises(ValidationError) as error:
        _draft(cc, title="")
    assert "title" in error.value.message_dict
    draft = _draft(cc)
    with unchanged(Article), pytest.raises(ValidationError) as error:
        article_status_set(actor=cc.supervisor, article=draft, status="everywhere")
    assert "everywhere" in str(error.value)


def test_twins_are_linked_both_ways_and_in_the_other_language(cc) -> None:  # type: ignore[no-untyped-def]
    fr = _draft(cc)
    ar = _draft(cc, lang="ar", title="وصل الإيداع")
    other_fr = _draft(cc, title="Autre")
    with unchanged(Article), pytest.raises(ValidationError):
        article_twin_set(actor=cc.agent, article=fr, twin=other_fr)
    article_twin_set(actor=cc.agent, article=fr, twin=ar)
    assert Article.objects.get(pk=ar.pk).twin_id == fr.pk
    article_twin_set(actor=cc.agent, article=other_fr, twin=ar)
    assert Article.objects.get(pk=fr.pk).twin_id is None
    assert Article.objects.get(pk=ar.pk).twin_id == other_fr.pk


def test_files_are_checked_by_content(cc, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    draft = _draft(cc)
    fake = SimpleUploadedFile("formulaire.pdf", b"MZ\x90\x00 not a pdf")
    with unchanged(Article, ArticleFile), pytest.raises(ValidationError) as error:
        article_file_add(actor=cc.agent, article=draft, upload=fake)
    assert "formulaire.pdf" in str(error.value)
    real = SimpleUploadedFile("formulaire.pdf", b"%PDF-1.4\n%...")
    attached = article_file_add(actor=cc.agent, article=draft, upload=real)
    assert attached.content_type == "application/pdf"


def test_one_vote_per_session(cc) -> None:  # type: ignore[no-untyped-def]
    article = article_status_set(actor=cc.supervisor, article=_draft(cc), status="public")
    assert article_vote(article=article, session_key="s1", helpful=True, comment="Clair")
    assert not article_vote(article=article, session_key="s1", helpful=False)
    assert article_vote(article=article, session_key="s2", helpful=False)
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 1)
    assert ArticleVote.objects.count() == 2
    draft = _draft(cc, title="Brouillon")
    with unchanged(ArticleVote), pytest.raises(PermissionDenied):
        article_vote(article=draft, session_key="s1", helpful=True)
