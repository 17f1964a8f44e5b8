"""The sample pages: the design previewed with its working before the draw, the draw, its
export, the response rate by stratum with the list of those to remind; for the survey's
managers only."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from pilotage.core.models import Job
from pilotage.core.tests.support import unchanged
from pilotage.surveys.models import Respondent, RespondentStatus, SampleDraw, SampledUnit
from pilotage.surveys.services.sampling import sample_draw
from pilotage.surveys.tests.conftest import Surveys
from pilotage.surveys.tests.test_services_sampling import frame

LIST = (
    "id;label;email;region\n"
    + "".join(
        f"{i};Association {i};a{i}@x.test;{'Nord' if i <= 600 else 'Sud'}\n" for i in range(1, 1001)
    )
).encode()


def _post(client: Client, url: str, action: str, **extra: object) -> object:
    data = {
        "source": "upload",
        "confidence": "0.95",
        "margin": "0.05",
        "proportion": "0.5",
        "response_rate": "1",
        "method": "stratified",
        "by": "region",
        "allocation": "proportional",
        "neyman_variable": "",
        "minimum": "1",
        "seed": "7",
        "action": action,
        **extra,
    }
    return client.post(url, data)


def test_the_preview_shows_cochrans_working_then_the_draw_uses_it(
    sv: Surveys, client: Client
) -> None:
    client.force_login(sv.manager_a)
    url = f"/surveys/{sv.survey_a.pk}/sample/"
    response = _post(client, url, "preview", frame_file=io.BytesIO(LIST))
    page = response.content.decode()  # type: ignore[attr-defined]
    # z = 1.96, p = 0.5, e = 0.05 → n0 = 384.16; N = 1 000 → n = 278 (Cochran 1977, §4.4).
    assert "384,16" in page and "n retenu = 278 sur N = 1000" in page
    # Proportional allocation of 278 over 600 / 400: 166.8 → 167 and 111.2 → 111.
    assert '<td class="num">600</td><td class="num">167</td>' in page
    assert not SampleDraw.objects.exists()
    token = page.split('name="frame_token" value="')[1].split('"')[0]
    response = _post(client, url, "draw", frame_token=token)
    assert response.status_code == 302  # type: ignore[attr-defined]
    draw = SampleDraw.objects.get()
    assert (draw.size, draw.population, draw.seed) == (278, 1000, 7)
    assert draw.design["parameters"]["n0"] == pytest.approx(384.16)
    exported = client.get(f"/surveys/{sv.survey_a.pk}/sample.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert len(rows) == 279 and rows[0][1] == "identifiant"
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/surveys/{sv.survey_a.pk}/sample.xlsx").content)
    )
    assert book.sheetnames == ["échantillon", "plan"] and book["échantillon"].max_row == 279


def test_a_design_the_frame_cannot_bear_is_shown_on_the_form(sv: Surveys, client: Client) -> None:
    client.force_login(sv.manager_a)
    response = _post(
        client,
        f"/surveys/{sv.survey_a.pk}/sample/",
        "draw",
        frame_file=io.BytesIO(LIST),
        by="milieu",
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Variables de stratification inconnues : milieu" in response.content.decode()  # type: ignore[attr-defined]
    assert not SampleDraw.objects.exists()


def test_response_rates_by_stratum_and_the_reminder_job(
    sv: Surveys, client: Client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    sample_draw(
        actor=sv.manager_a,
        survey=sv.survey_a,
        source="upload",
        frame=frame({"Nord": 6, "Sud": 4}),
        n=5,
        method="stratified",
        by=["region"],
        seed=1,
    )
    Respondent.objects.filter(
        pk__in=list(
            Respondent.objects.filter(unit__stratum="Nord").values_list("pk", flat=True)[:2]
        )
    ).update(status=RespondentStatus.SUBMITTED)
    client.force_login(sv.manager_a)
    # session + user (auth), the survey, the rates (one grouped query), the
    # non-respondents' count and page, the survey's role scope: 8 at most.
    with django_assert_max_num_queries(8):
        page = client.get(f"/surveys/{sv.survey_a.pk}/responses/").content.decode()
    assert 'data-submitted="2" data-drawn="5"' in page
    assert (
        '<tr data-stratum="Nord"><td><a href="?stratum=Nord"><bdi>Nord</bdi></a></td><td class="num">3</td>'
        in page
    )
    assert page.count('id="respondent-') == 3
    response = client.post(f"/surveys/{sv.survey_a.pk}/invite/", {"reminder": "1"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.params["reminder"] is True


def test_outsiders_get_404_and_change_nothing(sv: Surveys, client: Client) -> None:
    for outsider in (sv.manager_b, sv.enumerator_a, sv.personas.teacher_a1):
        client.force_login(outsider)
        with unchanged(SampleDraw, SampledUnit, Respondent, Job):
            for url in ("sample/", "responses/", "sample.csv"):
                assert client.get(f"/surveys/{sv.survey_a.pk}/{url}").status_code == 404, (
                    outsider,
                    url,
                )
            assert (
                _post(
                    client,
                    f"/surveys/{sv.survey_a.pk}/sample/",
                    "draw",
                    frame_file=io.BytesIO(LIST),
                ).status_code
                == 404
            )  # type: ignore[attr-defined]
            assert client.post(f"/surveys/{sv.survey_a.pk}/invite/").status_code == 404


def test_an_imposed_n_is_drawn_even_when_the_precision_would_need_more(
    sv: Surveys, client: Client
) -> None:
    small = (
        "id;region\n" + "".join(f"{i};{'Nord' if i < 18 else 'Sud'}\n" for i in range(30))
    ).encode()
    client.force_login(sv.manager_a)
    url = f"/surveys/{sv.survey_a.pk}/sample/"
    # e = 0.05 on N = 30 would need every unit and more once inflated for non-response.
    refused = _post(client, url, "preview", frame_file=io.BytesIO(small), response_rate="0.7")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "que la base n&#x27;en compte (N = 30)" in refused.content.decode()  # type: ignore[attr-defined]
    drawn = _post(client, url, "draw", frame_file=io.BytesIO(small), response_rate="0.7", size="12")
    assert drawn.status_code == 302  # type: ignore[attr-defined]
    draw = SampleDraw.objects.get()
    assert (draw.size, draw.population, draw.design["parameters"]["n0"]) == (12, 30, None)
