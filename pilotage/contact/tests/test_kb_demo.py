"""The demo's knowledge base: at least 50 public articles per language, internal scripts,
French articles linked to their Arabic twins, and all of it found by the search."""

from __future__ import annotations

from django.db.models import Count

from pilotage.conftest import _person
from pilotage.contact.models import Article, ArticleStatus
from pilotage.contact.roles import CONTACT_AGENT, CONTACT_SUPERVISOR
from pilotage.contact.selectors.kb import kb_search
from pilotage.demo import contact, contact_kb
from pilotage.demo.context import Context
from pilotage.demo.tests.helpers import TINY


def test_the_demo_knowledge_base(personas) -> None:  # type: ignore[no-untyped-def]
    _person("agent.contact", CONTACT_AGENT, personas.country)
    _person("superviseur.contact", CONTACT_SUPERVISOR, personas.country)
    ctx = Context(scale=TINY, seed=1)
    contact.create_contact_base(ctx)
    contact_kb.create_knowledge_base(ctx)
    public = dict(
        Article.objects.filter(status=ArticleStatus.PUBLIC)
        .values_list("lang")
        .annotate(n=Count("pk"))
    )
    assert public["fr"] >= 50 and public["ar"] >= 50
    assert Article.objects.filter(status=ArticleStatus.INTERNAL).count() >= 15
    assert not Article.objects.filter(status=ArticleStatus.PUBLIC, category=None).exists()
    fr = Article.objects.get(slug="fonder-association", lang="fr")
    assert fr.twin is not None and fr.twin.lang == "ar" and fr.twin.twin_id == fr.pk
    assert kb_search(None, "récépissé définitif")[0]["title"].startswith("Je n'ai pas reçu")
    assert kb_search(None, "الوصل النهائي", lang="ar")
    assert kb_search(None, "INDH")[0]["id"] == Article.objects.get(slug="indh", lang="fr").pk
