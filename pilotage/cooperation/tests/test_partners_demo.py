"""The demo step of the partners part: meetings with follow-ups (some overdue), and
opportunities at every stage over 2025–2028 in MAD, EUR and USD, written through the
services."""

from __future__ import annotations

import pytest

from pilotage.conftest import _person
from pilotage.cooperation.models import FollowUpStatus, Meeting, Opportunity, Partner, Stage
from pilotage.cooperation.roles import COOPERATION_HEAD, PROGRAMME_MANAGER
from pilotage.cooperation.selectors.meetings import followups_overdue_for
from pilotage.cooperation.selectors.pipeline import weighted_totals
from pilotage.demo.context import SCALES, Context
from pilotage.demo.coop_partners import create_partner_work
from pilotage.demo.cooperation import PARTNERS

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_stage_year_and_currency(personas):
    head = _person("coop.chef", COOPERATION_HEAD, personas.country)
    manager = _person("coop.programme", PROGRAMME_MANAGER, personas.country)
    for code, name, acronym, kind, iati_type, ident, country in PARTNERS:
        Partner.objects.create(
            code=code,
            name_fr=name,
            acronym=acronym,
            kind=kind,
            iati_type=iati_type,
            iati_identifier=ident,
            country=country,
        )
    create_partner_work(Context(scale=SCALES["small"], seed=1))
    assert set(Opportunity.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Opportunity.objects.values_list("expected_year", flat=True)) == {
        2025,
        2026,
        2027,
        2028,
    }
    assert weighted_totals(head).currencies == ["EUR", "MAD", "USD"]
    assert Meeting.objects.count() >= 4
    assert Meeting.objects.filter(followups__status=FollowUpStatus.DONE).exists()
    assert followups_overdue_for(manager)[0] >= 1
