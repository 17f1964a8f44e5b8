"""Drawing the sample: units with their probability and weight, one respondent each with
a link key; drawing again replaces the draw until the invitations leave; the denied cases
change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pilotage.core.tests.support import unchanged
from pilotage.surveys.frames import FrameUnit
from pilotage.surveys.models import Respondent, SampleDraw, SampledUnit
from pilotage.surveys.sampling import Unit
from pilotage.surveys.services.sampling import sample_draw
from pilotage.surveys.tests.conftest import Surveys


def frame(sizes: dict[str, int]) -> list[FrameUnit]:
    """``sizes``: stratum → number of units; ids run 1, 2, …"""
    units, n = [], 0
    for region, count in sizes.items():
        for _ in range(count):
            n += 1
            units.append(
                FrameUnit(Unit(str(n), {"region": region}), f"Association {n}", f"a{n}@x.test")
            )
    return units


def test_a_stratified_draw_stores_units_weights_and_respondents(sv: Surveys) -> None:
    draw = sample_draw(
        actor=sv.manager_a,
        survey=sv.survey_a,
        source="upload",
        frame=frame({"Nord": 50, "Sud": 30, "Est": 20}),
        n=10,
        method="stratified",
        by=["region"],
        seed=42,
    )
    assert (draw.population, draw.size, draw.seed) == (100, 10, 42)
    assert draw.design["by"] == "region" and draw.design["allocation"] == "proportional"
    per_stratum = {
        s: list(draw.units.filter(stratum=s).values_list("weight", "stratum_population"))
        for s in ("Nord", "Sud", "Est")
    }
    # Proportional: 50/30/20 of 10 → 5/3/2, each weight N_h/n_h = 10.
    assert {s: len(v) for s, v in per_stratum.items()} == {"Nord": 5, "Sud": 3, "Est": 2}
    assert all(w == pytest.approx(10.0) for v in per_stratum.values() for w, _n in v)
    assert Respondent.objects.filter(survey=sv.survey_a).count() == 10
    assert all(len(r.link_key) >= 20 for r in Respondent.objects.all())
    # The same frame and seed give the same units.
    again = sample_draw(
        actor=sv.manager_a,
        survey=sv.survey_a,
        source="upload",
        frame=frame({"Nord": 50, "Sud": 30, "Est": 20}),
        n=10,
        method="stratified",
        by=["region"],
        seed=42,
    )
    assert SampleDraw.objects.get() == again
    assert sorted(again.units.values_list("unit_key", flat=True)) == sorted(
        SampledUnit.objects.values_list("unit_key", flat=True)
    )


def test_no_new_draw_once_the_invitations_have_left(sv: Surveys) -> None:
    sample_draw(
        actor=sv.manager_a,
        survey=sv.survey_a,
        source="upload",
        frame=frame({"A": 20}),
        n=5,
        method="simple",
        seed=1,
    )
    Respondent.objects.filter(pk=Respondent.objects.first().pk).update(invited_at=timezone.now())  # type: ignore[union-attr]
    with (
        unchanged(SampleDraw, SampledUnit, Respondent),
        pytest.raises(ValidationError, match="invitations"),
    ):
        sample_draw(
            actor=sv.manager_a,
            survey=sv.survey_a,
            source="upload",
            frame=frame({"A": 20}),
            n=5,
            method="simple",
            seed=2,
        )


def test_a_design_the_frame_cannot_bear_is_refused_naming_it(sv: Surveys) -> None:
    with unchanged(SampleDraw, SampledUnit, Respondent), pytest.raises(ValidationError) as caught:
        sample_draw(
            actor=sv.manager_a,
            survey=sv.survey_a,
            source="upload",
            frame=frame({"A": 5}),
            n=8,
            method="simple",
            seed=1,
        )
    assert "8" in str(caught.value) and "5" in str(caught.value)


def test_an_outsider_may_not_draw(sv: Surveys) -> None:
    for outsider in (sv.manager_b, sv.enumerator_a, sv.personas.agent):
        with unchanged(SampleDraw, SampledUnit, Respondent), pytest.raises(PermissionDenied):
            sample_draw(
                actor=outsider,
                survey=sv.survey_a,
                source="upload",
                frame=frame({"A": 20}),
                n=5,
                method="simple",
                seed=1,
            )
