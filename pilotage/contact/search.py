"""The knowledge base's text normalisation, written once and used both to index an article
and to read a query, so that what a caller types meets what an author wrote.

French: accents and case folded, ligatures opened, a plural ``s``/``x`` dropped.
Arabic: the alef forms (أ إ آ ٱ) become ا, ى becomes ي, ة becomes ه, the tatweel and the
diacritics (harakat) go, then a light stemmer strips one prefix among وال بال كال فال لل ال و
and one suffix among ات ون ين ه, only when a stem of three letters or more remains (so
«الجمعيات», «جمعية» and «والجمعية» all become «جمعي», while «قانون» stays whole).

PostgreSQL indexes the normalised title (weight A) and body (weight B) with the ``simple``
configuration (``migrations/0002_kb_search.py``); SQLite keeps the same normalised text in
an FTS5 table that :func:`index_article` refreshes from the services.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import connection

FTS_TABLE = "contact_article_fts"

# One search is at most this many characters and terms: longer input is cut, not refused.
QUERY_MAX_CHARS = 200
QUERY_MAX_TERMS = 12

ALEFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# Harakat, the superscript alef, Quranic marks and the tatweel.
ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
WORD = re.compile(r"\w+")
# Longest first: وال before و, لل before ال.
AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
# suffix → the shortest stem that may remain once it is stripped.
AR_SUFFIXES = (("ات", 3), ("ون", 4), ("ين", 4), ("ه", 3))

_STOP_TEXT = (
    "le la les un une des de du et ou au aux en dans par pour sur avec sans ce cette ces "
    "qui que quoi est sont se sa son ses leur leurs il elle on ne pas plus "
    "في من على الى عن او ثم هل ما مع هذا هذه ذلك التي الذي لا ان كان"
)
STOPWORDS = frozenset(_STOP_TEXT.split())


def _fold_latin(word: str) -> str:
    word = word.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", word)
    word = "".join(c for c in decomposed if not unicodedata.combining(c))
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    return word


def _stem_arabic(word: str) -> str:
    for prefix in AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    for suffix, stem in AR_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= stem:
            word = word[: -len(suffix)]
            break
    return word


def normalise_word(word: str) -> str:
    word = word.casefold()
    if ARABIC_LETTER.search(word):
        word = ARABIC_MARKS.sub("", word.translate(ALEFS))
        return _stem_arabic(word)
    return _fold_latin(word)


def terms(text: str) -> list[str]:
    """The normalised words of ``text``, in order (the indexed form)."""
    text = unicodedata.normalize("NFC", text or "")
    # The tatweel and harakat may sit inside a word: drop them before cutting into words.
    text = ARABIC_MARKS.sub("", text)
    out = []
    for raw in WORD.findall(text):
        word = normalise_word(raw)
        if word and (len(word) > 1 or word.isdigit()):
            out.append(word)
    return out


def normalise(text: str) -> str:
    return " ".join(terms(text))


def query_terms(q: str) -> list[str]:
    """The distinct terms of a query, stop words left out (unless nothing else is left)."""
    found = terms((q or "")[:QUERY_MAX_CHARS])
    kept = [t for t in found if t not in STOPWORDS] or found
    return list(dict.fromkeys(kept))[:QUERY_MAX_TERMS]


def pg_tsquery(words: list[str], *, prefix_last: bool) -> str:
    """``to_tsquery('simple', …)`` text: the terms OR-ed (ranking rewards those holding more
    of them); the last one also as a prefix while it is being typed."""
    parts = [f"'{w}'" for w in words]
    if prefix_last and len(words[-1]) >= 3:
        parts[-1] += ":*"
    return " | ".join(parts)


def fts5_query(words: list[str], *, prefix_last: bool) -> str:
    parts = [f'"{w}"' for w in words]
    if prefix_last and len(words[-1]) >= 3:
        parts[-1] += "*"
    return " OR ".join(parts)


def snippet(body: str, words: list[str], *, width: int = 24) -> str:
    """About ``width`` words of ``body`` around the first one matching a query term (the
    beginning of the text if none does), in the author's own spelling."""
    matches = list(WORD.finditer(body or ""))
    if not matches:
        return ""
    wanted = set(words)
    prefixes = tuple(w for w in words if len(w) >= 3)
    hit = 0
    for i, m in enumerate(matches):
        norm = normalise_word(m.group())
        if norm in wanted or (prefixes and norm.startswith(prefixes)):
            hit = i
            break
    first = max(0, hit - width // 3)
    last = min(len(matches) - 1, first + width - 1)
    start, end = matches[first].start(), matches[last].end()
    text = " ".join(body[start:end].split())
    return ("… " if first else "") + text + (" …" if last < len(matches) - 1 else "")


def index_article(article: Any) -> None:
    """Refresh the article's row in the SQLite FTS5 table (PostgreSQL's generated
    ``search_vector`` column follows ``search_title``/``search_body`` by itself)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608
            [article.pk, article.search_title, article.search_body],
        )
