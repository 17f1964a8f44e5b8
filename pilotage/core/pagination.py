"""Page-number pagination for every API list, with the page number bounded.

django-ninja's own class accepts any integer and turns it into an SQL ``OFFSET``; a page
such as 144115188075855872 overflows the database's 64-bit integer and the list answered
500 (SQLite's driver and PostgreSQL both refuse it). The bound is far above any real list
(a million pages of 100 rows), and a page past it is a 422 like any other invalid
parameter; a page past the end of a list is an empty page, as before.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

PAGE_MAX = 1_000_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1, le=PAGE_MAX)
