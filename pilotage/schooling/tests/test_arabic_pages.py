"""The school-records pages in Arabic: every code (Massar, school, class) and every Latin
name that sits in Arabic text is isolated, so the bidirectional algorithm cannot reorder
it with its neighbours (issue #9: "S1 · (FR) S1 (ع) · S2 …" on the pupil page).

``latin_runs_not_isolated`` is the generic check: it parses a page and returns each
occurrence of a watched string that shares a block (a cell, a paragraph, a list item, a
heading…) with Arabic letters without being inside an isolate of its own: a ``<bdi>`` or an
element with a ``dir`` attribute whose text holds no Arabic letters besides. Form fields
(input, textarea) hold their values in attributes and isolate by nature, so they are not
read. ``PAGES`` lists the pages rendered, each as the role that uses it; a page is added
with its URL, its persona and a line here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from pilotage.conftest import Personas
from pilotage.orgunits.models import OrgUnit
from pilotage.schooling.tests.conftest import SchoolYear

pytestmark = pytest.mark.django_db

ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Where a bidirectional paragraph ends: runs in two different blocks cannot reorder each other.
BLOCKS = {
    "address", "article", "aside", "blockquote", "button", "caption", "dd", "details", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "label", "legend", "li", "main", "nav", "ol", "option", "p", "pre",
    "section", "summary", "table", "td", "th", "title", "tr", "ul", "body", "html",
}  # fmt: skip
# Not read: code, form values (textarea), and <title>, which holds plain text only (the
# browser's title bar cannot take a <bdi>).
SKIPPED = {"script", "style", "template", "textarea", "title"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


# --- A small document tree (the standard library's parser; no dependency) ---------------------


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def text(self) -> str:
        """The text inside, whitespace collapsed."""
        return " ".join("".join(self._strings()).split())

    def _strings(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag not in SKIPPED:
                yield from child._strings()

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find(self, tag: str, **attrs: str | bool) -> list[Node]:
        """Descendants named ``tag`` whose attributes match (``True``: present)."""
        return [
            node
            for node in self.iter()
            if node is not self
            and node.tag == tag
            and all(
                (name in node.attrs) if want is True else node.attrs.get(name) == want
                for name, want in attrs.items()
            )
        ]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs), parent=self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- The check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    run: str
    block: str  # the text of the block it sits in, for the failure message

    def __str__(self) -> str:
        return f"{self.run!r} in «{self.block}»"


def _isolated(holder: Node, block: Node, run: str) -> bool:
    """Whether ``run``, in the text of ``holder``, is isolated from Arabic text: some
    element from ``holder`` up to ``block`` is a <bdi> or has ``dir``, and holds no
    Arabic letter besides ``run`` itself."""
    node: Node | None = holder
    while node is not None:
        if node.tag == "bdi" or "dir" in node.attrs:
            return not ARABIC.search(node.text().replace(run, ""))
        if node is block:
            return False
        node = node.parent
    return False


def _block_of(node: Node) -> Node:
    while node.tag not in BLOCKS and node.parent is not None:
        node = node.parent
    return node


def _skipped(node: Node) -> bool:
    current: Node | None = node
    while current is not None:
        if current.tag in SKIPPED:
            return True
        current = current.parent
    return False


def latin_runs_not_isolated(html: str, runs: Iterable[str]) -> list[Finding]:
    """Every occurrence of one of ``runs`` in the text of ``html`` that shares its block
    with Arabic letters and is not isolated from them. Attribute values (form fields,
    tooltips) are not text and are not read."""
    watched = [
        (run, re.compile(rf"(?<![\w-]){re.escape(run)}(?![\w-])"))
        for run in sorted({r for r in runs if r}, key=len, reverse=True)
    ]
    found: list[Finding] = []
    for holder in parse(html).iter():
        if _skipped(holder):
            continue
        for text in (c for c in holder.children if isinstance(c, str)):
            for run, pattern in watched:
                if not pattern.search(text):  # a whole run: MA is not the MA of MATH
                    continue
                block = _block_of(holder)
                if not ARABIC.search(block.text().replace(run, "")):
                    continue  # nothing Arabic around it: nothing to reorder it with
                if not _isolated(holder, block, run):
                    found.append(Finding(run, block.text()[:160]))
    return found


def test_the_checker_finds_what_it_should() -> None:
    page = """<html lang="ar" dir="rtl"><body>
    <p>القسم 5AP-1</p>
    <p>القسم <bdi>5AP-1</bdi></p>
    <p>التلميذ <span dir="ltr">Tazi Imane</span></p>
    <p dir="auto">القسم 5AP-1</p>
    <td>5AP-1</td>
    <p>الاسم <bdi>التازي 5AP-1</bdi></p>
    <p><input value="5AP-1"> رمز</p>
    <p>رمز<a href="#">J130000001</a></p>
    <p>المادة MATH</p>
    </body></html>"""
    found = latin_runs_not_isolated(page, ["5AP-1", "Tazi Imane", "J130000001", "MA"])
    assert [(f.run, f.block) for f in found] == [
        ("5AP-1", "القسم 5AP-1"),
        ("5AP-1", "القسم 5AP-1"),  # dir on the block itself isolates nothing inside it
        ("5AP-1", "الاسم التازي 5AP-1"),  # a <bdi> shared with Arabic text
        ("J130000001", "رمزJ130000001"),  # a link is not an isolate
    ]


# --- The pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageCase:
    id: str
    persona: str
    url: Callable[[Personas, SchoolYear], str]


def _first_sheet(sy: SchoolYear) -> int:
    return sy.sheet.pk


PAGES = [
    PageCase("classes-head", "head_a", lambda p, sy: "/schooling/classes/"),
    PageCase("classes-officer", "provincial_a", lambda p, sy: "/schooling/classes/"),
    PageCase("class-head", "head_a", lambda p, sy: f"/schooling/classes/{sy.class_a1.pk}/"),
    PageCase(
        "class-s2-officer",
        "provincial_a",
        lambda p, sy: f"/schooling/classes/{sy.class_a1.pk}/?semestre=2",
    ),
    PageCase("pupil-head", "head_a", lambda p, sy: f"/schooling/pupils/{sy.child.code_massar}/"),
    PageCase(
        "pupil-parent", "parent_a", lambda p, sy: f"/schooling/pupils/{sy.child.code_massar}/"
    ),
    PageCase(
        "pupil-teacher",
        "teacher_a1",
        lambda p, sy: f"/schooling/pupils/{sy.pupils_a1[1].code_massar}/",
    ),
    PageCase("deadlines-officer", "provincial_a", lambda p, sy: "/schooling/deadlines/"),
    PageCase("tree-officer", "provincial_a", lambda p, sy: "/orgunits/"),
    PageCase(
        "tree-children", "provincial_a", lambda p, sy: f"/orgunits/{p.province_a.code}/children/"
    ),
    PageCase("sheet-teacher", "teacher_a1", lambda p, sy: f"/schooling/sheets/{_first_sheet(sy)}/"),
    PageCase("sheet-head", "head_a", lambda p, sy: f"/schooling/sheets/{_first_sheet(sy)}/"),
    PageCase(
        "attendance-teacher",
        "teacher_a1",
        lambda p, sy: f"/schooling/classes/{sy.class_a1.pk}/attendance/?date=2025-10-06",
    ),
    PageCase(
        "council-head", "head_a", lambda p, sy: f"/schooling/classes/{sy.class_a1.pk}/council/"
    ),
    PageCase("portal-parent", "parent_a", lambda p, sy: "/schooling/portal/"),
    PageCase("home-parent", "parent_a", lambda p, sy: "/"),
    PageCase("home-head", "head_a", lambda p, sy: "/"),
    PageCase("home-teacher", "teacher_a1", lambda p, sy: "/"),
    PageCase("home-officer", "provincial_a", lambda p, sy: "/"),
    PageCase("transfers-head", "head_a", lambda p, sy: "/schooling/transfers/"),
    PageCase("transfers-officer", "provincial_a", lambda p, sy: "/schooling/transfers/"),
    PageCase("pupils-officer", "provincial_a", lambda p, sy: "/schooling/pupils/?q=a"),
    PageCase("schools-officer", "provincial_a", lambda p, sy: "/schooling/schools/"),
    PageCase(
        "school-head",
        "head_a",
        lambda p, sy: f"/schooling/schools/{p.school_a.school.school_code}/",
    ),
    PageCase("progress-officer", "provincial_a", lambda p, sy: "/schooling/marks-progress/"),
    PageCase("unit-school", "provincial_a", lambda p, sy: f"/orgunits/{p.school_a.code}/"),
    PageCase("unit-province", "provincial_a", lambda p, sy: f"/orgunits/{p.province_a.code}/"),
    PageCase("import-pupils", "head_a", lambda p, sy: "/schooling/import/students/"),
]


def watched_runs(personas: Personas, sy: SchoolYear) -> list[str]:
    """What must never mix with Arabic text: codes Massar, Latin pupil names, class names,
    school and unit codes, and the Latin names of units that have no Arabic one."""
    pupils = [*sy.pupils_a1, *sy.pupils_b1]
    units = OrgUnit.objects.select_related("school")
    return [
        *(p.code_massar for p in pupils),
        *(p.full_name for p in pupils),
        sy.class_a1.name,
        sy.class_b1.name,
        *(u.code for u in units),
        *(u.school.school_code for u in units if hasattr(u, "school")),
        *(u.name_fr for u in units if not u.name_ar),
    ]


def arabic_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "ar"
    return client


def _deadline(personas: Personas, sy: SchoolYear) -> None:
    import datetime as dt

    from django.utils import timezone

    from pilotage.schooling.models import MarkDeadline

    MarkDeadline.objects.create(
        semester=sy.s1,
        org_unit=personas.province_a,
        closes_at=timezone.make_aware(dt.datetime(2026, 1, 31, 18, 0)),  # noqa: DTZ001
    )


@pytest.mark.parametrize("case", PAGES, ids=[c.id for c in PAGES])
def test_latin_runs_are_isolated_in_arabic(case: PageCase, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    _deadline(personas, school_year)
    client = arabic_client(getattr(personas, case.persona))
    response = client.get(case.url(personas, school_year))
    assert response.status_code == 200
    html = response.content.decode()
    if "/children/" not in case.url(personas, school_year):  # an htmx fragment of the tree
        assert '<html lang="ar" dir="rtl"' in html
    found = latin_runs_not_isolated(html, watched_runs(personas, school_year))
    assert not found, "\n".join(map(str, found))


# --- The cases of the issue ------------------------------------------------------------------------


def test_pupil_page_bulletin_links_read_cleanly(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """Issue #9: not "S1 (FR) · S1 (ع) · S2 …" but, per semester, the two languages named
    in the reader's language, the reader's first, each label isolated."""
    pupil = school_year.child
    for lang, order in (("ar", ["ar", "fr"]), ("fr", ["fr", "ar"])):
        client = arabic_client(personas.head_a)
        client.cookies["django_language"] = lang
        html = client.get(f"/schooling/pupils/{pupil.code_massar}/").content.decode()
        assert "(FR)" not in html and "(ع)" not in html
        [links_list] = parse(html).find("ul", **{"class": "bulletin-links"})
        items = links_list.find("li", **{"data-semester": True})
        assert [li.get("data-semester") for li in items] == ["1", "2"]
        for li in items:
            links = li.find("a", hreflang=True)
            assert [a.get("hreflang") for a in links] == order
            for a in links:
                href = f"/bulletin/{li.get('data-semester')}.pdf?lang={a.get('hreflang')}"
                assert (a.get("href") or "").endswith(href)
                [label] = a.find("bdi")
                assert label.text() == a.text() != ""
        if lang == "ar":
            assert ARABIC.search(items[0].find("a")[0].text())  # "العربيّة", not "AR"


def test_pupil_page_heading_and_title_lead_with_the_arabic_name(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.child
    html = (
        arabic_client(personas.head_a)
        .get(f"/schooling/pupils/{pupil.code_massar}/")
        .content.decode()
    )
    document = parse(html)
    [title] = document.find("title")
    assert title.text().startswith(pupil.full_name_ar)
    [heading] = document.find("h1")
    names = heading.find("bdi", lang=True)
    assert [(b.get("lang"), b.text()) for b in names[:2]] == [
        ("ar", pupil.full_name_ar),
        ("fr", pupil.full_name),
    ]
    # The birth date in words, with the Moroccan month name (CLDR ar-MA).
    from babel.dates import format_date

    assert format_date(pupil.birth_date, "long", locale="ar_MA") in document.text()


def test_class_roster_leads_with_the_arabic_name(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    html = (
        arabic_client(personas.head_a)
        .get(f"/schooling/classes/{school_year.class_a1.pk}/")
        .content.decode()
    )
    document = parse(html)
    for pupil in school_year.pupils_a1:
        [row] = [
            tr
            for tr in document.find("tr")
            if tr.find("a", href=f"/schooling/pupils/{pupil.code_massar}/")
        ]
        names = row.find("bdi", lang=True)
        assert [(b.get("lang"), b.text()) for b in names] == [
            ("ar", pupil.full_name_ar),
            ("fr", pupil.full_name),
        ]


def test_batch_form_proposes_the_reader_language(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string
    from django.utils import translation

    for lang in ("ar", "fr"):
        with translation.override(lang):
            html = render_to_string(
                "schooling/report_cards_form.html", {"school_class": school_year.class_a1}
            )
        [select] = parse(html).find("select", name="lang")
        [selected] = select.find("option", selected=True)
        assert selected.get("value") == lang


def test_tree_toggles_mirror_in_right_to_left() -> None:
    """The tree's ▸ (closed) must point left, into the line, in Arabic: app.css mirrors
    the toggle under [dir=rtl] (the browser test in orgunits checks it on the page)."""
    from django.contrib.staticfiles import finders

    path = finders.find("pilotage/app.css")
    assert path
    css = Path(path).read_text(encoding="utf-8")
    rule = re.search(r"\[dir=\"rtl\"\][^{]*\.tree-toggle[^{]*\{([^}]*)\}", css)
    assert rule and "scaleX(-1)" in rule.group(1)
