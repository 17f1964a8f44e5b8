"""The demo step of trainings and resources, on the test programmes: repeats across
sessions make the people trained fewer than the completions, and every print run's
quantities hold (delivered ≤ printed, confirmed ≤ delivered)."""

from __future__ import annotations

import pytest
from django.db.models import F

from pilotage.cooperation.models import Attendance, PrintRun
from pilotage.cooperation.selectors.trainings import people_trained
from pilotage.demo.context import Context
from pilotage.demo.coop_trainings import create_trainings_and_resources
from pilotage.demo.tests.helpers import TINY

pytestmark = pytest.mark.django_db


def test_the_demo_step_makes_repeats_and_consistent_print_runs(coop):
    ctx = Context(scale=TINY, seed=1)
    create_trainings_and_resources(ctx)
    completions = Attendance.objects.filter(completed=True).count()
    trained = people_trained(coop.head, coop.imagine)
    assert 0 < trained.total < completions
    assert trained.countries == 2
    assert PrintRun.objects.count() == 4
    assert not PrintRun.objects.filter(delivered__gt=F("printed")).exists()
    assert not PrintRun.objects.filter(confirmed__gt=F("delivered")).exists()
