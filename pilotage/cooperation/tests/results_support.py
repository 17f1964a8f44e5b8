"""A small logframe on the ``imagine`` programme of the ``coop`` fixture, for the results
tests: 1 impact, 1 outcome, 1 output; a count with a sex breakdown, a percentage, and a
qualitative indicator."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pilotage.cooperation.models import (
    Measure,
    ResultIndicator,
    ResultLevel,
    ResultNode,
)


@dataclass
class Logframe:
    impact: ResultNode
    outcome: ResultNode
    output: ResultNode
    trained: ResultIndicator
    share: ResultIndicator
    quality: ResultIndicator


def logframe_build(coop, programme=None) -> Logframe:
    programme = programme or coop.imagine
    impact = ResultNode.objects.create(
        programme=programme, level=ResultLevel.IMPACT, code="1", title_fr="Apprentissages"
    )
    outcome = ResultNode.objects.create(
        programme=programme,
        level=ResultLevel.OUTCOME,
        parent=impact,
        code="1.1",
        title_fr="Pratiques numériques",
    )
    output = ResultNode.objects.create(
        programme=programme,
        level=ResultLevel.OUTPUT,
        parent=outcome,
        code="1.1.1",
        title_fr="Enseignants formés",
    )
    trained = ResultIndicator.objects.create(
        node=output,
        code="1.1.1.a",
        title_fr="Enseignants formés",
        measure=Measure.UNIT,
        unit_label="enseignants",
        baseline_value=Decimal(0),
        end_target=Decimal(1000),
        by_sex=True,
    )
    share = ResultIndicator.objects.create(
        node=outcome,
        code="1.1.a",
        title_fr="Part des enseignants formés utilisant des ressources numériques",
        measure=Measure.PERCENTAGE,
        end_target=Decimal(60),
    )
    quality = ResultIndicator.objects.create(
        node=impact,
        code="1.a",
        title_fr="Appréciation des inspecteurs",
        measure=Measure.QUALITATIVE,
        end_target_text="Pratiques ancrées",
    )
    return Logframe(impact, outcome, output, trained, share, quality)
