"""The demo's results step builds ImaginEcole's logframe and its figures add up as the
roll-up says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pilotage.cooperation.models import ResultIndicator, ResultNode, ResultUpdate
from pilotage.cooperation.selectors.results import target_vs_actual
from pilotage.demo import coop_results
from pilotage.demo import cooperation as demo_cooperation
from pilotage.demo.context import SCALES, Context

pytestmark = pytest.mark.django_db


def test_demo_logframe(personas):
    ctx = Context(
        scale=SCALES["small"],
        seed=1,
    )
    demo_cooperation.load_countries(ctx)
    demo_cooperation.create_programmes(ctx)
    coop_results.create_results(ctx)
    nodes = ResultNode.objects.filter(programme__code="imagine")
    assert sorted(nodes.values_list("level", flat=True)) == sorted(
        ["impact", "outcome", "outcome", "output", "output", "output", "output"]
    )
    assert ResultIndicator.objects.filter(node__programme__code="imagine").count() == 8
    assert set(ResultUpdate.objects.values_list("status", flat=True)) == {
        "approved",
        "submitted",
        "returned",
        "draft",
    }
    head = personas.national_admin
    rows = target_vs_actual(head, nodes.first().programme)
    share = [r for r in rows if r.indicator_code == "1.1.a"][-1]
    # (240 + 250 + 120 + 300) / (470 + 390 + 310 + 450) = 910 / 1620 = 56.17 %.
    assert (share.numerator, share.denominator) == (Decimal(910), Decimal(1620))
    equipped = [r for r in rows if r.indicator_code == "1.1.2.a"][-1]
    # Cumulative: the latest of each country, 95 + 70 + 120 = 285.
    assert equipped.actual == Decimal(285)
