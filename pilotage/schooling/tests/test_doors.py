"""Every door a page shows opens: each link of the class page and of the pupil page answers
200 to the role that sees it, and what a role may not do is not offered (a provincial
officer reads a class; they do not call its roll nor hold its council)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

from pilotage.core.models import Job
from pilotage.schooling.services.marks import Cell, marks_save_sheet

# Marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20 (the primary /10 scale is
# tested in test_grading.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]


def main_links(body: str, base: str) -> set[str]:
    """The links of the page's <main>, as paths (same-page anchors left out)."""
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    links = set()
    for href in re.findall(r'<a\b[^>]*\bhref="([^"]*)"', main):
        href = unescape(href)
        if href.startswith("#"):
            continue
        url = urlsplit(urljoin(f"http://testserver{base}", href))
        links.add(url.path + (f"?{url.query}" if url.query else ""))
    return links


def assert_every_link_opens(client, url: str) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    links = main_links(response.content.decode(), url)
    assert links
    broken = {link: client.get(link).status_code for link in links}
    assert {k: v for k, v in broken.items() if v != 200} == {}, url
    return links


@pytest.fixture
def marked(personas, school_year):  # type: ignore[no-untyped-def]
    marks_save_sheet(
        actor=personas.teacher_a1,
        sheet=school_year.sheet,
        version=0,
        cells=[Cell(p.code_massar, "test_1", "12") for p in school_year.pupils_a1],
    )
    return school_year


@pytest.mark.parametrize("persona", ["provincial_a", "head_a", "teacher_a1"])
def test_every_link_of_the_class_and_pupil_pages_opens(client, personas, marked, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    links = assert_every_link_opens(client, f"/schooling/classes/{marked.class_a1.pk}/")
    assert f"/schooling/pupils/{marked.child.code_massar}/" in links
    assert_every_link_opens(client, f"/schooling/pupils/{marked.child.code_massar}/")


def test_every_link_of_the_pupil_page_opens_for_the_parent(client, personas, marked) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.parent_a)
    assert_every_link_opens(client, f"/schooling/pupils/{marked.child.code_massar}/")
    # The class page is not theirs: no door to it.
    assert client.get(f"/schooling/classes/{marked.class_a1.pk}/").status_code == 404


def test_actions_follow_the_role(client, personas, marked) -> None:  # type: ignore[no-untyped-def]
    pk = marked.class_a1.pk
    attendance, council = (
        f"/schooling/classes/{pk}/attendance/",
        f"/schooling/classes/{pk}/council/",
    )
    bulletins = f'action="/schooling/classes/{pk}/bulletins/"'
    expected = {
        # persona: (attendance, council, class bulletins)
        "provincial_a": (False, False, True),
        "regional_officer": (False, False, True),
        "national_admin": (True, True, True),
        "head_a": (True, True, True),
        "teacher_a1": (True, False, False),
    }
    for persona, (roll, held, printed) in expected.items():
        client.force_login(getattr(personas, persona))
        body = client.get(f"/schooling/classes/{pk}/").content.decode()
        assert (f'href="{attendance}"' in body) is roll, persona
        assert (f'href="{council}"' in body) is held, persona
        assert (bulletins in body) is printed, persona
        # What is offered answers; what is not, the page would have refused.
        assert client.get(attendance).status_code == (200 if roll else 404), persona
        assert client.get(council).status_code == (200 if held else 404), persona


def test_the_class_bulletins_button_starts_the_batch(
    client, personas, marked, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    pk = marked.class_a1.pk
    client.force_login(personas.teacher_a1)
    assert client.post(f"/schooling/classes/{pk}/bulletins/", {"semestre": "1"}).status_code == 404
    assert not Job.objects.exists()
    client.force_login(personas.head_a)
    body = client.get(f"/schooling/classes/{pk}/").content.decode()
    form = body.split(f'action="/schooling/classes/{pk}/bulletins/"', 1)[1].split("</form>")[0]
    assert 'name="semestre"' in form and 'name="lang"' in form
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            f"/schooling/classes/{pk}/bulletins/", {"semestre": "1", "lang": "ar"}
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.params["class_ids"] == [pk]
