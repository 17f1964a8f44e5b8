"""The knowledge base's full-text index, written by hand because it differs per database.

The normalised title and body columns come first (``contact/search.py`` fills them). Then:
- PostgreSQL: a stored generated ``tsvector`` column over them (title weight A, body B,
  ``simple`` configuration, since the text is already normalised) and its GIN index;
- SQLite: an FTS5 table holding the same normalised text, row id = the article's id, kept
  in step by the knowledge-base services (``search.index_article``).
"""

from django.db import migrations, models

PG_FORWARD = [
    """
    ALTER TABLE contact_article ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(search_title, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(search_body, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX contact_article_search_gin ON contact_article USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS contact_article_search_gin",
    "ALTER TABLE contact_article DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE contact_article_fts USING fts5(title, body, tokenize = 'unicode61')"
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS contact_article_fts"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("contact", "0001_tickets_registry_kb")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_title",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="search_body",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
